/**
 * Map keys for CIDR lookups (one Map per prefix length): an address's bytes with all but the first
 * `bits` bits cleared. Used by the policy index (C&C address listings) and the consent snapshot
 * (assigned prefixes).
 */

/** IPv4 (4 bytes) → the masked address as an unsigned 32-bit number. */
export function v4Key(b: ArrayLike<number>, bits: number): number {
  const n = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  return bits === 0 ? 0 : (n & (0xffffffff << (32 - bits))) >>> 0;
}

/** IPv6 (16 bytes) → the masked address as 32 hex digits. */
export function v6Key(b: ArrayLike<number>, bits: number): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    const v = keep === 0 ? 0 : b[i] & (0xff << (8 - keep)) & 0xff;
    s += v.toString(16).padStart(2, '0');
  }
  return s;
}
