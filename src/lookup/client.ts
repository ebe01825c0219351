import { expressionsOfParts } from '../canon/expressions.js';
import { canonicalUrlParts } from '../canon/index.js';
import { fullHash, matchApplies } from './hash.js';
import { PrefixSet } from './prefix-set.js';
import { sha256Prefix32 } from './sha256.js';

export interface LookupClientOptions {
  /** Base URL of the yojin API, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** Any valid API token (the lookup API needs no particular role). */
  token: string;
  /** fetch implementation (tests inject a recording one); default: global fetch. */
  fetch?: typeof fetch;
  /** Milliseconds clock for cache expiry; default Date.now. */
  now?: () => number;
}

export interface LookupVerdict {
  listed: boolean;
  /** Confirmed matches: which of the URL's expressions is listed, under which category. */
  matches: Array<{ expression: string; category: string }>;
}

interface CachedHashes {
  /** base64 full hash → matches */
  hashes: Map<string, Array<{ category: string; subdomains: boolean }>>;
  expires: number;
}

function prefixKey(h: Uint8Array): number {
  return ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
}

/**
 * Keeps the 4-byte prefix list (applies diffs), canonicalises URLs, builds their Safe Browsing
 * expressions and checks the prefixes locally; only when a prefix is on the list does it ask the
 * server for the full hashes under that prefix, and confirms locally. The URL, its host and its
 * expressions never leave the client — the server sees 4-byte prefixes, shared by many expressions.
 */
export class LookupClient {
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private prefixes = PrefixSet.from([]);
  private cache = new Map<number, CachedHashes>();
  version: number | undefined;

  constructor(private readonly opts: LookupClientOptions) {
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.now = opts.now ?? Date.now;
  }

  /** Prefixes held locally. */
  get size(): number {
    return this.prefixes.size;
  }

  private async call(path: string, init: RequestInit = {}): Promise<unknown> {
    const res = await this.fetch(new URL(path, this.opts.baseUrl), {
      ...init,
      headers: {
        authorization: `Bearer ${this.opts.token}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      const e = (body as { error?: { code?: string; message?: string } }).error;
      throw new Error(`lookup API ${res.status} ${e?.code ?? ''}: ${e?.message ?? res.statusText}`);
    }
    return body;
  }

  /** Fetches the diff since the version held (the full list the first time) and applies it. */
  async update(): Promise<{ version: number; full: boolean; added: number; removed: number }> {
    const q = this.version === undefined ? '' : `?since=${this.version}`;
    const r = (await this.call(`/api/v1/lookup/list${q}`)) as {
      version: number;
      full: boolean;
      additions: string[];
      removals: string[];
    };
    // Diffs are rare next to lookups, so the compact index is rebuilt on each change.
    const next = new Set<number>(r.full ? [] : this.prefixes.values());
    for (const p of r.removals) next.delete(prefixKey(Buffer.from(p, 'base64')));
    for (const p of r.additions) next.add(prefixKey(Buffer.from(p, 'base64')));
    if (r.full || r.additions.length || r.removals.length) this.prefixes = PrefixSet.from(next);
    // A changed list may have changed what a cached prefix resolves to.
    if (r.full || r.additions.length || r.removals.length) this.cache.clear();
    this.version = r.version;
    return { version: r.version, full: r.full, added: r.additions.length, removed: r.removals.length };
  }

  /**
   * Is the URL listed? Canonicalises it (throws CANON_INVALID for an unusable URL), checks each
   * expression's prefix locally and confirms hits by full hash.
   */
  async check(url: string): Promise<LookupVerdict> {
    const parts = canonicalUrlParts(url);
    const hits: Array<{ expression: string; hash: Buffer; prefix: number }> = [];
    for (const expression of expressionsOfParts(parts)) {
      // Only the 4-byte prefix is needed for the local check; the full hash only for a hit.
      const prefix = sha256Prefix32(expression);
      if (this.prefixes.has(prefix)) hits.push({ expression, hash: fullHash(expression), prefix });
    }
    if (!hits.length) return { listed: false, matches: [] };
    const now = this.now();
    const missing = [...new Set(hits.map((h) => h.prefix))].filter(
      (p) => !((this.cache.get(p)?.expires ?? 0) > now),
    );
    if (missing.length) await this.fetchFullHashes(missing, now);
    const matches: LookupVerdict['matches'] = [];
    for (const h of hits) {
      for (const m of this.cache.get(h.prefix)?.hashes.get(h.hash.toString('base64')) ?? []) {
        if (matchApplies(h.expression, m.subdomains, parts.host))
          matches.push({ expression: h.expression, category: m.category });
      }
    }
    return { listed: matches.length > 0, matches };
  }

  private async fetchFullHashes(prefixes: number[], now: number) {
    const body = JSON.stringify({
      prefixes: prefixes.map((p) => {
        const b = Buffer.allocUnsafe(4);
        b.writeUInt32BE(p);
        return b.toString('base64');
      }),
    });
    const r = (await this.call('/api/v1/lookup/full-hashes', { method: 'POST', body })) as {
      matches: Array<{ hash: string; category: string; subdomains: boolean }>;
      cache_seconds: number;
      negative_cache_seconds: number;
    };
    const fresh = new Map<number, CachedHashes>();
    for (const p of prefixes)
      fresh.set(p, { hashes: new Map(), expires: now + r.negative_cache_seconds * 1000 });
    for (const m of r.matches) {
      const p = prefixKey(Buffer.from(m.hash, 'base64'));
      const c = fresh.get(p);
      if (!c) continue; // an answer for a prefix not asked about is ignored
      c.expires = now + r.cache_seconds * 1000;
      const list = c.hashes.get(m.hash) ?? [];
      list.push({ category: m.category, subdomains: m.subdomains });
      c.hashes.set(m.hash, list);
    }
    for (const [p, c] of fresh) this.cache.set(p, c);
  }
}
