import type { Category, IndicatorKind } from '../pipeline/index.js';

export type { Category, IndicatorKind };

/** How far a listing reaches: one URL, one hostname, a name and its subdomains, an address/net. */
export type Scope = 'url' | 'host' | 'domain' | 'address';
export const SCOPES: readonly Scope[] = ['url', 'host', 'domain', 'address'];

export type IndicatorStatus = 'active' | 'expired' | 'allowlisted' | 'delisted';
export const STATUSES: readonly IndicatorStatus[] = ['active', 'expired', 'allowlisted', 'delisted'];

/** Result of one import: per input record (a derived host listing is not counted separately). */
export interface ImportSummary {
  source: string;
  format: string;
  /** Records and line errors the parser produced. */
  read: number;
  /** Records whose indicator did not exist before. */
  new: number;
  /** Records that changed something beyond last-seen / times-seen (new source, status, category, scope). */
  updated: number;
  /** Records that only refreshed last-seen / times-seen. */
  unchanged: number;
  /** Rejected lines (parser errors and canonicalisation / guard refusals), the first 1000. */
  rejected: Array<{ line: number; reason: string }>;
  rejectedCount: number;
  /** Host listings derived from URL records (new or refreshed). */
  derivedHosts: number;
  durationMs: number;
}

/** The enforced fields of an indicator: what change_log rows carry as `state`. */
export interface EnforcedState {
  kind: IndicatorKind;
  value: string;
  category: string;
  scope: Scope;
  status: IndicatorStatus;
  confidence: number;
  expires_at: string | null;
}
