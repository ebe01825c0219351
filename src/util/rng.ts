/**
 * A small seeded PRNG (mulberry32): the generator must write byte-identical files for the same seed
 * and sizes, so exercises can be replayed and benchmarks compared run to run. Math.random is not seedable.
 */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  /** `k` distinct integers from [0, n), in draw order (k ≤ n). */
  sample(n: number, k: number, exclude: Set<number> = new Set()): number[] {
    const out: number[] = [];
    const seen = new Set(exclude);
    const limit = Math.min(k, n - seen.size);
    while (out.length < limit) {
      const x = this.int(n);
      if (seen.has(x)) continue;
      seen.add(x);
      out.push(x);
    }
    return out;
  }
}

/** A derived stream, so adding draws to one part of the generator does not shift every other file. */
export function substream(seed: number, label: string): Rng {
  let h = seed >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619) >>> 0;
  return new Rng(h);
}
