// Test helpers for src/rpz (not a test file): seed indicators as the reputation module would, with
// their change-log rows, and talk DNS to a primary over TCP.
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { Queryable } from '../store/index.js';

export interface Seed {
  kind: 'domain' | 'ip' | 'cidr' | 'url';
  value: string;
  category: string;
  scope?: string;
  status?: string;
}

export async function addIndicator(db: Queryable, s: Seed): Promise<number> {
  const scope = s.scope ?? (s.kind === 'url' ? 'url' : s.kind === 'domain' ? 'host' : 'address');
  const res = await db.query<{ id: string }>(
    `INSERT INTO indicators (kind, value, net, category, status, scope, first_seen, last_seen)
     VALUES ($1, $2, $3::cidr, $4, $5, $6, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z') RETURNING id`,
    [
      s.kind,
      s.value,
      s.kind === 'ip' || s.kind === 'cidr' ? s.value : null,
      s.category,
      s.status ?? 'active',
      scope,
    ],
  );
  const id = Number(res.rows[0].id);
  await db.query(
    `INSERT INTO change_log (entity, entity_id, op, state) VALUES ('indicator', $1, 'add', $2)`,
    [String(id), JSON.stringify({ kind: s.kind, value: s.value, category: s.category, scope })],
  );
  return id;
}

export async function setStatus(db: Queryable, id: number, status: string): Promise<void> {
  await db.query('UPDATE indicators SET status = $2 WHERE id = $1', [id, status]);
  await db.query(
    `INSERT INTO change_log (entity, entity_id, op, state) VALUES ('indicator', $1, 'update', $2)`,
    [String(id), JSON.stringify({ status })],
  );
}

/** Sends one query over TCP and collects responses until the transfer's closing SOA (or one message). */
export function tcpQuery(
  port: number,
  msg: Buffer,
  opts: { transfer?: boolean; timeoutMs?: number } = {},
): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const out: Buffer[] = [];
    let buf = Buffer.alloc(0);
    let total = 0;
    let first = -1;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no complete answer (${out.length} messages)`));
    }, opts.timeoutMs ?? 30_000);
    sock.on('error', reject);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const m = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + m.length);
        out.push(Buffer.from(m));
        const answers = dnsPacket.decode(m).answers ?? [];
        const serialOf = (a: dnsPacket.Answer | undefined) =>
          a?.type === 'SOA' ? (a.data as { serial: number }).serial : -2;
        if (first === -1) first = serialOf(answers[0]);
        total += answers.length;
        const rcode = m.readUInt16BE(2) & 0xf;
        // A transfer ends with the SOA it began with; a lone SOA means "you are current" (IXFR).
        const done =
          !opts.transfer ||
          rcode !== 0 ||
          (out.length === 1 && answers.length === 1) ||
          (total > 1 && serialOf(answers[answers.length - 1]) === first);
        if (done) {
          clearTimeout(timer);
          sock.end();
          resolve(out);
          return;
        }
      }
    });
    const len = Buffer.alloc(2);
    len.writeUInt16BE(msg.length);
    sock.write(Buffer.concat([len, msg]));
  });
}

export function transferQuery(zone: string, type: 'AXFR' | 'IXFR', clientSerial?: number): Buffer {
  return dnsPacket.encode({
    id: 4242,
    type: 'query',
    questions: [{ name: zone, type, class: 'IN' }],
    authorities:
      type === 'IXFR'
        ? [
            {
              name: zone,
              type: 'SOA',
              class: 'IN',
              ttl: 0,
              data: {
                mname: 'x',
                rname: 'x',
                serial: clientSerial ?? 0,
                refresh: 0,
                retry: 0,
                expire: 0,
                minimum: 0,
              },
            },
          ]
        : [],
  });
}

/** Records of a transfer, in order, as `owner type data` lines (owner relative to the zone). */
export function transferLines(messages: Buffer[], zone: string): string[] {
  const lines: string[] = [];
  for (const m of messages) {
    for (const a of dnsPacket.decode(m).answers ?? []) {
      const owner = a.name === zone ? '@' : a.name.slice(0, -(zone.length + 1));
      const raw = (a as { data: unknown }).data;
      const data =
        a.type === 'SOA'
          ? `serial=${(raw as { serial: number }).serial}`
          : a.type === 'CNAME'
            ? `${raw}.`.replace(/^\.\.$/, '.')
            : String(raw);
      lines.push(`${owner} ${a.type} ${data}`);
    }
  }
  return lines;
}
