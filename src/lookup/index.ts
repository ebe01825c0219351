/**
 * The privacy-preserving lookup API in the Safe Browsing style: a versioned list of 4-byte SHA-256
 * prefixes of listed expressions with diff updates, a full-hash endpoint, and a client that checks
 * URLs locally so the URL never leaves it. See docs/lookup-api.md.
 */
export { LookupClient, type LookupClientOptions, type LookupVerdict } from './client.js';
export { lookupConfigSchema } from './config.js';
export { expressionHost, fullHash, indicatorExpression, prefixToBase64 } from './hash.js';
export {
  type FullHashMatch,
  fullHashesFor,
  type ListAnswer,
  listSince,
  type SyncReport,
  syncLookupList,
} from './list.js';
export { lookupRoutes } from './routes.js';
