/**
 * The reputation pipeline's first two stages: collectors (file, HTTP) → parsers (one per native
 * format). What comes out is a stream of `ParseItem`s: `FeedRecord`s (values as the feed wrote them)
 * and `LineError`s (a rejected line with its number and reason; the rest of the feed goes on).
 * src/reputation consumes these; it canonicalises, scores and stores.
 *
 * Collectors.
 *
 * File: `collectFile(path | '-', format)` → { items, bytesRead(), totalBytes } (streams; progress).
 *
 * HTTP: `pullFeed(ctx, {name, url, format, category?}, ingest, opts?)` pulls one feed and streams the parsed
 * items into `ingest(source, items)`. Contract for the sink (src/reputation's ingest):
 *   - `source` is the `sources` row ({id, name, format, reliability}), created on first pull;
 *   - `items` is an AsyncIterable<ParseItem> read straight off the HTTP body: consume it fully
 *     (stopping early leaves the rest unread; the pull still counts as a success);
 *   - throwing fails the pull: it is retried with backoff and the ETag is NOT saved, so the same
 *     body is fetched again next time; a 304 never calls the sink.
 * It returns a PullResult (updated | not-modified | failed | backoff, bytes, records, rejected) and
 * records health in sources.health.pull (see collectors/health.ts). It never throws for feed or
 * network problems.
 *
 * `yojin serve`: `feedsService(ctx => ingest)` runs pullFeed for each `[[feeds.sources]]` on its
 * schedule (registered in src/serve/services.ts).
 */

export { type Draft, documentParser, drain, type LineUnit, lineError, lineParser } from './base.js';
export { collectFile, type FileCollection } from './collectors/file.js';
export { type PullHealth, readPullHealth } from './collectors/health.js';
export {
  backoffDelay,
  type FeedIngest,
  type FeedSpec,
  type PullOptions,
  type PullResult,
  pullFeed,
} from './collectors/http.js';
export { linesOf, readLines } from './lines.js';
export { FORMATS, getParser } from './parsers/index.js';
export { countOnly, feedsService } from './service.js';
export {
  CATEGORIES,
  type Category,
  type FeedRecord,
  type IndicatorKind,
  isLineError,
  type LineError,
  type ParseItem,
  type Parser,
  type PolicyHint,
} from './types.js';
