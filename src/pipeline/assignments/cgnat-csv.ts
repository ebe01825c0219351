import { normalizeAddr, normalizePrefix, parsePortRange } from './addr.js';
import { csvRecords, type ImportInput, parseTime } from './text.js';
import { type AssignmentEvent, type AssignmentRow, sessionKey } from './types.js';

/** Builds the start/stop event of one port-block allocation or release. */
export function cgnatEvent(
  line: number,
  action: string,
  at: Date,
  internal: string,
  external: string,
  ports: [number, number],
  subscriberId: string | undefined,
): AssignmentEvent {
  const row: AssignmentRow = {
    subscriberId: subscriberId ?? '',
    prefix: normalizePrefix(external)!,
    ports,
    start: at,
    end: null,
    kind: 'cgnat',
    // The internal address keys the session: the same block re-allocated to another inside host
    // is another session.
    sessionId: `cgnat:${internal}`,
  };
  const resolve = subscriberId ? undefined : { internal, at };
  if (action === 'release') return { type: 'stop', line, key: sessionKey(row), end: at, resolve };
  return { type: 'start', line, key: sessionKey(row), row, resolve };
}

/**
 * Generic CGNAT port-block log, CSV with header `time,internal,external,ports,action[,subscriber]`:
 * ports "1024-2047", action allocate|release. Without a subscriber column the subscriber is whoever
 * held the internal address at that time (from assignments imported earlier).
 */
export async function* parseCgnatCsv(input: ImportInput): AsyncGenerator<AssignmentEvent> {
  for await (const r of csvRecords(input)) {
    if ('error' in r) {
      yield { type: 'error', line: r.no, message: r.error };
      continue;
    }
    const { rec, no } = r;
    const at = parseTime(rec.time ?? '');
    const internal = normalizeAddr(rec.internal ?? '');
    const external = normalizeAddr(rec.external ?? '');
    const ports = parsePortRange(rec.ports ?? '');
    const action = (rec.action ?? '').toLowerCase();
    const problems = [
      !at && 'time',
      !internal && 'internal',
      !external && 'external',
      !ports && 'ports',
      !['allocate', 'release'].includes(action) && 'action (allocate|release)',
    ].filter(Boolean);
    if (problems.length) {
      yield { type: 'error', line: no, message: `invalid ${problems.join(', ')}` };
      continue;
    }
    yield cgnatEvent(no, action, at!, internal!, external!, ports!, rec.subscriber || undefined);
  }
}
