/**
 * MinHash signatures and LSH banding for similar-case search: reports are compared through signatures
 * bucketed by band, so a query touches only the reports that share a bucket with it — there is no
 * pairwise correlation table. 64 hashes in 16 bands of 4 rows: pairs with Jaccard similarity ≥ ~0.5 are
 * found with high probability (P = 1 − (1 − s⁴)¹⁶: 0.64 at s = 0.3, 0.65→0.99 for s ≥ 0.5).
 */
export const HASHES = 64;
export const BANDS = 16;
export const ROWS = HASHES / BANDS;

// 32-bit FNV-1a with a per-function seed, then a murmur3 finaliser for avalanche.
function hash32(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

const SEEDS = Array.from({ length: HASHES }, (_, i) => hash32(`seed-${i}`, 0x9e3779b9));

export function signature(features: Iterable<string>): number[] {
  const sig = new Array<number>(HASHES).fill(0xffffffff);
  let any = false;
  for (const f of features) {
    any = true;
    for (let i = 0; i < HASHES; i++) {
      const h = hash32(f, SEEDS[i]);
      if (h < sig[i]) sig[i] = h;
    }
  }
  if (!any) throw new Error('a signature needs at least one feature');
  // store as signed int4 for PostgreSQL integer[]
  return sig.map((v) => v | 0);
}

/** The bucket of each band: a 48-bit hash of the band's rows (safe as a JS number and a bigint column). */
export function bandBuckets(sig: number[]): number[] {
  const out: number[] = [];
  for (let b = 0; b < BANDS; b++) {
    const key = sig.slice(b * ROWS, (b + 1) * ROWS).join(',');
    out.push(hash32(key, 1) * 65536 + (hash32(key, 2) & 0xffff));
  }
  return out;
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 0 : inter / union;
}
