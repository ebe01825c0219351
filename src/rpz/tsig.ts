import { createHmac, timingSafeEqual } from 'node:crypto';
import { encodeName, lastRecordOffset, readName, skipName } from './wire.js';

/**
 * TSIG (RFC 8945), HMAC-SHA256 only — dns-packet has no TSIG, so the record and the digest are built
 * here from the RFC. Verified against BIND (named as a secondary, dig -y) in the interop tests.
 */
export interface TsigKey {
  name: string;
  algorithm: 'hmac-sha256';
  secret: Buffer;
}

export const TSIG_TYPE = 250;
const CLASS_ANY = 255;
export const TSIG_ERR = { BADSIG: 16, BADKEY: 17, BADTIME: 18 } as const;
export const RCODE_NOTAUTH = 9;

export interface TsigRecord {
  keyName: string;
  algorithm: string;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  other: Buffer;
}

function u48(n: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt16BE(Math.floor(n / 0x1_0000_0000) & 0xffff, 0);
  b.writeUInt32BE(n % 0x1_0000_0000, 2);
  return b;
}
function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff, 0);
  return b;
}

/** TSIG variables (RFC 8945 §4.3.3): the full set, or only the timers for later messages of a stream. */
function variables(
  key: TsigKey,
  t: Omit<TsigRecord, 'keyName' | 'algorithm' | 'mac' | 'originalId'>,
  timersOnly: boolean,
): Buffer {
  const timers = Buffer.concat([u48(t.timeSigned), u16(t.fudge)]);
  if (timersOnly) return timers;
  return Buffer.concat([
    encodeName(key.name),
    u16(CLASS_ANY),
    Buffer.from([0, 0, 0, 0]), // TTL
    encodeName(key.algorithm),
    timers,
    u16(t.error),
    u16(t.other.length),
    t.other,
  ]);
}

function digest(key: TsigKey, parts: Buffer[]): Buffer {
  const h = createHmac('sha256', key.secret);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** The TSIG record in wire form. */
function encodeTsig(key: TsigKey, r: Omit<TsigRecord, 'keyName' | 'algorithm'>): Buffer {
  const rdata = Buffer.concat([
    encodeName(key.algorithm),
    u48(r.timeSigned),
    u16(r.fudge),
    u16(r.mac.length),
    r.mac,
    u16(r.originalId),
    u16(r.error),
    u16(r.other.length),
    r.other,
  ]);
  return Buffer.concat([
    encodeName(key.name),
    u16(TSIG_TYPE),
    u16(CLASS_ANY),
    Buffer.from([0, 0, 0, 0]),
    u16(rdata.length),
    rdata,
  ]);
}

export interface SignOptions {
  /** Seconds since the epoch. */
  time: number;
  fudge?: number;
  /** The request's MAC when signing a response (first message), or the previous message's MAC. */
  priorMac?: Buffer;
  /** Later messages of a multi-message response: digest covers only the timers (RFC 8945 §5.3.1). */
  timersOnly?: boolean;
  error?: number;
  other?: Buffer;
}

/** Appends a TSIG record to an unsigned message; returns the signed message and its MAC. */
export function signMessage(msg: Buffer, key: TsigKey, o: SignOptions): { message: Buffer; mac: Buffer } {
  const t = {
    timeSigned: o.time,
    fudge: o.fudge ?? 300,
    error: o.error ?? 0,
    other: o.other ?? Buffer.alloc(0),
  };
  const parts: Buffer[] = [];
  if (o.priorMac) parts.push(u16(o.priorMac.length), o.priorMac);
  parts.push(msg, variables(key, t, o.timersOnly ?? false));
  const mac = digest(key, parts);
  const out = Buffer.concat([msg, encodeTsig(key, { ...t, mac, originalId: msg.readUInt16BE(0) })]);
  out.writeUInt16BE(msg.readUInt16BE(10) + 1, 10);
  return { message: out, mac };
}

/** An unsigned TSIG record carrying an error (BADKEY/BADSIG answers carry no MAC, RFC 8945 §5.3.2). */
export function appendTsigError(
  msg: Buffer,
  key: TsigKey,
  keyName: string,
  time: number,
  error: number,
): Buffer {
  const k = { ...key, name: keyName };
  const out = Buffer.concat([
    msg,
    encodeTsig(k, {
      timeSigned: time,
      fudge: 300,
      mac: Buffer.alloc(0),
      originalId: msg.readUInt16BE(0),
      error,
      other: Buffer.alloc(0),
    }),
  ]);
  out.writeUInt16BE(msg.readUInt16BE(10) + 1, 10);
  return out;
}

/**
 * Splits off a trailing TSIG record: returns it and the message as it was before signing (TSIG
 * removed, ARCOUNT decremented, ID restored to the original ID). Null when the message has none.
 */
export function splitTsig(msg: Buffer): { tsig: TsigRecord; unsigned: Buffer } | null {
  const off = lastRecordOffset(msg);
  if (off < 0) return null;
  const afterName = skipName(msg, off);
  if (msg.readUInt16BE(afterName) !== TSIG_TYPE) return null;
  const keyName = readName(msg, off);
  let p = afterName + 10;
  const algorithm = readName(msg, p);
  p = skipName(msg, p);
  const timeSigned = msg.readUInt16BE(p) * 0x1_0000_0000 + msg.readUInt32BE(p + 2);
  const fudge = msg.readUInt16BE(p + 6);
  const macLen = msg.readUInt16BE(p + 8);
  const mac = Buffer.from(msg.subarray(p + 10, p + 10 + macLen));
  p += 10 + macLen;
  const originalId = msg.readUInt16BE(p);
  const error = msg.readUInt16BE(p + 2);
  const otherLen = msg.readUInt16BE(p + 4);
  const other = Buffer.from(msg.subarray(p + 6, p + 6 + otherLen));
  const unsigned = Buffer.from(msg.subarray(0, off));
  unsigned.writeUInt16BE(originalId, 0);
  unsigned.writeUInt16BE(unsigned.readUInt16BE(10) - 1, 10);
  return { tsig: { keyName, algorithm, timeSigned, fudge, mac, originalId, error, other }, unsigned };
}

export type VerifyResult =
  | { ok: true; mac: Buffer; tsig: TsigRecord }
  | { ok: false; error: number; tsig: TsigRecord; mac?: Buffer };

/**
 * Verifies a signed message (RFC 8945 §5.2): key and algorithm known, MAC correct, time within fudge.
 * `priorMac` is the request MAC when verifying a response (clients and tests use that).
 */
export function verifyMessage(
  split: { tsig: TsigRecord; unsigned: Buffer },
  key: TsigKey,
  now: number,
  o: { priorMac?: Buffer; timersOnly?: boolean } = {},
): VerifyResult {
  const { tsig, unsigned } = split;
  if (tsig.keyName !== key.name.toLowerCase().replace(/\.+$/, '') || tsig.algorithm !== key.algorithm) {
    return { ok: false, error: TSIG_ERR.BADKEY, tsig };
  }
  const parts: Buffer[] = [];
  if (o.priorMac) parts.push(u16(o.priorMac.length), o.priorMac);
  parts.push(unsigned, variables(key, tsig, o.timersOnly ?? false));
  const expected = digest(key, parts);
  // Truncated MACs (RFC 8945 §5.2.2.1) are not accepted: BIND and Knot send the full 32 bytes.
  if (tsig.mac.length !== expected.length || !timingSafeEqual(tsig.mac, expected)) {
    return { ok: false, error: TSIG_ERR.BADSIG, tsig };
  }
  if (Math.abs(now - tsig.timeSigned) > tsig.fudge)
    return { ok: false, error: TSIG_ERR.BADTIME, tsig, mac: tsig.mac };
  return { ok: true, mac: tsig.mac, tsig };
}

export function tsigKeyFrom(r: {
  tsig_key_name: string;
  tsig_algorithm: 'hmac-sha256';
  tsig_secret: string;
}): TsigKey | null {
  if (!r.tsig_key_name) return null;
  return {
    name: r.tsig_key_name.toLowerCase().replace(/\.+$/, ''),
    algorithm: r.tsig_algorithm,
    secret: Buffer.from(r.tsig_secret, 'base64'),
  };
}
