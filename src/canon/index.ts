/**
 * Canonical forms of indicators: Safe Browsing URL canonicalisation and expressions, domains as
 * A-labels with Public Suffix List facts, IP addresses and CIDRs. Pure functions, no store.
 * See docs/canonicalisation.md.
 */
export { classify, type IndicatorKind } from './classify.js';
export { canonicalDomain, type DomainInfo, domainInfo } from './domain.js';
export { urlExpressions } from './expressions.js';
export { isIpHost } from './host.js';
export { canonicalCidr, canonicalIp } from './ip.js';
export { canonicalUrl, canonicalUrlParts, type UrlParts, urlHost } from './url.js';
