import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import ipaddr from 'ipaddr.js';
import type { Logger } from '../observability/index.js';
import type { ZoneSettings } from './settings.js';
import type { ZoneState } from './state.js';
import { axfrChunks, type Chunk, ixfrChunks, RecordEncoder, soaOnly } from './transfer.js';
import {
  appendTsigError,
  RCODE_NOTAUTH,
  signMessage,
  splitTsig,
  TSIG_ERR,
  type TsigKey,
  verifyMessage,
} from './tsig.js';
import { AA, assemble, QR, skipName } from './wire.js';

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const T_AXFR = 252;
const T_IXFR = 251;

export interface PrimaryOptions {
  settings: ZoneSettings;
  state: ZoneState;
  key: TsigKey | null;
  allowTransfer: string[];
  log: Logger;
  /** Seconds since the epoch (TSIG time checks and signatures). */
  now(): number;
  tcpIdleMs?: number;
}

export interface TransferStats {
  axfr: number;
  ixfr: number;
  refused: number;
  tsigFailures: number;
}

/**
 * The authoritative primary: answers SOA/NS (and exact policy owners) over UDP and TCP, AXFR and
 * IXFR over TCP to clients in allow_transfer, TSIG-verified when a key is configured. Transfer
 * bodies are cached per serial (AXFR) and per (client serial → current) (IXFR), so a fleet of
 * secondaries catching up on one change costs one encoding.
 */
export class RpzPrimary {
  readonly stats: TransferStats = { axfr: 0, ixfr: 0, refused: 0, tsigFailures: 0 };
  private readonly enc: RecordEncoder;
  private readonly acl: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
  private axfrCache: { serial: number; chunks: Chunk[] } | null = null;
  private ixfrCache = new Map<number, Chunk[]>();
  private ixfrCacheSerial = -1;
  private tcp?: net.Server;
  private udp?: dgram.Socket;
  private sockets = new Set<net.Socket>();

  constructor(private readonly o: PrimaryOptions) {
    this.enc = new RecordEncoder(o.settings);
    this.acl = o.allowTransfer.map((c) =>
      ipaddr.parseCIDR(c.includes('/') ? c : `${c}/${c.includes(':') ? 128 : 32}`),
    );
  }

  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    this.tcp = net.createServer((sock) => this.onTcp(sock));
    await new Promise<void>((res, rej) => {
      this.tcp?.once('error', rej);
      this.tcp?.listen(port, host, () => res());
    });
    const bound = (this.tcp.address() as net.AddressInfo).port;
    this.udp = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    this.udp.on('message', (msg, rinfo) => void this.onUdp(msg, rinfo));
    this.udp.on('error', (err) => this.o.log.warn({ err }, 'rpz udp socket error'));
    await new Promise<void>((res, rej) => {
      this.udp?.once('error', rej);
      this.udp?.bind(bound, host, () => res());
    });
    return { host, port: bound };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
    ]);
  }

  private allowed(address: string): boolean {
    let a: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      a = ipaddr.process(address);
    } catch {
      return false;
    }
    return this.acl.some(([net, len]) => a.kind() === net.kind() && a.match(net, len));
  }

  private async onUdp(msg: Buffer, rinfo: dgram.RemoteInfo) {
    try {
      const out = this.handle(msg, 'udp', rinfo.address);
      for (const m of out) {
        if (m.length > 512) continue; // SOA/NS answers are tiny; anything larger is TCP-only
        this.udp?.send(m, rinfo.port, rinfo.address);
      }
    } catch (err) {
      this.o.log.debug({ err, from: rinfo.address }, 'rpz: unparseable UDP message dropped');
    }
  }

  private onTcp(sock: net.Socket) {
    this.sockets.add(sock);
    sock.setTimeout(this.o.tcpIdleMs ?? 30_000, () => sock.destroy());
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = Buffer.alloc(0);
    let busy = Promise.resolve();
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        // Requests on one connection are answered in order, each transfer written fully first.
        busy = busy.then(() => this.answerTcp(sock, Buffer.from(msg)));
      }
    });
  }

  private async answerTcp(sock: net.Socket, msg: Buffer) {
    let out: Iterable<Buffer>;
    try {
      out = this.handle(msg, 'tcp', sock.remoteAddress ?? '');
    } catch (err) {
      this.o.log.debug({ err }, 'rpz: unparseable TCP message; closing');
      sock.destroy();
      return;
    }
    for (const m of out) {
      if (sock.destroyed) return;
      const len = Buffer.alloc(2);
      len.writeUInt16BE(m.length);
      if (!sock.write(Buffer.concat([len, m]))) {
        await new Promise<void>((r) => {
          // Whichever comes first; the other listener is removed so long transfers do not pile them up.
          const done = () => {
            sock.off('drain', done);
            sock.off('close', done);
            r();
          };
          sock.on('drain', done);
          sock.on('close', done);
        });
      }
    }
  }

  /** Answers one request; returns the response messages (several for a transfer). */
  handle(raw: Buffer, transport: 'udp' | 'tcp', from: string): Buffer[] {
    if (raw.length < 12) throw new Error('short message');
    if (raw.readUInt16BE(2) & QR) return []; // a response: not for us
    const id = raw.readUInt16BE(0);
    const opcode = (raw.readUInt16BE(2) >> 11) & 0xf;
    const qdEnd = raw.readUInt16BE(4) === 1 ? skipName(raw, 12) + 4 : 12;
    const question = raw.subarray(12, qdEnd);
    const plain = (rcode: number) => [assemble(id, QR | (opcode << 11) | rcode, question, [], 0)];

    // TSIG first: everything after depends on whether the request is authenticated.
    const key = this.o.key;
    let split: ReturnType<typeof splitTsig>;
    try {
      split = splitTsig(raw);
    } catch {
      return plain(RCODE.FORMERR);
    }
    let requestMac: Buffer | undefined;
    if (split) {
      const now = this.o.now();
      if (!key) {
        this.stats.tsigFailures++;
        return [
          appendTsigError(
            plain(RCODE_NOTAUTH)[0],
            { name: split.tsig.keyName, algorithm: 'hmac-sha256', secret: Buffer.alloc(0) },
            split.tsig.keyName,
            now,
            TSIG_ERR.BADKEY,
          ),
        ];
      }
      const v = verifyMessage(split, key, now);
      if (!v.ok) {
        this.stats.tsigFailures++;
        this.o.log.warn({ from, error: v.error, key: split.tsig.keyName }, 'rpz: TSIG verification failed');
        if (v.error === TSIG_ERR.BADTIME && v.mac) {
          // BADTIME answers are signed and carry our time (RFC 8945 §5.2.3).
          const other = Buffer.alloc(6);
          other.writeUInt16BE(Math.floor(now / 0x1_0000_0000), 0);
          other.writeUInt32BE(now % 0x1_0000_0000, 2);
          return [
            signMessage(plain(RCODE_NOTAUTH)[0], key, {
              time: split.tsig.timeSigned,
              priorMac: v.mac,
              error: v.error,
              other,
            }).message,
          ];
        }
        return [appendTsigError(plain(RCODE_NOTAUTH)[0], key, split.tsig.keyName, now, v.error)];
      }
      requestMac = v.mac;
    }
    const sign = (msgs: Buffer[]): Buffer[] => {
      if (!requestMac || !key) return msgs;
      let prior = requestMac;
      const now = this.o.now();
      return msgs.map((m, i) => {
        const s = signMessage(m, key, { time: now, priorMac: prior, timersOnly: i > 0 });
        prior = s.mac;
        return s.message;
      });
    };

    if (opcode !== 0) return sign(plain(RCODE.NOTIMP));
    let req: dnsPacket.Packet;
    try {
      req = dnsPacket.decode(split ? split.unsigned : raw);
    } catch {
      return plain(RCODE.FORMERR);
    }
    const q = req.questions?.[0];
    if (!q || req.questions?.length !== 1) return sign(plain(RCODE.FORMERR));
    const qname = q.name.toLowerCase().replace(/\.+$/, '');
    const origin = this.o.settings.origin;
    const inZone = qname === origin || qname.endsWith(`.${origin}`);
    if (!inZone) return sign(plain(RCODE.REFUSED));
    const qtype = question.readUInt16BE(question.length - 4);
    const state = this.o.state;
    const flags = QR | AA;
    const messages = (chunks: Chunk[]) => chunks.map((c) => assemble(id, flags, question, c.rrs, c.count));

    if (qtype === T_AXFR || qtype === T_IXFR) {
      if (qname !== origin) return sign(plain(RCODE_NOTAUTH));
      if (!this.allowed(from) || (key && !requestMac)) {
        this.stats.refused++;
        this.o.log.info({ from, signed: Boolean(requestMac) }, 'rpz: zone transfer refused');
        return sign(plain(RCODE.REFUSED));
      }
      if (qtype === T_AXFR) {
        if (transport === 'udp') return sign(plain(RCODE.REFUSED));
        this.stats.axfr++;
        return sign(messages(this.axfr()));
      }
      // IXFR: the client's serial is in the SOA of the authority section.
      const soa = req.authorities?.find((a) => a.type === 'SOA') as
        | { data?: { serial?: number } }
        | undefined;
      const clientSerial = soa?.data?.serial !== undefined ? Number(soa.data.serial) : -1;
      this.stats.ixfr++;
      if (transport === 'udp') return sign(messages(soaOnly(state.serial, this.enc)));
      return sign(messages(this.ixfr(clientSerial)));
    }

    // Ordinary queries: the apex SOA/NS (what secondaries poll), exact policy owners.
    if (qname === origin) {
      const answers: Buffer[] = [];
      if (qtype === 6 || qtype === 255) answers.push(this.enc.soa(state.serial));
      if (qtype === 2 || qtype === 255) answers.push(this.enc.ns());
      return sign([
        withAuthority(
          assemble(id, flags, question, answers, answers.length),
          answers.length ? null : this.enc.soa(state.serial),
        ),
      ]);
    }
    const owner = qname.slice(0, -(origin.length + 1));
    const rank = state.rankOf(owner);
    if (rank < 0) {
      return sign([
        withAuthority(assemble(id, flags | RCODE.NXDOMAIN, question, [], 0), this.enc.soa(state.serial)),
      ]);
    }
    const typeName = qtype === 1 ? 'A' : qtype === 28 ? 'AAAA' : qtype === 5 ? 'CNAME' : '';
    const types = qtype === 255 ? undefined : new Set([typeName, 'CNAME']);
    const answers = this.enc.records(owner, rank, types);
    return sign([
      withAuthority(
        assemble(id, flags, question, answers, answers.length),
        answers.length ? null : this.enc.soa(state.serial),
      ),
    ]);
  }

  private axfr(): Chunk[] {
    const s = this.o.state.serial;
    if (this.axfrCache?.serial !== s)
      this.axfrCache = { serial: s, chunks: axfrChunks(this.o.state, this.enc) };
    return this.axfrCache.chunks;
  }

  private ixfr(clientSerial: number): Chunk[] {
    const state = this.o.state;
    if (this.ixfrCacheSerial !== state.serial) {
      this.ixfrCache.clear();
      this.ixfrCacheSerial = state.serial;
    }
    const cached = this.ixfrCache.get(clientSerial);
    if (cached) return cached;
    const deltas = clientSerial < 0 ? null : state.deltasSince(clientSerial);
    // Unknown or too old a serial: the AXFR-style full answer RFC 1995 §4 allows.
    const chunks =
      deltas === null
        ? this.axfr()
        : deltas.length === 0
          ? soaOnly(state.serial, this.enc)
          : ixfrChunks(state.serial, deltas, this.enc);
    if (this.ixfrCache.size > 64) this.ixfrCache.clear();
    this.ixfrCache.set(clientSerial, chunks);
    return chunks;
  }
}

/** Adds one authority record (the SOA of a negative answer). */
function withAuthority(msg: Buffer, soa: Buffer | null): Buffer {
  if (!soa) return msg;
  const out = Buffer.concat([msg, soa]);
  out.writeUInt16BE(1, 8);
  return out;
}
