import { isIpHost } from './host.js';
import { canonicalUrlParts, type UrlParts } from './url.js';

/** Host suffixes: the exact host, then up to four formed from the last five components, never the TLD. */
export function hostSuffixes(host: string): string[] {
  if (isIpHost(host)) return [host];
  const comps = host.split('.');
  const out = [host];
  for (let i = Math.max(1, comps.length - 5); i < comps.length - 1; i++) out.push(comps.slice(i).join('.'));
  return out;
}

/** Path prefixes: exact path with query, exact path, then '/', '/a/', '/a/b/', '/a/b/c/' (≤ 6, no repeats). */
export function pathPrefixes(path: string, query: string | null): string[] {
  const out: string[] = [];
  if (query !== null) out.push(`${path}?${query}`);
  out.push(path);
  const comps = path.split('/').filter((c) => c !== '');
  const n = Math.min(comps.length, 4);
  let prefix = '/';
  if (path !== '/') out.push(prefix);
  for (let i = 0; i < n - 1; i++) {
    prefix += `${comps[i]}/`;
    if (prefix !== path) out.push(prefix);
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
