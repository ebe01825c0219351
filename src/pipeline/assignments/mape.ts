import ipaddr from 'ipaddr.js';
import { normalizePrefix } from './addr.js';
import { csvRecords, type ImportInput } from './text.js';
import type { LineError } from './types.js';

/** A MAP-E Basic Mapping Rule (RFC 7597 §5). */
export interface MapRule {
  name: string;
  ipv6Prefix: string; // Rule IPv6 prefix, e.g. 2001:db8::/40
  ipv4Prefix: string; // Rule IPv4 prefix, e.g. 192.0.2.0/24
  eaBits: number; // EA-bits length (o)
  psidOffset: number; // PSID offset (a), 6 by default
}

export type MapResult =
  | { ok: true; prefix: string; psid: number; psidLength: number }
  | { ok: false; reason: 'port-missing' | 'mape-port-not-allocated' | 'not-in-rule' };

const v4ToInt = (s: string) =>
  ipaddr.IPv4.parse(s)
    .toByteArray()
    .reduce((a, b) => a * 256 + b, 0);

/**
 * The end-user IPv6 prefix of the CE that uses IPv4 `addr` and `port` under `rule` (RFC 7597 §5.2):
 * EA bits = IPv4 suffix (32 - r bits) followed by the PSID (k = o - (32 - r) bits), where the PSID
 * is the k bits of the port after the first a (offset) bits; the prefix is the rule IPv6 prefix
 * followed by the EA bits, of length n + o. Ports whose first a bits are all zero belong to no CE
 * (§5.1, when a > 0). Without sharing (o ≤ 32 - r) the port is not needed.
 */
export function mapeEndUserPrefix(rule: MapRule, addr: string, port: number | null): MapResult {
  const [v4net, r] = rule.ipv4Prefix.split('/');
  const rLen = Number(r);
  const a = v4ToInt(addr);
  const base = v4ToInt(v4net);
  const p = 32 - rLen;
  const size = 2 ** p;
  if (Math.floor(a / size) !== Math.floor(base / size)) return { ok: false, reason: 'not-in-rule' };
  const suffix = a % size;
  const o = rule.eaBits;
  let ea: bigint;
  let k = 0;
  let psid = 0;
  if (o <= p) {
    ea = BigInt(suffix) >> BigInt(p - o); // an IPv4 prefix (or full address) per CE
  } else {
    k = o - p;
    if (port === null) return { ok: false, reason: 'port-missing' };
    const aBits = rule.psidOffset;
    const m = 16 - aBits - k;
    if (aBits > 0 && port >> (16 - aBits) === 0) return { ok: false, reason: 'mape-port-not-allocated' };
    psid = (port >> m) & ((1 << k) - 1);
    ea = (BigInt(suffix) << BigInt(k)) | BigInt(psid);
  }
  const [v6net, nStr] = rule.ipv6Prefix.split('/');
  const n = Number(nStr);
  const v6 = ipaddr.IPv6.parse(v6net)
    .toByteArray()
    .reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  const len = n + o;
  const full = v6 | (ea << BigInt(128 - len));
  const bytes: number[] = [];
  for (let i = 15; i >= 0; i--) bytes.push(Number((full >> BigInt(i * 8)) & 0xffn));
  return { ok: true, prefix: `${ipaddr.fromByteArray(bytes).toString()}/${len}`, psid, psidLength: k };
}

/**
 * MAP-E rules CSV, header `rule_ipv6_prefix,rule_ipv4_prefix,ea_bits_length,psid_offset[,name]`
 * (psid_offset blank = 6, the RFC default).
 */
export async function parseMapeRules(
  input: ImportInput,
): Promise<{ rules: Array<MapRule & { line: number }>; errors: LineError[] }> {
  const rules: Array<MapRule & { line: number }> = [];
  const errors: LineError[] = [];
  for await (const r of csvRecords(input)) {
    if ('error' in r) {
      errors.push({ line: r.no, message: r.error });
      continue;
    }
    const { rec, no } = r;
    const v6 = normalizePrefix(rec.rule_ipv6_prefix ?? '');
    const v4 = normalizePrefix(rec.rule_ipv4_prefix ?? '');
    const o = Number(rec.ea_bits_length);
    const a = rec.psid_offset === undefined || rec.psid_offset === '' ? 6 : Number(rec.psid_offset);
    const problems: string[] = [];
    if (!v6?.includes(':')) problems.push('rule_ipv6_prefix');
    if (!v4 || v4.includes(':')) problems.push('rule_ipv4_prefix');
    if (!Number.isInteger(o) || o < 0 || o > 48 || rec.ea_bits_length === '')
      problems.push('ea_bits_length (0–48)');
    if (!Number.isInteger(a) || a < 0 || a > 15) problems.push('psid_offset (0–15)');
    if (problems.length === 0) {
      const n = Number(v6!.split('/')[1]);
      const rLen = Number(v4!.split('/')[1]);
      const k = o - (32 - rLen);
      if (n + o > 128) problems.push('rule IPv6 prefix length + EA bits exceeds 128');
      else if (k > 0 && a + k > 16) problems.push('psid_offset + PSID length exceeds 16 bits');
    }
    if (problems.length) {
      errors.push({ line: no, message: `invalid ${problems.join(', ')}` });
      continue;
    }
    rules.push({
      line: no,
      name: rec.name || `${v4}`,
      ipv6Prefix: v6!,
      ipv4Prefix: v4!,
      eaBits: o,
      psidOffset: a,
    });
  }
  return { rules, errors };
}
