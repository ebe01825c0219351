/**
 * Small DNS wire-format helpers for what dns-packet does not do: locate records by offset (to strip
 * a TSIG record before verifying) and assemble transfer messages from pre-encoded records.
 */

/** Offset just past the (possibly compressed) name starting at `off`. */
export function skipName(buf: Buffer, off: number): number {
  for (;;) {
    if (off >= buf.length) throw new Error('name runs past the message');
    const len = buf[off];
    if (len === 0) return off + 1;
    if ((len & 0xc0) === 0xc0) return off + 2;
    if (len & 0xc0) throw new Error('bad label type');
    off += len + 1;
  }
}

/** Reads an uncompressed-or-compressed name as lower-case text without trailing dot. */
export function readName(buf: Buffer, off: number): string {
  const labels: string[] = [];
  let jumps = 0;
  for (;;) {
    if (off >= buf.length) throw new Error('name runs past the message');
    const len = buf[off];
    if (len === 0) break;
    if ((len & 0xc0) === 0xc0) {
      if (++jumps > 64) throw new Error('compression loop');
      off = ((len & 0x3f) << 8) | buf[off + 1];
      continue;
    }
    labels.push(buf.toString('latin1', off + 1, off + 1 + len).toLowerCase());
    off += len + 1;
  }
  return labels.join('.');
}

/** Canonical (lower-case, uncompressed) wire form of a name. */
export function encodeName(name: string): Buffer {
  const n = name.toLowerCase().replace(/\.+$/, '');
  if (!n) return Buffer.from([0]);
  // One allocation: a length byte per label replaces each dot, plus the first length and the root.
  const out = Buffer.allocUnsafe(Buffer.byteLength(n, 'latin1') + 2);
  let off = 0;
  for (const l of n.split('.')) {
    out[off] = l.length;
    out.write(l, off + 1, 'latin1');
    off += l.length + 1;
  }
  out[off] = 0;
  return out;
}

/** Offset of the last resource record of the message (the TSIG position), or -1 when ARCOUNT is 0. */
export function lastRecordOffset(buf: Buffer): number {
  if (buf.length < 12) throw new Error('short message');
  const qd = buf.readUInt16BE(4);
  const total = buf.readUInt16BE(6) + buf.readUInt16BE(8) + buf.readUInt16BE(10);
  if (buf.readUInt16BE(10) === 0) return -1;
  let off = 12;
  for (let i = 0; i < qd; i++) off = skipName(buf, off) + 4;
  let last = -1;
  for (let i = 0; i < total; i++) {
    last = off;
    off = skipName(buf, off);
    if (off + 10 > buf.length) throw new Error('record runs past the message');
    off += 10 + buf.readUInt16BE(off + 8);
  }
  if (off > buf.length) throw new Error('record runs past the message');
  return last;
}

/** DNS header flag bits. */
export const QR = 0x8000;
export const AA = 0x0400;

/**
 * A response assembled from pre-encoded pieces: header, the question as received, and records
 * already in wire form (transfers encode each record once per serial and reuse the bytes).
 */
export function assemble(
  id: number,
  flags: number,
  question: Buffer,
  answers: Buffer[],
  answerCount: number,
): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(flags, 2);
  h.writeUInt16BE(question.length > 0 ? 1 : 0, 4);
  h.writeUInt16BE(answerCount, 6);
  return Buffer.concat([h, question, ...answers]);
}
