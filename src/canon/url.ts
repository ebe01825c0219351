import { escapeBytes, toBinary, unescapeFully } from './bytes.js';
import { canonicalHost, HostError } from './host.js';
import { invalid } from './invalid.js';

/** Longest input accepted: far above any real URL, low enough that hostile input cannot hog a core. */
export const MAX_URL_LENGTH = 65_536;

/** A URL split into its canonical parts; `query` is null when the URL has no '?'. */
export interface UrlParts {
  scheme: string;
  host: string;
  path: string;
  query: string | null;
}

/**
 * Resolves '.' and '..' segments and collapses runs of '/', keeping a trailing slash: the path rules
 * of the spec (never applied to the query).
 */
export function normalisePath(path: string): string {
  if (path === '/') return path;
  if (!path.includes('//') && !path.includes('/.')) return path;
  const segs = path.split('/');
  const out: string[] = [];
  let trailing = false;
  for (let i = 1; i < segs.length; i++) {
    const s = segs[i];
    const last = i === segs.length - 1;
    if (s === '' || s === '.') {
      trailing = last;
    } else if (s === '..') {
      out.pop();
      trailing = last;
    } else {
      out.push(s);
      trailing = false;
    }
  }
  if (out.length === 0) return '/';
  return `/${out.join('/')}${trailing ? '/' : ''}`;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const PORT_AFTER_COLON = /^:\d+(?:[/?]|$)/;

/** Canonicalises per Safe Browsing (see docs/canonicalisation.md) and returns the parts. */
export function canonicalUrlParts(input: string): UrlParts {
  if (input.length > MAX_URL_LENGTH) throw invalid('URL', input, `longer than ${MAX_URL_LENGTH} characters`);
  // 1. Tab, CR and LF go (their escapes such as %0a stay); surrounding whitespace goes.
  let s = input.replace(/[\t\r\n]/g, '');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: trims C0 controls and space
  s = s.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '');
  // 2. The fragment goes (before unescaping, so an escaped %23 is not a fragment).
  const hash = s.indexOf('#');
  if (hash >= 0) s = s.slice(0, hash);
  // 3. Percent-unescape until stable, on bytes.
  s = unescapeFully(toBinary(s));
  if (!s) throw invalid('URL', input, 'empty');

  // Scheme: "host:80/…" has a port, not a scheme; no scheme means http.
  let scheme = 'http';
  const m = SCHEME.exec(s);
  if (m && !PORT_AFTER_COLON.test(s.slice(m[1].length))) {
    scheme = m[1].toLowerCase();
    s = s.slice(m[0].length);
    if (!s.startsWith('//')) throw invalid('URL', input, `"${scheme}:" is not followed by "//host"`);
  }
  if (s.startsWith('//')) s = s.slice(2);

  let query: string | null = null;
  const q = s.indexOf('?');
  if (q >= 0) {
    query = s.slice(q + 1);
    s = s.slice(0, q);
  }
  const slash = s.indexOf('/');
  const authority = slash < 0 ? s : s.slice(0, slash);
  const rawPath = slash < 0 ? '/' : s.slice(slash);
  if (!authority) throw invalid('URL', input, 'no host name');
  let host: string;
  try {
    host = canonicalHost(authority);
  } catch (err) {
    if (err instanceof HostError) throw invalid('URL', input, err.message);
    throw err;
  }
  return {
    scheme,
    host,
    path: escapeBytes(normalisePath(rawPath)),
    query: query === null ? null : escapeBytes(query),
  };
}

/**
 * Google Safe Browsing v4 canonical form: `scheme://host/path[?query]`. No port, no user info, no
 * fragment. Throws YojinError CANON_INVALID when there is no usable host.
 */
export function canonicalUrl(input: string): string {
  const p = canonicalUrlParts(input);
  return `${p.scheme}://${p.host}${p.path}${p.query === null ? '' : `?${p.query}`}`;
}

/** The host of a canonical URL (as canonicalUrl returns it): no scheme, no path. */
export function urlHost(canonical: string): string {
  const start = canonical.indexOf('://');
  const from = start < 0 ? 0 : start + 3;
  const end = canonical.indexOf('/', from);
  const q = canonical.indexOf('?', from);
  const stop = end < 0 ? (q < 0 ? canonical.length : q) : q >= 0 && q < end ? q : end;
  return canonical.slice(from, stop);
}
