/**
 * UDP and TCP listeners: parse and validate each query, run the handler chain, send the answer.
 *
 * Malformed input never crashes the server: a packet shorter than a header (or, over TCP, a
 * connection that sends one) is dropped; a packet whose header is readable but whose body is not
 * gets FORMERR. TCP carries several length-prefixed queries per connection (answered as they
 * complete, RFC 7766 pipelining) and closes after `tcp_idle_timeout_ms` without a query.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import dnsPacket, { type Packet } from 'dns-packet';
import { type ClientEdns, errorResponse, optRecord, RCODE, readEdns } from './answers.js';
import { type DnsReply, type DnsRequest, finalise, type Next } from './chain.js';
import type { DnsMetrics } from './metrics.js';
import type { AnswerReuse, ReuseMiss } from './reuse.js';

/**
 * The question section of a query (its first name, type, class) as bytes, or undefined when it is not a
 * plain one. The first name of a message cannot be compressed (a pointer can only point back).
 */
function questionWire(raw: Buffer): Buffer | undefined {
  let i = 12;
  while (i < raw.length) {
    const len = raw[i];
    if (len === 0) return i + 5 <= raw.length ? raw.subarray(12, i + 5) : undefined;
    if (len & 0xc0) return undefined;
    i += len + 1;
  }
  return undefined;
}

const NO_EDNS: ClientEdns = { present: false, udpSize: 512, dnssecOk: false, structured: false, version: 0 };

/** A 12-byte FORMERR header for a query whose header is readable but whose body is not. */
function formerrHeader(raw: Buffer): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(raw.readUInt16BE(0), 0);
  const qflags = raw.readUInt16BE(2);
  // QR, the query's opcode and RD, RA, rcode FORMERR; no sections (we could not read them).
  out.writeUInt16BE(0x8000 | (qflags & 0x7800) | (qflags & 0x0100) | 0x0080 | RCODE.FORMERR, 2);
  return out;
}

/**
 * Replies go back to the address a query came from, always an IP literal: answering the socket's address
 * lookup at once spares `dns.lookup`, which defers every reply to the next tick (~3 % of a cache-cold query).
 */
function literalLookup(
  address: string,
  _family: number,
  cb: (err: null, address: string, family: number) => void,
) {
  cb(null, address, address.includes(':') ? 6 : 4);
}

export class DnsServer {
  private udp4?: Socket;
  private tcp?: Server;
  private readonly conns = new Set<TcpSocket>();

  constructor(
    private readonly chain: Next,
    private readonly metrics: DnsMetrics,
    private readonly opts: { tcpIdleTimeoutMs: number; onBug?: (err: unknown) => void; reuse?: AnswerReuse },
  ) {}

  /** Listens on host:port for UDP and TCP (port 0: the same free port for both). */
  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    const family = host.includes(':') ? 'udp6' : 'udp4';
    for (let attempt = 0; ; attempt++) {
      const udp = createSocket({ type: family, reuseAddr: false, lookup: literalLookup as never });
      udp.on('message', (msg, rinfo) => void this.onUdp(udp, msg, rinfo));
      udp.on('error', () => {});
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(port, host, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      try {
        // Room for bursts: while the event loop is busy (a policy swap, GC) queries queue in the
        // kernel; the default buffer (~200 KB) overflows within milliseconds under load.
        udp.setRecvBufferSize(8 << 20);
      } catch {
        // the kernel caps or refuses it (net.core.rmem_max); the default still works
      }
      const bound = udp.address().port;
      const tcp = createServer((s) => this.onTcp(s));
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(bound, host, () => {
            tcp.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        udp.close();
        // port 0 picked a UDP port whose TCP twin is taken: try another
        if (port === 0 && attempt < 10) continue;
        throw err;
      }
      this.udp4 = udp;
      this.tcp = tcp;
      return { host, port: bound };
    }
  }

  async close(): Promise<void> {
    this.udp4?.close();
    for (const c of this.conns) c.destroy();
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
  }

  /**
   * Parses and answers one query; returns the encoded answer, or null to send nothing. `miss` is the
   * answer-reuse layer's verdict on it (the client's consent, and where to keep the answer).
   */
  async answer(
    raw: Buffer,
    transport: 'udp' | 'tcp',
    client: { address: string; port: number },
    miss?: ReuseMiss,
  ): Promise<Buffer | null> {
    if (raw.length < 12) {
      this.metrics.malformed.inc({ outcome: 'dropped' });
      return null;
    }
    if (raw.readUInt16BE(2) & 0x8000) {
      this.metrics.malformed.inc({ outcome: 'dropped' }); // a response sent to us: never answer it
      return null;
    }
    let query: Packet;
    try {
      query = dnsPacket.decode(raw);
    } catch {
      this.metrics.malformed.inc({ outcome: 'formerr' });
      return formerrHeader(raw);
    }
    const questions = query.questions ?? [];
    const edns = readEdns(query);
    if (questions.length !== 1 || typeof questions[0]?.name !== 'string') {
      this.metrics.malformed.inc({ outcome: 'formerr' });
      return dnsPacket.encode(errorResponse({ ...query, questions: [] } as Packet, RCODE.FORMERR, edns));
    }
    const flags = (query as { flags?: number }).flags ?? 0;
    if ((flags >> 11) & 0xf) return dnsPacket.encode(errorResponse(query, RCODE.NOTIMP, edns)); // not QUERY
    if (edns.present && edns.version > 0) {
      // BADVERS (RFC 6891): extended rcode 16 = upper bits 1 in the OPT record, header rcode 0.
      const res = errorResponse(query, RCODE.NOERROR, NO_EDNS);
      res.additionals = [{ ...(optRecord(edns) as object), extendedRcode: 1 } as never];
      return dnsPacket.encode(res);
    }
    const q = questions[0];
    let qname = q.name.toLowerCase();
    if (qname.endsWith('.')) qname = qname.slice(0, -1);
    const req: DnsRequest = {
      query,
      qname,
      qtype: String(q.type),
      qclass: String(q.class ?? 'IN'),
      edns,
      transport,
      client,
      consent: miss?.consent,
      questionWire: questionWire(raw),
    };
    let out: Packet | null;
    let reply: DnsReply | undefined;
    try {
      reply = await this.chain(req);
      out = finalise(req, reply);
    } catch (err) {
      this.opts.onBug?.(err);
      out = errorResponse(query, RCODE.SERVFAIL, edns);
      reply = undefined;
    }
    if (!out) return null;
    let buf: Buffer;
    try {
      buf = dnsPacket.encode(out);
    } catch (err) {
      this.opts.onBug?.(err);
      buf = dnsPacket.encode(errorResponse(query, RCODE.SERVFAIL, edns));
    }
    if (transport === 'udp' && buf.length > edns.udpSize) {
      // Too big for the client's UDP buffer: TC=1 and no records, so it retries over TCP.
      buf = dnsPacket.encode({
        ...out,
        flags: ((out as { flags?: number }).flags ?? 0) | (1 << 9),
        answers: [],
        authorities: [],
        additionals: (out.additionals ?? []).filter((a) => a.type === 'OPT'),
      } as Packet);
    }
    if (miss && reply) this.opts.reuse?.remember(miss, req, reply, buf);
    return buf;
  }

  private async onUdp(sock: Socket, msg: Buffer, rinfo: RemoteInfo) {
    // A repeat of a query answered before: the same bytes, synchronously (see reuse.ts).
    const again = this.opts.reuse?.reply(msg, 'udp', rinfo.address, rinfo.port);
    if (Buffer.isBuffer(again)) {
      sock.send(again, rinfo.port, rinfo.address);
      return;
    }
    try {
      const res = await this.answer(msg, 'udp', { address: rinfo.address, port: rinfo.port }, again);
      if (res) sock.send(res, rinfo.port, rinfo.address);
    } catch (err) {
      this.opts.onBug?.(err);
    }
  }

  private onTcp(sock: TcpSocket) {
    this.conns.add(sock);
    sock.setNoDelay(true);
    sock.setTimeout(this.opts.tcpIdleTimeoutMs, () => sock.destroy());
    sock.on('close', () => this.conns.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = Buffer.alloc(0);
    const client = { address: sock.remoteAddress ?? '', port: sock.remotePort ?? 0 };
    sock.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      while (buf.length >= 2) {
        const n = buf.readUInt16BE(0);
        if (buf.length < 2 + n) break;
        const msg = buf.subarray(2, 2 + n);
        buf = buf.subarray(2 + n);
        if (n < 12) {
          this.metrics.malformed.inc({ outcome: 'dropped' });
          sock.destroy(); // cannot even read a header: the stream is not DNS
          return;
        }
        const again = this.opts.reuse?.reply(msg, 'tcp', client.address, client.port);
        const answered = Buffer.isBuffer(again)
          ? Promise.resolve(again)
          : this.answer(Buffer.from(msg), 'tcp', client, again);
        void answered
          .then((res) => {
            if (!res || sock.destroyed) return;
            const len = Buffer.allocUnsafe(2);
            len.writeUInt16BE(res.length);
            sock.write(Buffer.concat([len, res]));
          })
          .catch((err) => this.opts.onBug?.(err));
      }
    });
  }
}
