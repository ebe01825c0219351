/**
 * JSON with object keys sorted at every level, so a record hashes the same after a JSONB round trip.
 * Loops and string appends rather than map/filter/join: every audit record is hashed through this,
 * and attribution appends one per subscriber (358k in the 1M-evidence benchmark: 1.1 → 0.8 s).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  // Array.prototype.sort's default order compares UTF-16 code units, as `a < b` does.
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}
