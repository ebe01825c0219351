/**
 * The records the pipeline's parser stage hands to the reputation stage. This shape is the contract
 * between src/pipeline (collectors → parsers) and src/reputation (canonicalise, score, store): values
 * are passed on as the feed wrote them; canonicalisation happens downstream.
 */

/** RSIT-style categories an indicator can carry. */
export const CATEGORIES = [
  'malware-distribution',
  'phishing',
  'c2',
  'exploit',
  'botnet',
  'spam',
  'hijacked-netblock',
  'scanner',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export type IndicatorKind = 'url' | 'domain' | 'ip' | 'cidr';

/** What an RPZ rule asks the resolver to do, when the feed states one. */
export type PolicyHint = 'nxdomain' | 'nodata' | 'passthru' | 'drop' | 'local-data' | 'tcp-only';

export interface FeedRecord {
  /** 1-based line (or record) number in the input. */
  line: number;
  kind: IndicatorKind;
  /** As found (NOT canonicalised; the reputation stage canonicalises). */
  value: string;
  category: Category;
  /** When the source says it saw it. */
  seenAt?: Date;
  /** The listing covers subdomains (RPZ `*.name`). */
  wildcard?: boolean;
  /** RPZ action, when the feed states one. */
  policy?: PolicyHint;
  /** family/threat/tags/reference/status/asn/… (small). */
  attributes: Record<string, unknown>;
}

/** A rejected line: its number, why, and the text (truncated to ~200 chars). */
export interface LineError {
  line: number;
  reason: string;
  text: string;
}

/** Discriminate with `'reason' in item`. */
export type ParseItem = FeedRecord | LineError;

export interface Parser {
  readonly format: string;
  parse(lines: AsyncIterable<string>): AsyncIterable<ParseItem>;
}

export function isLineError(item: ParseItem): item is LineError {
  return 'reason' in item;
}
