import dnsPacket from 'dns-packet';
import { soaSerial, type ZoneSettings } from './settings.js';
import type { ZoneDelta, ZoneState } from './state.js';
import { encodeName } from './wire.js';

// dns-packet exports its per-record codec at runtime; its type definitions omit it.
const codec = (
  dnsPacket as unknown as { answer: { encode: ((a: dnsPacket.Answer) => Buffer) & { bytes: number } } }
).answer;
// encode() allocates encodingLength() bytes, which over-counts the root name ('.', `CNAME .`) by one;
// `encode.bytes` is what was actually written.
const answerCodec = {
  encode(a: dnsPacket.Answer): Buffer {
    const b = codec.encode(a);
    return b.subarray(0, codec.encode.bytes);
  },
};

/** Records in wire form, grouped into pieces that each fit one transfer message. */
export interface Chunk {
  rrs: Buffer[];
  count: number;
  bytes: number;
}

// A TCP DNS message can hold 65535 bytes; 16 KiB pieces leave room for the question and the TSIG
// record and keep each write small, as BIND's own primaries do.
const CHUNK_BYTES = 16_384;

class Chunker {
  chunks: Chunk[] = [];
  private cur: Chunk = { rrs: [], count: 0, bytes: 0 };
  push(rr: Buffer) {
    if (this.cur.bytes + rr.length > CHUNK_BYTES && this.cur.count > 0) {
      this.chunks.push(this.cur);
      this.cur = { rrs: [], count: 0, bytes: 0 };
    }
    this.cur.rrs.push(rr);
    this.cur.count++;
    this.cur.bytes += rr.length;
  }
  done(): Chunk[] {
    if (this.cur.count > 0) this.chunks.push(this.cur);
    return this.chunks;
  }
}

/** Encodes the zone's records; owner names are relative to the origin. */
export class RecordEncoder {
  /**
   * Per action rank: each record's wire form after the owner name (type, class, TTL, RDATA), which
   * is the same for every owner — so a transfer encodes only names. Measured against encoding whole
   * records with dns-packet: 1.0–1.8× faster for 200k records (noisy, heavily loaded 2-core machine).
   */
  private readonly byRank: Array<Array<{ type: string; tail: Buffer }>>;
  constructor(readonly s: ZoneSettings) {
    this.byRank = s.records.map((rs) =>
      rs.map((r) => {
        const full = answerCodec.encode({
          name: '',
          type: r.type,
          class: 'IN',
          ttl: s.ttl,
          data: r.type === 'CNAME' ? r.data.replace(/\.$/, '') : r.data,
        } as dnsPacket.Answer);
        return { type: r.type, tail: Buffer.from(full.subarray(1)) }; // drop the root owner byte
      }),
    );
  }
  abs(owner: string): string {
    return `${owner}.${this.s.origin}`;
  }
  soa(serial: number): Buffer {
    return answerCodec.encode({
      name: this.s.origin,
      type: 'SOA',
      class: 'IN',
      ttl: this.s.ttl,
      data: {
        mname: this.s.ns,
        rname: this.s.contact,
        serial: soaSerial(serial),
        refresh: this.s.refresh,
        retry: this.s.retry,
        expire: this.s.expire,
        minimum: this.s.minimum,
      },
    } as dnsPacket.Answer);
  }
  ns(): Buffer {
    return answerCodec.encode({
      name: this.s.origin,
      type: 'NS',
      class: 'IN',
      ttl: this.s.ttl,
      data: this.s.ns,
    });
  }
  /** Records of one owner at one action rank (the RR types requested, or all when `types` is absent). */
  records(owner: string, rank: number, types?: Set<string>): Buffer[] {
    const out: Buffer[] = [];
    const name = encodeName(this.abs(owner));
    for (const r of this.byRank[rank]) {
      if (types && !types.has(r.type)) continue;
      out.push(Buffer.concat([name, r.tail]));
    }
    return out;
  }
}

/** AXFR body (RFC 5936): SOA, NS, every policy record, SOA again. */
export function axfrChunks(state: ZoneState, enc: RecordEncoder): Chunk[] {
  const c = new Chunker();
  const soa = enc.soa(state.serial);
  c.push(soa);
  c.push(enc.ns());
  for (const [owner, rank] of state.owners()) for (const rr of enc.records(owner, rank)) c.push(rr);
  c.push(soa);
  return c.done();
}

/**
 * IXFR body (RFC 1995 §4): current SOA, then per step the old SOA, deleted records, the new SOA and
 * added records, then the current SOA again.
 */
export function ixfrChunks(current: number, deltas: ZoneDelta[], enc: RecordEncoder): Chunk[] {
  const c = new Chunker();
  const cur = enc.soa(current);
  c.push(cur);
  for (const d of deltas) {
    c.push(enc.soa(d.from));
    for (const ch of d.changes) if (ch.from >= 0) for (const rr of enc.records(ch.owner, ch.from)) c.push(rr);
    c.push(enc.soa(d.to));
    for (const ch of d.changes) if (ch.to >= 0) for (const rr of enc.records(ch.owner, ch.to)) c.push(rr);
  }
  c.push(cur);
  return c.done();
}

/** A single-record answer: the current SOA (client up to date, or IXFR over UDP → retry over TCP). */
export function soaOnly(serial: number, enc: RecordEncoder): Chunk[] {
  const soa = enc.soa(serial);
  return [{ rrs: [soa], count: 1, bytes: soa.length }];
}
