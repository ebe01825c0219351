import { normalizePrefix, parsePortRange } from './addr.js';
import { csvRecords, type ImportInput, parseTime } from './text.js';
import type { AssignmentEvent } from './types.js';

/**
 * Static subscriber ↔ prefix table, CSV with header `subscriber,prefix[,ports][,valid_from][,valid_until]`.
 * Without valid_from the assignment holds since ever; without valid_until it stays open.
 */
export async function* parseStaticCsv(input: ImportInput): AsyncGenerator<AssignmentEvent> {
  for await (const r of csvRecords(input)) {
    if ('error' in r) {
      yield { type: 'error', line: r.no, message: r.error };
      continue;
    }
    const { rec, no } = r;
    const prefix = normalizePrefix(rec.prefix ?? '');
    const ports = rec.ports ? parsePortRange(rec.ports) : undefined;
    const from = rec.valid_from ? parseTime(rec.valid_from) : undefined;
    const until = rec.valid_until ? parseTime(rec.valid_until) : undefined;
    if (!rec.subscriber || !prefix || ports === null || from === null || until === null) {
      yield {
        type: 'error',
        line: no,
        message: 'needs subscriber and a valid prefix (ports lo-hi, times ISO 8601)',
      };
      continue;
    }
    yield {
      type: 'row',
      line: no,
      row: {
        subscriberId: rec.subscriber,
        prefix,
        ports: ports ?? undefined,
        start: from ?? null,
        end: until ?? null,
        kind: 'static',
      },
    };
  }
}
