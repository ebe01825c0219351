/**
 * The warning page (issue 4, "Warning page"): what a consenting subscriber sees when the policy DNS
 * resolver answers a listed name with this listener's address. See docs/warning-page.md.
 *
 * For the DNS resolver: `bypasses.isBypassed(clientAddr, qname)` is true for a few minutes after
 * the client chose "continue anyway" for that host; answer it normally then. A resolver running in
 * another process than the warning page keeps the table current with `startBypassSync(store, …)`.
 */
export {
  BypassTable,
  bypasses,
  clientKey,
  purgeExpiredBypasses,
  recordBypass,
  startBypassSync,
} from './bypass.js';
export { describeCategory } from './categories.js';
export { warningConfigSchema } from './config.js';
export { type Lang, negotiateLang } from './i18n.js';
export { findListing, type Listing } from './lookup.js';
export type { FalsePositiveInput, FalsePositiveSink } from './report.js';
export { buildWarningServer, PATHS, type WarningServerOptions } from './server.js';
export { warningService } from './service.js';
export { Signer } from './signing.js';
