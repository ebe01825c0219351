import { normalizeAddr, normalizePrefix } from './addr.js';
import { csvRecords, type ImportInput } from './text.js';
import type { AssignmentEvent, DhcpSubscriberField } from './types.js';

/** Kea escapes commas inside fields (user_context JSON) as "&#x2c". */
const unescapeKea = (s: string) => s.replaceAll('&#x2c', ',');

/**
 * Kea memfile lease files (lease4 or lease6 CSV; the header tells which). Each line is one state of
 * a lease: held from `expire - valid_lifetime` to `expire`. Kea appends a line at every renewal, so
 * intervals of the same subscriber overlap; state 1 (declined) is skipped, and so are zero-lifetime
 * lines (releases) — the earlier interval then ends at its expiry, which can only make attribution
 * more cautious (an overlap is refused), never wrong.
 */
export async function* parseKeaCsv(
  input: ImportInput,
  field: DhcpSubscriberField,
): AsyncGenerator<AssignmentEvent> {
  for await (const r of csvRecords(input)) {
    if ('error' in r) {
      yield { type: 'error', line: r.no, message: r.error };
      continue;
    }
    const rec = r.rec;
    const v6 = 'duid' in rec;
    const line = r.no;
    if (!('address' in rec) || !('expire' in rec) || !('valid_lifetime' in rec)) {
      yield {
        type: 'error',
        line,
        message: 'not a Kea lease file: the header needs address, valid_lifetime, expire',
      };
      return;
    }
    const addr = normalizeAddr(rec.address);
    const life = Number(rec.valid_lifetime);
    const expire = Number(rec.expire);
    if (!addr || !/^\d+$/.test(rec.valid_lifetime) || !/^\d+$/.test(rec.expire)) {
      yield { type: 'error', line, message: 'address, valid_lifetime or expire is not valid' };
      continue;
    }
    if (rec.state === '1' || life === 0) continue;
    let prefix: string | null = `${addr}/${v6 ? 128 : 32}`;
    if (v6 && rec.lease_type === '2') prefix = normalizePrefix(`${addr}/${rec.prefix_len}`);
    if (!prefix) {
      yield { type: 'error', line, message: `prefix_len is not valid: ${rec.prefix_len}` };
      continue;
    }
    const sub = subscriberOf(rec, field, v6);
    if (sub === undefined) {
      yield { type: 'error', line, message: `lease has no ${field} to identify the subscriber` };
      continue;
    }
    yield {
      type: 'row',
      line,
      row: {
        subscriberId: sub,
        prefix,
        start: new Date((expire - life) * 1000),
        end: new Date(expire * 1000),
        kind: v6 ? (rec.lease_type === '2' ? 'dhcpv6-pd' : 'dhcpv6') : 'dhcp',
      },
    };
  }
}

function subscriberOf(
  rec: Record<string, string>,
  field: DhcpSubscriberField,
  v6: boolean,
): string | undefined {
  let v: string | undefined;
  if (field === 'hardware') v = rec.hwaddr;
  else if (field === 'client-id') v = v6 ? rec.duid : rec.client_id;
  else if (field === 'hostname') v = rec.hostname;
  else {
    // Relay agent options Kea keeps in user_context: {"ISC":{"relay-agent-info":{"remote-id":"…"}}}
    try {
      const ctx = rec.user_context ? JSON.parse(unescapeKea(rec.user_context)) : {};
      const info = ctx?.ISC?.['relay-agent-info'] ?? {};
      v = info[field] ?? ctx[field];
    } catch {
      v = undefined;
    }
  }
  return v === undefined || v === '' ? undefined : String(v);
}
