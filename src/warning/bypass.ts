import ipaddr from 'ipaddr.js';
import { type Clock, systemClock } from '../clock/index.js';
import type { Queryable } from '../store/index.js';

/**
 * The key a client is known by: an IPv4 address as is; an IPv6 address as its /64, because a device
 * changes its privacy address within the prefix (RFC 8981) while the subscriber stays the same.
 * Undefined for something that is not an address.
 */
export function clientKey(addr: string): string | undefined {
  let a: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    a = ipaddr.process(addr.replace(/%.*$/, '')); // drops a zone id; maps ::ffff:a.b.c.d to IPv4
  } catch {
    return undefined;
  }
  if (a.kind() === 'ipv4') return a.toString();
  const bytes = (a as ipaddr.IPv6).toByteArray();
  for (let i = 8; i < 16; i++) bytes[i] = 0;
  return `${ipaddr.fromByteArray(bytes).toString()}/64`;
}

function hostKey(host: string): string {
  let h = host.trim().toLowerCase();
  while (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

/**
 * Short-lived "continue anyway" grants: client + host → expiry. The DNS resolver asks
 * `isBypassed(clientAddr, qname)` synchronously on its hot path, so the answer comes from memory;
 * the store copy lets resolvers in other processes learn grants through `load()`.
 */
export class BypassTable {
  private readonly entries = new Map<string, number>();

  constructor(private readonly clock: Clock = systemClock) {}

  /** True while the client has an unexpired grant for exactly this host (a query name may end in `.`). */
  isBypassed(clientAddr: string, host: string): boolean {
    if (this.entries.size === 0) return false;
    const c = clientKey(clientAddr);
    if (!c) return false;
    const k = `${c} ${hostKey(host)}`;
    const exp = this.entries.get(k);
    if (exp === undefined) return false;
    if (exp > this.clock.now().getTime()) return true;
    this.entries.delete(k);
    return false;
  }

  /** Records a grant in memory (see `recordBypass` for the stored copy). */
  grant(clientAddr: string, host: string, expiresAt: Date): void {
    const c = clientKey(clientAddr);
    if (!c) return;
    const k = `${c} ${hostKey(host)}`;
    this.entries.set(k, Math.max(this.entries.get(k) ?? 0, expiresAt.getTime()));
  }

  /** Drops expired grants; returns how many remain. */
  prune(): number {
    const now = this.clock.now().getTime();
    for (const [k, exp] of this.entries) if (exp <= now) this.entries.delete(k);
    return this.entries.size;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Merges the unexpired grants kept in the store (written by any process) into memory. */
  async load(db: Queryable): Promise<number> {
    const r = await db.query<{ client: string; host: string; expires_at: Date | string }>(
      'SELECT client, host, expires_at FROM warning_bypasses WHERE expires_at > $1',
      [this.clock.now()],
    );
    for (const row of r.rows) {
      const k = `${row.client} ${row.host}`;
      const exp = new Date(row.expires_at).getTime();
      this.entries.set(k, Math.max(this.entries.get(k) ?? 0, exp));
    }
    this.prune();
    return r.rows.length;
  }
}

/**
 * Stores a grant and deletes expired ones in the same statement batch, so client addresses never
 * outlive their grant in the store by more than one write or one sync interval.
 */
export async function recordBypass(
  db: Queryable,
  clientAddr: string,
  host: string,
  expiresAt: Date,
  now: Date,
): Promise<void> {
  const c = clientKey(clientAddr);
  if (!c) return;
  await db.query('DELETE FROM warning_bypasses WHERE expires_at <= $1', [now]);
  await db.query(
    `INSERT INTO warning_bypasses (client, host, expires_at) VALUES ($1, $2, $3)
     ON CONFLICT (client, host) DO UPDATE SET expires_at = GREATEST(warning_bypasses.expires_at, EXCLUDED.expires_at)`,
    [c, hostKey(host), expiresAt],
  );
}

export async function purgeExpiredBypasses(db: Queryable, now: Date): Promise<number> {
  return (await db.query('DELETE FROM warning_bypasses WHERE expires_at <= $1', [now])).rowCount;
}

/**
 * The process-wide table: the warning page records grants here and the policy DNS resolver of the
 * same process reads them (`bypasses.isBypassed(clientAddr, qname)`); a resolver in another process
 * keeps it current with `startBypassSync`.
 */
export const bypasses = new BypassTable();

/**
 * Keeps `table` current from the store every `warning.bypass_sync_seconds` and deletes expired rows:
 * run by the warning service, and by a DNS resolver that runs in another process.
 */
export function startBypassSync(
  db: Queryable,
  opts: { table?: BypassTable; intervalMs: number; clock?: Clock; onError?: (err: unknown) => void },
): { stop(): void } {
  const table = opts.table ?? bypasses;
  const clock = opts.clock ?? systemClock;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await purgeExpiredBypasses(db, clock.now());
      await table.load(db);
    } catch (err) {
      opts.onError?.(err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.intervalMs);
  timer.unref();
  void tick();
  return { stop: () => clearInterval(timer) };
}
