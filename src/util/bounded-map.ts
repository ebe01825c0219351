/**
 * A map that holds at most `max` entries and forgets the least recently used ones first, in halves:
 * entries live in a young and an old generation; when the young one is full it becomes the old one
 * and the previous old one is dropped whole. A hit in the old generation moves the entry to the young
 * one, so what is used survives.
 *
 * Why not a single Map with "delete the first key" eviction: V8 keeps deleted Map entries as holes
 * until the table is rehashed, and `map.keys().next()` walks over every hole. With 200k entries that
 * eviction cost 85 µs per insert once the map was full (0.3 µs with generations), which made the DNS
 * resolver's cache-cold path 3-4× slower than its forwarding work (scripts/bench/dns.ts).
 */
export class BoundedMap<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly generation: number;

  /** `max` entries at most (0 keeps nothing; below 2 it keeps one). */
  constructor(readonly max: number) {
    this.generation = Math.max(1, Math.floor(max / 2));
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  /** The value for `key`, marking it used. */
  get(key: K): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined || this.old.size === 0) return v;
    const o = this.old.get(key);
    if (o !== undefined) {
      this.old.delete(key);
      this.insert(key, o);
    }
    return o;
  }

  set(key: K, value: V): void {
    if (this.max <= 0) return;
    this.old.delete(key);
    this.insert(key, value);
  }

  delete(key: K): boolean {
    return this.young.delete(key) || this.old.delete(key);
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }

  private insert(key: K, value: V): void {
    this.young.set(key, value);
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
  }
}
