/**
 * The reputation list (DESIGN §4 R): feed import with scope guards, scoring, expiry, false
 * positives, allowlist, the change log everything downstream reads, and verdicts.
 * See docs/reputation.md.
 */
export {
  ALLOW_KINDS,
  type AllowEntry,
  type AllowKind,
  addAllowlist,
  listAllowlist,
  removeAllowlist,
} from './allowlist.js';
export { type Change, changesSince, currentSerial } from './changelog.js';
export { check, type Match, type MatchedIndicator, type Verdict } from './check.js';
export { reputationConfigSchema } from './config.js';
export { expireIndicators } from './expiry.js';
export {
  delistIndicator,
  FP_ACK,
  type FpReport,
  type FpReportInput,
  getFpReport,
  listFpReports,
  relistIndicator,
  reportFalsePositive,
  reviewFpReport,
} from './fp.js';
export { currentGuards, type ImportOptions, importFeed, ingest, reputationIngest } from './import.js';
export { getIndicator, type IndicatorDetail, type IndicatorFilter, listIndicators } from './query.js';
export {
  createSource,
  deleteSource,
  getSource,
  listSources,
  recordSourceHealth,
  type SourceInput,
  type SourceRow,
  updateSource,
} from './sources.js';
export { DEFAULT_TOP_SITES, loadTopSites } from './top-sites.js';
export type { EnforcedState, ImportSummary, IndicatorStatus, Scope } from './types.js';
export { VerdictIndex } from './verdict-index.js';
