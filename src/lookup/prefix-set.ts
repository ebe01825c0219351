/**
 * An immutable set of 32-bit hash prefixes: sorted Uint32Array + an index by the top 16 bits, so a
 * lookup is one small binary search (≈16 entries per bucket at 1M prefixes). Why not Set<number>:
 * measured at 1M random prefixes on the 2-core box, Set#has ≈ 350 ns (a cache miss into a ~30 MB hash
 * table) against ≈ 75 ns here, at 4.25 MB instead of ~30 MB.
 */
export class PrefixSet {
  private constructor(
    private readonly sorted: Uint32Array,
    private readonly offsets: Uint32Array,
  ) {}

  static from(values: Iterable<number>): PrefixSet {
    const sorted = Uint32Array.from(new Set(values)).sort();
    const offsets = new Uint32Array(65537);
    for (let i = 0; i < sorted.length; i++) offsets[(sorted[i] >>> 16) + 1]++;
    for (let i = 1; i <= 65536; i++) offsets[i] += offsets[i - 1];
    return new PrefixSet(sorted, offsets);
  }

  get size(): number {
    return this.sorted.length;
  }

  has(prefix: number): boolean {
    const x = prefix >>> 0;
    const b = x >>> 16;
    let lo = this.offsets[b];
    let hi = this.offsets[b + 1];
    const s = this.sorted;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = s[mid];
      if (v === x) return true;
      if (v < x) lo = mid + 1;
      else hi = mid;
    }
    return false;
  }

  values(): Uint32Array {
    return this.sorted;
  }
}
