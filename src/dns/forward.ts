/**
 * Forwarder: sends a query to the configured upstreams in order, each with a timeout, failing over
 * to the next on timeout, network error or SERVFAIL/REFUSED; retries over TCP when the UDP answer is
 * truncated. One connected UDP socket per upstream is shared by all queries to it: the kernel drops
 * datagrams from any other address, and answers are matched by message id and question (ids are
 * random, which also resists spoofed answers). Connected, a send needs no address lookup: an
 * unconnected send(buf, port, host) resolves `host` and defers to the next tick on every query.
 */
import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';
import dnsPacket, { type Packet } from 'dns-packet';
import { parseHostPort } from '../util/hostport.js';

export interface Upstream {
  host: string;
  port: number;
  family: 4 | 6;
}

export function parseUpstream(s: string): Upstream {
  const { host, port } = parseHostPort(s);
  return { host, port, family: host.includes(':') ? 6 : 4 };
}

/** A question to forward: decoded, and (when the server has it) as the client's bytes. */
export interface Question {
  name: string;
  type: string;
  class?: string;
  /** The question section as it came on the wire (name, type, class): copied into the upstream query. */
  wire?: Buffer;
}

interface Pending {
  name: string;
  type: string;
  resolve(p: Packet): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class UpstreamError extends Error {}

export class Forwarder {
  private readonly sockets = new Map<Upstream, Promise<Socket>>();
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  /** Called once per failed upstream attempt (metrics). */
  onUpstreamError: (upstream: string, reason: string) => void = () => {};

  constructor(
    readonly upstreams: Upstream[],
    private readonly timeoutMs: number,
  ) {}

  /** Resolves `query` (its question, DO bit) through the upstreams; throws UpstreamError when all fail. */
  async resolve(question: Question, dnssecOk: boolean, cd = false): Promise<Packet> {
    if (this.upstreams.length === 0) throw new UpstreamError('no upstream resolvers configured');
    let lastError = 'no answer';
    for (const u of this.upstreams) {
      const label = `${u.host}:${u.port}`;
      try {
        let res = await this.udp(u, question, dnssecOk, cd);
        if (((res as { flags?: number }).flags ?? 0) & (1 << 9))
          res = await this.tcp(u, question, dnssecOk, cd);
        const rcode = ((res as { flags?: number }).flags ?? 0) & 0xf;
        if (rcode === 2 || rcode === 5) {
          lastError = `${label} answered ${rcode === 2 ? 'SERVFAIL' : 'REFUSED'}`;
          this.onUpstreamError(label, rcode === 2 ? 'servfail' : 'refused');
          continue;
        }
        return res;
      } catch (err) {
        lastError = `${label}: ${(err as Error).message}`;
        this.onUpstreamError(label, (err as Error).message === 'timeout' ? 'timeout' : 'error');
      }
    }
    throw new UpstreamError(lastError);
  }

  private socket(u: Upstream): Promise<Socket> {
    let s = this.sockets.get(u);
    if (s) return s;
    const sock = createSocket(u.family === 6 ? 'udp6' : 'udp4');
    sock.on('message', (msg) => this.onMessage(msg));
    sock.on('error', () => {}); // per-send errors surface through the send callback / timeout
    sock.unref();
    s = new Promise<Socket>((resolve, reject) => {
      sock.connect(u.port, u.host, (err?: Error) =>
        err ? reject(new UpstreamError(err.message)) : resolve(sock),
      );
    });
    s.catch(() => this.sockets.delete(u)); // try again on the next query
    this.sockets.set(u, s);
    return s;
  }

  private onMessage(msg: Buffer) {
    if (msg.length < 12) return;
    const id = msg.readUInt16BE(0);
    const p = this.pending.get(id);
    if (!p) return;
    let res: Packet;
    try {
      res = dnsPacket.decode(msg);
    } catch {
      return; // garbage: keep waiting for the real answer until the timeout
    }
    const q = res.questions?.[0];
    if (!q || q.name.toLowerCase() !== p.name.toLowerCase() || q.type !== p.type) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(res);
  }

  private newId(): number {
    for (let i = 0; i < 100; i++) {
      const id = (Math.random() * 0x10000) | 0;
      if (!this.pending.has(id)) return id;
    }
    throw new UpstreamError('too many queries in flight');
  }

  private encodeQuery(id: number, question: Question, dnssecOk: boolean, cd: boolean): Buffer {
    if (question.wire) return wireQuery(id, question.wire, dnssecOk, cd);
    return dnsPacket.encode({
      id,
      type: 'query',
      flags: dnsPacket.RECURSION_DESIRED | (cd ? dnsPacket.CHECKING_DISABLED : 0),
      questions: [{ name: question.name, type: question.type, class: question.class ?? 'IN' }],
      additionals: [
        { type: 'OPT', name: '.', udpPayloadSize: 1232, flags: dnssecOk ? dnsPacket.DNSSEC_OK : 0 } as never,
      ],
    } as Packet);
  }

  private async udp(u: Upstream, question: Question, dnssecOk: boolean, cd: boolean): Promise<Packet> {
    if (this.closed) throw new UpstreamError('forwarder closed');
    const sock = await this.socket(u);
    const id = this.newId();
    const buf = this.encodeQuery(id, question, dnssecOk, cd);
    return new Promise<Packet>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new UpstreamError('timeout'));
      }, this.timeoutMs);
      this.pending.set(id, { name: question.name, type: question.type, resolve, reject, timer });
      sock.send(buf, (err) => {
        if (!err) return;
        this.pending.delete(id);
        clearTimeout(timer);
        reject(new UpstreamError(err.message));
      });
    });
  }

  private tcp(u: Upstream, question: Question, dnssecOk: boolean, cd: boolean): Promise<Packet> {
    const id = (Math.random() * 0x10000) | 0;
    const body = this.encodeQuery(id, question, dnssecOk, cd);
    return new Promise<Packet>((resolve, reject) => {
      const sock = connect({ host: u.host, port: u.port });
      let buf = Buffer.alloc(0);
      const done = (err?: Error, p?: Packet) => {
        clearTimeout(timer);
        sock.destroy();
        if (err) reject(err);
        else resolve(p as Packet);
      };
      const timer = setTimeout(() => done(new UpstreamError('timeout')), this.timeoutMs);
      sock.on('connect', () => {
        const len = Buffer.allocUnsafe(2);
        len.writeUInt16BE(body.length);
        sock.write(Buffer.concat([len, body]));
      });
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length < 2) return;
        const n = buf.readUInt16BE(0);
        if (buf.length < 2 + n) return;
        try {
          const p = dnsPacket.decode(buf.subarray(2, 2 + n));
          if (p.id !== id) return done(new UpstreamError('mismatched TCP answer'));
          done(undefined, p);
        } catch (e) {
          done(new UpstreamError(`malformed TCP answer: ${(e as Error).message}`));
        }
      });
      sock.on('error', (e) => done(new UpstreamError(e.message)));
      sock.on('close', () => done(new UpstreamError('connection closed before an answer')));
    });
  }

  close() {
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new UpstreamError('forwarder closed'));
    }
    this.pending.clear();
    for (const s of this.sockets.values()) s.then((sock) => sock.close()).catch(() => {});
    this.sockets.clear();
  }
}

/**
 * The upstream query around the client's question bytes: header (RD, CD as asked), the question, and an
 * OPT record (1232-byte UDP size, DO as asked) — what `dnsPacket.encode` builds from the decoded question,
 * for ~4 % of a cache-cold query's time less (scripts/bench/dns.ts --profile).
 */
function wireQuery(id: number, question: Buffer, dnssecOk: boolean, cd: boolean): Buffer {
  const out = Buffer.alloc(12 + question.length + 11);
  out.writeUInt16BE(id, 0);
  out.writeUInt16BE(dnsPacket.RECURSION_DESIRED | (cd ? dnsPacket.CHECKING_DISABLED : 0), 2);
  out.writeUInt16BE(1, 4); // QDCOUNT
  out.writeUInt16BE(1, 10); // ARCOUNT: the OPT record
  question.copy(out, 12);
  const opt = 12 + question.length; // owner "." (0), TYPE 41, CLASS = UDP size, TTL = ext-rcode|version|flags
  out.writeUInt16BE(41, opt + 1);
  out.writeUInt16BE(1232, opt + 3);
  out.writeUInt16BE(dnssecOk ? dnsPacket.DNSSEC_OK : 0, opt + 7);
  return out;
}
