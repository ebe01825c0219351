import { Agent, type Dispatcher, interceptors, request } from 'undici';
import type { AppContext } from '../../app/index.js';
import { readLines } from '../lines.js';
import { getParser } from '../parsers/index.js';
import type { Category, ParseItem } from '../types.js';
import { type PullHealth, sourceFor, writePullHealth } from './health.js';

/** A feed to pull: a named source, where it is, and its format. */
export interface FeedSpec {
  name: string;
  url: string;
  format: string;
  /**
   * What the source lists, for formats that do not say (RPZ, plain lists): records the parser left
   * as `other` get this category. Categories a feed states itself are kept.
   */
  category?: Category;
}

/**
 * The sink for a pulled feed: it receives the source and the parsed items as a stream and must
 * consume it (src/reputation's `ingest`). Its resolved value is passed back in `PullResult.ingested`.
 * Throwing marks the pull failed (and the validators are not saved, so the next pull fetches again).
 */
export type FeedIngest = (
  source: { id: number; name: string; format: string; reliability: number },
  items: AsyncIterable<ParseItem>,
) => Promise<unknown>;

export interface PullOptions {
  /** Ignore the backoff window (manual "pull now"). */
  force?: boolean;
  timeoutMs?: number;
  /** Stop reading (and fail) past this many body bytes. */
  maxBytes?: number;
  userAgent?: string;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** undici dispatcher (tests, proxies). */
  dispatcher?: Dispatcher;
}

export interface PullResult {
  source: string;
  /** updated: a body was ingested; not-modified: 304; failed; backoff: skipped, still backing off. */
  result: 'updated' | 'not-modified' | 'failed' | 'backoff';
  status?: number;
  bytes: number;
  records: number;
  rejected: number;
  error?: string;
  health: PullHealth;
  ingested?: unknown;
}

const DEFAULTS = {
  timeoutMs: 60_000,
  maxBytes: 1024 * 1024 * 1024,
  userAgent: 'yojin-feed-collector/0.1',
  backoffBaseMs: 60_000,
  backoffMaxMs: 6 * 3600_000,
};

/** Delay before the next attempt after `failures` consecutive failures: base·2^(n-1), capped. */
export function backoffDelay(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
}

let redirecting: Dispatcher | undefined;
/** Feed URLs often redirect (mirrors, CDNs); follow a few, as curl -L would. */
function defaultDispatcher(): Dispatcher {
  redirecting ??= new Agent().compose(interceptors.redirect({ maxRedirections: 5 }));
  return redirecting;
}

class PullError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * Pulls one feed over HTTP(S) and streams the body through its parser into `ingest`.
 *
 * - Conditional GET: the ETag and Last-Modified of the last fully ingested pull are sent back
 *   (If-None-Match / If-Modified-Since); a 304 ingests nothing and counts as a success.
 * - Failure (network error, non-2xx, body over maxBytes, ingest throwing) increments
 *   `failures` and sets `next_attempt_at` = now + base·2^(failures-1) (capped); until then a pull
 *   returns `backoff` without touching the network, unless `force`.
 * - Health is written to `sources.health.pull` after every attempt (see PullHealth).
 * - Never throws for feed problems; the result says what happened. Store errors do propagate.
 */
export async function pullFeed(
  ctx: AppContext,
  feed: FeedSpec,
  ingest: FeedIngest,
  opts: PullOptions = {},
): Promise<PullResult> {
  const o = { ...DEFAULTS, ...stripUndefined(opts) };
  const parser = getParser(feed.format);
  const now = ctx.clock.now();
  const source = await sourceFor(ctx.store, feed, now);
  const prev = source.health;
  const counts = { bytes: 0, records: 0, rejected: 0 };

  if (!opts.force && prev.next_attempt_at && Date.parse(prev.next_attempt_at) > now.getTime()) {
    return { source: feed.name, result: 'backoff', ...counts, health: prev };
  }

  const headers: Record<string, string> = {
    'user-agent': o.userAgent,
    // gzip only: the line reader recognises gzip by its magic bytes; br/deflate it would not.
    'accept-encoding': 'gzip',
  };
  if (prev.etag) headers['if-none-match'] = prev.etag;
  if (prev.last_modified) headers['if-modified-since'] = prev.last_modified;

  let status: number | undefined;
  let etag: string | undefined;
  let lastModified: string | undefined;
  let ingested: unknown;
  let result: PullResult['result'];
  let error: string | undefined;
  try {
    const res = await request(feed.url, {
      method: 'GET',
      headers,
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
      dispatcher: opts.dispatcher ?? defaultDispatcher(),
    });
    status = res.statusCode;
    if (status === 304) {
      await res.body.dump();
      result = 'not-modified';
    } else if (status < 200 || status > 299) {
      await res.body.dump();
      throw new PullError(`HTTP ${status}`, status);
    } else {
      etag = header(res.headers.etag);
      lastModified = header(res.headers['last-modified']);
      const body = res.body;
      async function* counted(): AsyncIterable<Buffer> {
        for await (const chunk of body) {
          counts.bytes += chunk.length;
          if (counts.bytes > o.maxBytes) throw new PullError(`body larger than ${o.maxBytes} bytes`, status);
          yield chunk;
        }
      }
      async function* tally(items: AsyncIterable<ParseItem>): AsyncIterable<ParseItem> {
        for await (const item of items) {
          if ('reason' in item) counts.rejected++;
          else {
            counts.records++;
            if (feed.category && item.category === 'other') item.category = feed.category;
          }
          yield item;
        }
      }
      try {
        ingested = await ingest(
          { id: source.id, name: source.name, format: feed.format, reliability: source.reliability },
          tally(parser.parse(readLines(counted()))),
        );
      } finally {
        if (!body.destroyed) body.destroy();
      }
      result = 'updated';
    }
  } catch (err) {
    result = 'failed';
    error = (err as Error).message || String(err);
    if (err instanceof PullError && err.status !== undefined) status = err.status;
  }

  const at = now.toISOString();
  let health: PullHealth;
  if (result === 'failed') {
    const failures = (prev.failures ?? 0) + 1;
    health = {
      ...prev,
      last_attempt_at: at,
      last_result: 'failed',
      last_status: status,
      last_error: error,
      failures,
      next_attempt_at: new Date(
        now.getTime() + backoffDelay(failures, o.backoffBaseMs, o.backoffMaxMs),
      ).toISOString(),
    };
    ctx.log.warn({ source: feed.name, url: feed.url, status, error, failures }, 'feed pull failed');
  } else {
    health = {
      ...prev,
      last_attempt_at: at,
      last_success_at: at,
      last_result: result,
      last_status: status,
      last_error: null,
      failures: 0,
      next_attempt_at: null,
    };
    if (result === 'updated') {
      Object.assign(health, counts);
      // Validators are replaced together: a server that drops its ETag must not leave a stale one.
      health.etag = etag;
      health.last_modified = lastModified;
    }
    ctx.log.info({ source: feed.name, result, status, ...counts }, 'feed pulled');
  }
  await writePullHealth(ctx.store, source.id, health);
  return { source: feed.name, result, status, ...counts, error, health, ingested };
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
