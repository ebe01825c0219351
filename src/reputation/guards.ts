import ipaddr from 'ipaddr.js';
import {
  canonicalCidr,
  canonicalDomain,
  canonicalIp,
  canonicalUrl,
  type DomainInfo,
  domainInfo,
  isIpHost,
  urlHost,
} from '../canon/index.js';
import type { FeedRecord } from '../pipeline/index.js';
import { PROTECTED_ADDRESSES } from './top-sites.js';
import type { IndicatorStatus, Scope } from './types.js';

/** Active allowlist entries, in memory for the duration of an import or a check. */
export interface AllowSet {
  /** A name and every name under it. */
  domains: Map<string, string>;
  /** Every name whose registrable domain this is. */
  registrables: Map<string, string>;
  /** One canonical URL. */
  urls: Map<string, string>;
}

export const emptyAllowSet = (): AllowSet => ({
  domains: new Map(),
  registrables: new Map(),
  urls: new Map(),
});

export interface Guards {
  topSites: Set<string>;
  allow: AllowSet;
}

/** One row for the staging table: an indicator as a record asserts it. */
export interface StagedRow {
  kind: 'url' | 'domain' | 'ip' | 'cidr';
  value: string;
  expr: string | null;
  registrable: string | null;
  net: string | null;
  category: string;
  scope: Scope;
  scopeReason: string;
  initStatus: IndicatorStatus;
  evidenceAt: Date | null;
  primary: boolean;
  /** The observation's raw record as JSON text (serialised once, here: cheaper for the GC). */
  raw: string;
}

export type Prepared = { rows: StagedRow[] } | { reason: string };

/** The name itself or its nearest parent on the list (entries may be registrable domains or hosts). */
export function findInNameSet(name: string, set: { has(k: string): boolean }): string | undefined {
  let n = name;
  for (;;) {
    if (set.has(n)) return n;
    const dot = n.indexOf('.');
    if (dot < 0) return undefined;
    n = n.slice(dot + 1);
  }
}

/** Why a host may not be listed beyond URL level, or undefined when it may. */
export function hostGuard(
  host: string,
  info: {
    registrable: string | null | undefined;
    publicSuffix: string | null | undefined;
    isPrivateSuffix: boolean;
    isIp: boolean;
  },
  guards: Guards,
): string | undefined {
  if (info.isIp) return 'host is an IP address: listed at URL level only';
  if (info.isPrivateSuffix)
    return `host is under the shared-hosting suffix ${info.publicSuffix} (Public Suffix List private section): listed at URL level only`;
  const top = findInNameSet(host, guards.topSites);
  if (top) return `${top} is on the top-sites list (popular site): listed at URL level only`;
  const allowed = allowedHost(host, info.registrable ?? null, guards.allow);
  if (allowed) return `host is allowlisted (${allowed}): listed at URL level only`;
  return undefined;
}

/** The allowlist entry covering a host, as text, or undefined. */
export function allowedHost(host: string, registrable: string | null, allow: AllowSet): string | undefined {
  const d = findInNameSet(host, allow.domains);
  if (d) return `domain ${d}: ${allow.domains.get(d)}`;
  if (registrable && allow.registrables.has(registrable))
    return `registrable ${registrable}: ${allow.registrables.get(registrable)}`;
  return undefined;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//;

/** The Safe Browsing expression of a canonical URL: host/path?query, without the scheme. */
export function urlExpr(canonical: string): string {
  return canonical.replace(SCHEME, '');
}

/**
 * Canonicalises one feed record and decides its listing scope. A URL always yields a URL listing;
 * it also yields a host listing only when the host is a dedicated one (not an IP, not under a PSL
 * private suffix, not a top site, not allowlisted) — one bad URL must never block a shared or popular
 * domain. Domain records on a top site or on a public suffix are refused outright.
 */
export function prepareRecord(rec: FeedRecord, guards: Guards): Prepared {
  // Hot path (every line of every feed): rows are plain literals and raw is serialised once; the
  // object spreads this used before cost 19 µs per URLhaus record, now 4.6 µs (process CPU, 100k
  // records, warm host cache; docs/reputation.md "Performance notes").
  const raw = JSON.stringify(rawOf(rec));
  const evidenceAt = rec.seenAt && !Number.isNaN(rec.seenAt.getTime()) ? rec.seenAt : null;
  const category = rec.category;
  let value: string;
  try {
    switch (rec.kind) {
      case 'url':
        value = canonicalUrl(rec.value);
        break;
      case 'domain':
        value = canonicalDomain(rec.value);
        break;
      case 'ip':
        value = canonicalIp(rec.value);
        break;
      case 'cidr':
        value = canonicalCidr(rec.value);
        break;
      default:
        return { reason: `unknown indicator kind ${(rec as { kind: string }).kind}` };
    }
  } catch (err) {
    return { reason: `invalid ${rec.kind}: ${(err as Error).message}` };
  }

  if (rec.kind === 'ip' || rec.kind === 'cidr') {
    const refused = addressGuard(value);
    if (refused) return { reason: refused };
    return {
      rows: [
        {
          category,
          evidenceAt,
          raw,
          kind: rec.kind,
          value,
          expr: null,
          registrable: null,
          net: value,
          scope: 'address',
          scopeReason: rec.kind === 'ip' ? 'feed lists this address' : 'feed lists this network',
          initStatus: 'active',
          primary: true,
        },
      ],
    };
  }

  if (rec.kind === 'domain') {
    const info = domainInfo(value);
    if (info.isIp) {
      return prepareRecord({ ...rec, kind: 'ip' }, guards);
    }
    if (!info.registrable || value === info.publicSuffix)
      return { reason: `${value} is a public suffix, never listed as a whole` };
    // The name itself or its registrable domain on the list: www.google.com is refused, while
    // x.github.io (its own registrable domain under a PSL private suffix) is a customer's site.
    const top = guards.topSites.has(value)
      ? value
      : guards.topSites.has(info.registrable)
        ? info.registrable
        : undefined;
    if (top)
      return {
        reason: `${value} is on the top-sites list (${top}): a popular domain is never listed from a feed; list its URLs instead`,
      };
    const allowed = allowedHost(value, info.registrable, guards.allow);
    const scope: Scope = rec.wildcard ? 'domain' : 'host';
    return {
      rows: [
        {
          category,
          evidenceAt,
          raw,
          kind: 'domain',
          value,
          expr: value,
          registrable: info.registrable,
          net: null,
          scope,
          scopeReason: allowed
            ? `allowlisted (${allowed})`
            : scope === 'domain'
              ? 'feed lists the name and all its subdomains (wildcard)'
              : 'feed lists this exact name',
          initStatus: allowed ? 'allowlisted' : 'active',
          primary: true,
        },
      ],
    };
  }

  // URL
  const host = urlHost(value);
  const info = hostInfo(host);
  const registrable = info && !info.isIp ? (info.registrable ?? null) : null;
  const allowUrl = guards.allow.urls.get(value);
  const guard = info
    ? hostGuard(host, info, guards)
    : 'host is not a plain DNS name (escaped or unusual characters): listed at URL level only';
  const rows: StagedRow[] = [
    {
      category,
      evidenceAt,
      raw,
      kind: 'url',
      value,
      expr: urlExpr(value),
      registrable,
      net: null,
      scope: 'url',
      scopeReason: allowUrl
        ? `allowlisted (url: ${allowUrl})`
        : (guard ?? `URL listing; its host ${host} is also listed (scope host)`),
      initStatus: allowUrl ? 'allowlisted' : 'active',
      primary: true,
    },
  ];
  if (!guard && !allowUrl && registrable) {
    rows.push({
      category,
      evidenceAt,
      kind: 'domain',
      value: host,
      expr: host,
      registrable,
      net: null,
      scope: 'host',
      scopeReason: `derived from URL(s) on ${host}: a dedicated host (not shared hosting, not a top site, not allowlisted)`,
      initStatus: 'active',
      primary: false,
      // Only the URL it comes from: that URL's own observation keeps the feed's record. A full copy
      // here made the staged rows of the import benchmark 560 bytes on average instead of 440, all
      // COPY'd, parsed as jsonb and stored once more (issue #3).
      raw: `{"derived_from":${JSON.stringify(value)}}`,
    });
  }
  return { rows };
}

/**
 * Why an address or network may not be listed, or undefined. Only global unicast space is listed:
 * private, loopback, link-local, CGNAT, multicast and documentation ranges never come from a real
 * threat (a feed carrying them is broken, and listing them would break local networks); shared
 * resolvers are protected; networks wider than /8 (IPv4) or /16 (IPv6) would block whole regions.
 */
export function addressGuard(value: string): string | undefined {
  const [addr, len] = value.split('/');
  const a = ipaddr.parse(addr);
  const range = a.range();
  if (range !== 'unicast') return `${value} is in special-purpose address space (${range}), never listed`;
  if (!len && PROTECTED_ADDRESSES.has(value))
    return `${value} is a protected address (public DNS resolver), never listed from a feed`;
  if (len && Number(len) < (a.kind() === 'ipv4' ? 8 : 16))
    return `${value} is wider than /${a.kind() === 'ipv4' ? 8 : 16}: too wide to list`;
  return undefined;
}

type HostInfo = Pick<DomainInfo, 'registrable' | 'publicSuffix' | 'isPrivateSuffix' | 'isIp'>;

/**
 * Feeds repeat hosts (many URLs per host), and the PSL lookup costs about as much as the URL
 * canonicalisation itself: a bounded cache of host → facts, cleared when full.
 */
const hostInfoCache = new Map<string, HostInfo | null>();

/** PSL facts of a canonical URL host, or null when it is not a name DNS could be asked about. */
function hostInfo(host: string): HostInfo | null {
  const cached = hostInfoCache.get(host);
  if (cached !== undefined) return cached;
  let info: HostInfo | null;
  if (isIpHost(host)) info = { registrable: null, publicSuffix: null, isPrivateSuffix: false, isIp: true };
  else {
    try {
      const d = domainInfo(host);
      info = {
        registrable: d.registrable,
        publicSuffix: d.publicSuffix,
        isPrivateSuffix: d.isPrivateSuffix,
        isIp: false,
      };
    } catch {
      info = null;
    }
  }
  if (hostInfoCache.size >= 100_000) hostInfoCache.clear();
  hostInfoCache.set(host, info);
  return info;
}

function rawOf(rec: FeedRecord): Record<string, unknown> {
  const raw: Record<string, unknown> = { line: rec.line, ...rec.attributes };
  if (rec.value.length <= 2048) raw.as_listed = rec.value;
  if (rec.policy) raw.policy = rec.policy;
  if (rec.wildcard) raw.wildcard = true;
  return raw;
}
