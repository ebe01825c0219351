import { isIpHost } from './host.js';
import { canonicalUrlParts, type UrlParts } from './url.js';

/** Host suffixes: the exact host, then up to four formed from the last five components, never the TLD. */
export function hostSuffixes(host: string): string[] {
  if (isIpHost(host)) return [host];
  // Scans dot positions instead of split/join: this runs for every URL checked (hot path).
  const dots: number[] = [];
  for (let i = host.indexOf('.'); i >= 0; i = host.indexOf('.', i + 1)) dots.push(i);
  const out = [host];
  const comps = dots.length + 1;
  for (let k = Math.max(1, comps - 5); k < comps - 1; k++) out.push(host.slice(dots[k - 1] + 1));
  return out;
}

/** Path prefixes: exact path with query, exact path, then '/', '/a/', '/a/b/', '/a/b/c/' (≤ 6, no repeats). */
export function pathPrefixes(path: string, query: string | null): string[] {
  const out: string[] = [];
  if (query !== null) out.push(`${path}?${query}`);
  out.push(path);
  if (path === '/') return out;
  out.push('/');
  // The path is normalised (no empty segments), so each later '/' ends one more component.
  let pos = 0;
  for (let k = 0; k < 3; k++) {
    const next = path.indexOf('/', pos + 1);
    if (next < 0 || next === path.length - 1) break; // a prefix equal to the path is already there
    out.push(path.slice(0, next + 1));
    pos = next;
  }
  return out;
}

export function expressionsOfParts(p: UrlParts): string[] {
  const paths = pathPrefixes(p.path, p.query);
  const out: string[] = [];
  for (const h of hostSuffixes(p.host)) for (const path of paths) out.push(h + path);
  return out;
}

/**
 * The Safe Browsing host-suffix × path-prefix expressions of a URL (≤ 5 hosts × ≤ 6 paths = ≤ 30), in
 * the spec's order: for each host from the most specific, the paths from the most specific.
 */
export function urlExpressions(input: string): string[] {
  return expressionsOfParts(canonicalUrlParts(input));
}
