import { isIP } from 'node:net';

/** A DNS host name in A-label form: what a browser sends in Host for a name the resolver warned. */
const HOSTNAME =
  /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The blocked name from a Host header: lower case, port and trailing dot removed. Undefined when the
 * header is missing, malformed or an address literal (someone reached the listener by its address,
 * so no name was blocked).
 */
export function blockedHost(header: string | undefined): string | undefined {
  if (!header) return undefined;
  let h = header.trim().toLowerCase();
  if (h.startsWith('[')) return undefined; // IPv6 literal
  const colon = h.lastIndexOf(':');
  if (colon >= 0) {
    if (!/^\d{1,5}$/.test(h.slice(colon + 1))) return undefined;
    h = h.slice(0, colon);
  }
  while (h.endsWith('.')) h = h.slice(0, -1);
  if (isIP(h) !== 0) return undefined;
  return isHostname(h) ? h : undefined;
}

export function isHostname(h: string): boolean {
  return HOSTNAME.test(h) && !/^\d+(\.\d+)*$/.test(h);
}

/** Longest request target kept and signed; longer ones are cut back to their path. */
export const MAX_PATH = 2048;

/**
 * Is `p` a safe origin-form request target (path and optional query) to put after `http://host`?
 * It must start with exactly one `/` (`//x` would make x the host), and hold only printable ASCII
 * other than backslash (browsers treat `\` as `/`), so no CR/LF, spaces or control characters can
 * split a header or change the authority.
 */
export function isSafePath(p: string): boolean {
  if (p.length === 0 || p.length > MAX_PATH) return false;
  if (p[0] !== '/' || p[1] === '/' || p[1] === '\\') return false;
  return /^[\x21-\x5b\x5d-\x7e]*$/.test(p); // 0x5c (backslash) excluded
}

/** The request target as the page keeps it: the raw URL when safe, else `/`. */
export function safePathOf(rawUrl: string): string {
  if (isSafePath(rawUrl)) return rawUrl;
  const q = rawUrl.indexOf('?');
  const pathOnly = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
  return isSafePath(pathOnly) ? pathOnly : '/';
}

/**
 * The continue target for a signed host and path, or undefined when the result would not be exactly
 * `http://<host><path>`: parsed back with WHATWG URL so userinfo, another host, a port or another
 * scheme can never come out of it whatever the inputs.
 */
export function continueTarget(host: string, path: string): string | undefined {
  if (!isHostname(host) || !isSafePath(path)) return undefined;
  const target = `http://${host}${path}`;
  let u: URL;
  try {
    u = new URL(target);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' || u.hostname !== host || u.port !== '' || u.username || u.password)
    return undefined;
  return target;
}
