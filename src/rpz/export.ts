import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Config } from '../config/index.js';
import { loadPolicy, type PolicyEntry } from '../policy/index.js';
import type { Queryable } from '../store/index.js';
import { ACTION_RANK } from './actions.js';
import { entryOwners } from './names.js';
import { soaSerial, type ZoneSettings, zoneSettings } from './settings.js';

export interface ExportReport {
  zone: string;
  serial: number;
  entries: number;
  owners: number;
  records: number;
  /** Entries whose name cannot be a DNS owner name (bad label, too long). */
  skipped: number;
  bytes: number;
}

/**
 * Owner names and their winning action rank, sorted by owner, one per owner (duplicates merged,
 * the stronger action kept). Two parallel arrays rather than objects: 1M entries stay ~50 MB.
 */
export function resolveOwners(
  entries: PolicyEntry[],
  origin: string,
): { owners: string[]; ranks: Uint8Array; skipped: number } {
  const names: string[] = [];
  const rankOf: number[] = [];
  let skipped = 0;
  for (const e of entries) {
    const os = entryOwners(e, origin);
    if (os.length === 0) skipped++;
    for (const o of os) {
      names.push(o);
      rankOf.push(ACTION_RANK[e.action]);
    }
  }
  const idx = Array.from(names.keys());
  idx.sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : rankOf[b] - rankOf[a]));
  const owners: string[] = [];
  const ranks: number[] = [];
  for (const i of idx) {
    // Sorted by owner then strongest first: the first of a run is the winner.
    if (owners.length > 0 && owners[owners.length - 1] === names[i]) continue;
    owners.push(names[i]);
    ranks.push(rankOf[i]);
  }
  return { owners, ranks: Uint8Array.from(ranks), skipped };
}

export function zoneHeader(s: ZoneSettings, serial: number): string {
  return [
    `; Response Policy Zone published by yojin at change-log serial ${serial}.`,
    '; Generated: do not edit. Regenerate with `yojin rpz export`, or transfer it from `yojin rpz serve`.',
    `$ORIGIN ${s.origin}.`,
    `$TTL ${s.ttl}`,
    `@\tSOA\t${s.ns}. ${s.contact}. ( ${soaSerial(serial)} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum} )`,
    `@\tNS\t${s.ns}.`,
    '',
  ].join('\n');
}

/**
 * Writes the policy as an RPZ zone file to `out`, honouring back-pressure: the text is produced in
 * ~64 KiB pieces and never held whole (the policy entries themselves are in memory, as loadPolicy
 * returns them).
 */
export async function exportZone(
  db: Queryable,
  config: Pick<Config, 'rpz' | 'dns'>,
  out: Writable,
  opts: { zone?: string } = {},
): Promise<ExportReport> {
  const s = zoneSettings(config, opts.zone);
  const snap = await loadPolicy(db, config);
  const { owners, ranks, skipped } = resolveOwners(snap.entries, s.origin);
  // Precomputed "\tTYPE\tdata\n" tails per rank, so each line is one concatenation.
  const tails = s.records.map((rs) => rs.map((r) => `\t${r.type}\t${r.data}\n`));
  let bytes = 0;
  let records = 0;
  let buf = zoneHeader(s, snap.serial);
  const flush = async () => {
    bytes += Buffer.byteLength(buf);
    const ok = out.write(buf);
    buf = '';
    if (!ok) await once(out, 'drain');
  };
  for (let i = 0; i < owners.length; i++) {
    for (const t of tails[ranks[i]]) {
      buf += owners[i] + t;
      records++;
    }
    if (buf.length >= 65536) await flush();
  }
  await flush();
  return {
    zone: s.origin,
    serial: snap.serial,
    entries: snap.entries.length,
    owners: owners.length,
    records,
    skipped,
    bytes,
  };
}
