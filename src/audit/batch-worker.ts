// Worker thread of appendAuditBatch: hashes and CSV-encodes a large batch of audit records and posts
// the chunks as they are ready, so that the caller's thread only COPYs them. Started ahead of time,
// it waits for its one batch: the chain's head, then the events in slices (it starts on the first
// while the rest are still being copied over), then null. Imports stay minimal (no store backends).
import { on } from 'node:events';
import { parentPort } from 'node:worker_threads';
import { csvChunks } from '../store/csv.js';
import { type ChainHead, chainedRows } from './chain.js';
import type { AuditEvent } from './log.js';

type Message = { head: ChainHead } | { events: AuditEvent[] } | null;

async function* rows(): AsyncGenerator<unknown[]> {
  if (!parentPort) return;
  let head: ChainHead | undefined;
  for await (const [m] of on(parentPort, 'message') as AsyncIterable<[Message]>) {
    if (m === null) return;
    if ('head' in m) head = m.head;
    else if (head) yield* chainedRows(m.events, head);
    else throw new Error('audit worker: events before the chain head');
  }
}

for await (const chunk of csvChunks(rows())) parentPort?.postMessage(chunk);
// The end marker: the main thread tells a finished worker from one that died half-way.
parentPort?.postMessage(null);
