import { normalizeAddr, normalizePrefix } from './addr.js';
import { type ImportInput, readLines } from './text.js';
import type { AssignmentEvent, DhcpSubscriberField } from './types.js';

/** `starts 1 2026/11/23 07:00:00;` (UTC, dhcpd's default) or `starts epoch 1795...;` (db-time-format local). */
function leaseTime(v: string): Date | null | 'never' {
  if (v === 'never') return 'never';
  const e = /^epoch (\d+)/.exec(v);
  if (e) return new Date(Number(e[1]) * 1000);
  const m = /^\d (\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(v);
  if (!m) return null;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

/** Binding states in which the address was actually held between starts and ends. */
const HELD = new Set(['active', 'expired', 'released']);

const OPTION_FOR: Partial<Record<DhcpSubscriberField, string>> = {
  'remote-id': 'option agent.remote-id',
  'circuit-id': 'option agent.circuit-id',
};

/**
 * ISC dhcpd.leases (IPv4): `lease ADDR { … }` blocks; each block is one holding of ADDR from
 * `starts` to `ends` by the client. The file is append-only, so a renewed lease appears again —
 * overlapping intervals of the same subscriber, which attribution treats as one candidate.
 */
export async function* parseDhcpdLeases(
  input: ImportInput,
  field: DhcpSubscriberField,
): AsyncGenerator<AssignmentEvent> {
  let cur: { line: number; addr: string; stmts: Map<string, string>; bad: boolean } | undefined;
  for await (const { no, text } of readLines(input)) {
    const t = text.trim();
    if (t === '' || t.startsWith('#')) continue;
    if (!cur) {
      const m = /^lease\s+(\S+)\s*\{$/.exec(t);
      if (m) {
        const addr = normalizeAddr(m[1]);
        cur = { line: no, addr: addr ?? '', stmts: new Map(), bad: !addr };
        if (!addr) yield { type: 'error', line: no, message: `lease address is not valid: ${m[1]}` };
      } else if (/^(authoring-byte-order|server-duid|failover|ia-na|ia-pd|ia-ta)\b/.test(t)) {
        // Header statements and dhcpd6 blocks are not IPv4 leases; skip a block wholesale.
        if (t.endsWith('{')) cur = { line: no, addr: '', stmts: new Map(), bad: true };
      } else {
        yield { type: 'error', line: no, message: `expected "lease ADDRESS {", found: ${t.slice(0, 60)}` };
      }
      continue;
    }
    if (t === '}') {
      const block = cur;
      cur = undefined;
      if (block.bad) continue;
      const state = block.stmts.get('binding state');
      if (!state || !HELD.has(state)) continue;
      const starts = leaseTime(block.stmts.get('starts') ?? '');
      const ends = leaseTime(block.stmts.get('ends') ?? '');
      if (!(starts instanceof Date) || ends === null) {
        yield { type: 'error', line: block.line, message: 'lease has no valid starts/ends' };
        continue;
      }
      const sub = subscriberOf(block.stmts, field);
      if (!sub) {
        yield {
          type: 'error',
          line: block.line,
          message: `lease has no ${field} to identify the subscriber`,
        };
        continue;
      }
      yield {
        type: 'row',
        line: block.line,
        row: {
          subscriberId: sub,
          prefix: normalizePrefix(block.addr)!,
          start: starts,
          end: ends === 'never' ? null : ends,
          kind: 'dhcp',
        },
      };
      continue;
    }
    const m =
      /^(binding state|next binding state|rewind binding state|hardware ethernet|set [\w-]+|option [\w.-]+|[\w-]+)\s*(.*?);$/.exec(
        t,
      );
    if (!m) {
      cur.bad = true;
      yield { type: 'error', line: no, message: `malformed lease statement: ${t.slice(0, 60)}` };
      continue;
    }
    cur.stmts.set(m[1], m[2]);
  }
  if (cur && !cur.bad) yield { type: 'error', line: cur.line, message: 'lease block is not closed with "}"' };
}

function unquote(v: string): string {
  return v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

function subscriberOf(stmts: Map<string, string>, field: DhcpSubscriberField): string | undefined {
  let v: string | undefined;
  if (field === 'hardware') v = stmts.get('hardware ethernet');
  else if (field === 'client-id') v = stmts.get('uid');
  else if (field === 'hostname') v = stmts.get('client-hostname');
  else v = stmts.get(OPTION_FOR[field]!);
  if (v === undefined || v === '') return undefined;
  return unquote(v);
}
