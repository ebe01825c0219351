import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import type { Logger } from '../observability/index.js';
import { parseHostPort } from '../util/hostport.js';
import { soaSerial } from './settings.js';
import { signMessage, type TsigKey } from './tsig.js';
import { QR } from './wire.js';

const OPCODE_NOTIFY = 4;

export interface NotifyOptions {
  origin: string;
  /** The SOA data (serial filled in per NOTIFY) sent in the answer section as RFC 1996 §3.7 allows. */
  soa: { mname: string; rname: string; refresh: number; retry: number; expire: number; minimum: number };
  targets: string[];
  retryMs: number;
  attempts: number;
  key: TsigKey | null;
  log: Logger;
  now(): number;
  /** Called when a target acknowledges (tests and metrics). */
  onAck?(target: string, serial: number): void;
}

/**
 * NOTIFY (RFC 1996) to the configured secondaries when the serial moves: a UDP NOTIFY for the zone's
 * SOA, resent every retryMs until the secondary answers (or the attempts run out; its SOA refresh
 * still catches it up). A newer serial supersedes the retries for an older one.
 */
export class Notifier {
  private generation = 0;
  private sockets = new Map<'udp4' | 'udp6', dgram.Socket>();
  private pending = new Map<number, () => void>();

  constructor(private readonly o: NotifyOptions) {}

  private async sock(family: 'udp4' | 'udp6'): Promise<dgram.Socket> {
    const have = this.sockets.get(family);
    if (have) return have;
    const s = dgram.createSocket(family);
    s.on('message', (msg) => {
      if (msg.length < 12 || !(msg.readUInt16BE(2) & QR)) return;
      this.pending.get(msg.readUInt16BE(0))?.();
    });
    s.on('error', (err) => this.o.log.warn({ err }, 'rpz notify socket error'));
    this.sockets.set(family, s);
    await new Promise<void>((r) => s.bind(0, r));
    return s;
  }

  /** Starts notifying every target of `serial` (returns when all acked or gave up). */
  async notify(serial: number): Promise<void> {
    if (this.o.targets.length === 0) return;
    const gen = ++this.generation;
    await Promise.all(this.o.targets.map((t) => this.notifyOne(t, serial, gen)));
  }

  private async notifyOne(target: string, serial: number, gen: number) {
    const parsed = parseHostPort(target);
    const host = parsed.host === 'localhost' ? '127.0.0.1' : parsed.host;
    const port = parsed.port;
    const s = await this.sock(host.includes(':') ? 'udp6' : 'udp4');
    for (let attempt = 1; attempt <= this.o.attempts && gen === this.generation; attempt++) {
      let id = randomInt(0, 0x10000);
      while (this.pending.has(id)) id = randomInt(0, 0x10000);
      let msg = dnsPacket.encode({
        id,
        type: 'query',
        flags: (OPCODE_NOTIFY << 11) | dnsPacket.AUTHORITATIVE_ANSWER,
        questions: [{ name: this.o.origin, type: 'SOA', class: 'IN' }],
        answers: [
          {
            name: this.o.origin,
            type: 'SOA',
            class: 'IN',
            ttl: 0,
            data: { ...this.o.soa, serial: soaSerial(serial) },
          },
        ],
      });
      if (this.o.key) msg = signMessage(msg, this.o.key, { time: this.o.now() }).message;
      const acked = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          this.pending.delete(id);
          resolve(false);
        }, this.o.retryMs);
        this.pending.set(id, () => {
          clearTimeout(timer);
          this.pending.delete(id);
          resolve(true);
        });
        s.send(msg, port, host);
      });
      if (acked) {
        this.o.log.info({ target, serial, attempt }, 'rpz: NOTIFY acknowledged');
        this.o.onAck?.(target, serial);
        return;
      }
    }
    if (gen === this.generation)
      this.o.log.warn(
        { target, serial },
        'rpz: NOTIFY not acknowledged; the secondary will catch up at its SOA refresh',
      );
  }

  close() {
    this.generation++;
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
  }
}
