import { on } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Clock } from '../clock/index.js';
import type { CsvChunk, Queryable } from '../store/index.js';
import { type ChainHead, chainedRows } from './chain.js';
import { AUDIT_COLUMNS, AUDIT_LOCK, type AuditEvent, GENESIS_HASH } from './log.js';

/**
 * From this many records on, a batch is hashed and encoded in a worker thread while this thread
 * COPYs the chunks already done (below it, starting a thread costs more than it saves). In
 * attribution's 1M-evidence benchmark (358k records) the worker's 2.6 s of hashing and encoding
 * overlap the 3.8 s of COPY on the embedded store, where both used to run in the store's thread.
 */
export const AUDIT_WORKER_MIN = 20_000;

/** A worker started ahead of its batch (startAuditWorker), so that its start-up overlaps other work. */
export interface AuditWorker {
  /** Stops the worker; a no-op once its batch is appended. Call it when the batch never came. */
  close(): Promise<void>;
}

/**
 * Appends many audit records in one go, chained exactly as appendAudit chains one: the lock, one
 * read of the head, hashes computed here, one bulk insert. Attribution writes one record per
 * attributed subscriber; doing that one appendAudit at a time (three round trips each) dominated a
 * 100k-evidence run, this takes one COPY. Must run inside the caller's transaction. A large batch
 * (AUDIT_WORKER_MIN), or any batch given a `worker`, is hashed and encoded in a worker thread.
 */
export async function appendAuditBatch(
  tx: Queryable,
  events: AuditEvent[],
  clock: Clock,
  opts: { worker?: AuditWorker } = {},
): Promise<number> {
  if (events.length === 0) return 0;
  await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
  const last = await tx.query<{ seq: number | string; hash: string }>(
    'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
  );
  const head: ChainHead = {
    seq: last.rows[0] ? Number(last.rows[0].seq) : 0,
    prevHash: last.rows[0]?.hash ?? GENESIS_HASH,
    at: clock.now().getTime(),
  };
  const worker = opts.worker ?? (events.length >= AUDIT_WORKER_MIN ? startAuditWorker() : undefined);
  if (!worker) return tx.copyFrom('audit_log', AUDIT_COLUMNS, chainedRows(events, head));
  return tx.copyFrom('audit_log', AUDIT_COLUMNS, {
    encoded: encodedBy(worker as ThreadWorker, events, head),
  });
}

// The worker is this module's sibling: .js when built; .ts when run from source (tests, benchmarks),
// where tsx must be registered in the worker first (Node 20 does not carry the main thread's
// loader hooks into workers).
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(`./batch-worker.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url);

const SLICE = 5000;

interface ThreadWorker extends AuditWorker {
  thread: Worker;
  /** Set when the thread has ended; checked before its batch is sent (a failed or closed start). */
  gone?: Error;
}

/** Starts a worker for a large batch to come. It does not keep the process alive while it waits. */
export function startAuditWorker(): AuditWorker {
  const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  const thread = FROM_SOURCE ? new Worker(boot, { eval: true }) : new Worker(WORKER_URL);
  thread.unref();
  const w: ThreadWorker = { thread, close: async () => void (await thread.terminate()) };
  // A failure before the batch is posted is kept and surfaces when the batch is appended.
  thread.on('error', (err) => {
    w.gone ??= err;
  });
  thread.on('exit', (code) => {
    w.gone ??= new Error(`the audit worker exited (code ${code})`);
  });
  return w;
}

async function* encodedBy(w: ThreadWorker, events: AuditEvent[], head: ChainHead): AsyncGenerator<CsvChunk> {
  // Checked and listened to in one synchronous step: a thread that ends later is seen by the loop.
  if (w.gone) throw w.gone;
  w.thread.ref();
  // Listening first: messages are buffered while this thread is busy loading the previous chunk,
  // and an 'error' event (the worker threw) ends the loop with that error.
  const messages = on(w.thread, 'message', { close: ['exit'] }) as AsyncIterable<[CsvChunk | null]>;
  try {
    // In slices: the worker starts hashing the first while the rest are still being copied to it
    // (copying 358k events at once kept it waiting ~1 s).
    w.thread.postMessage({ head });
    for (let i = 0; i < events.length; i += SLICE)
      w.thread.postMessage({ events: events.slice(i, i + SLICE) });
    w.thread.postMessage(null);
    for await (const [chunk] of messages) {
      if (chunk === null) return;
      yield chunk;
    }
    throw new Error('the audit worker stopped before encoding the whole batch');
  } finally {
    await w.close();
  }
}
