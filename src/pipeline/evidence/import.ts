import type { AppContext } from '../../app/index.js';
import type { ImportInput } from '../assignments/text.js';
import type { LineError } from '../assignments/types.js';
import { checkImportFormat } from '../import-format.js';
import { parseEvidenceCsv, parseEvidenceJson } from './generic.js';
import { parseShadowserverOpenResolver, parseShadowserverSinkhole } from './shadowserver.js';
import { parseStixSightings } from './stix.js';
import type { EvidenceEvent } from './types.js';

export const EVIDENCE_FORMATS = [
  'shadowserver-sinkhole',
  'shadowserver-open-resolver',
  'evidence-csv',
  'evidence-json',
  'stix-sighting',
] as const;
export type EvidenceFormat = (typeof EVIDENCE_FORMATS)[number];

/** The measure evidence of each format serves unless --measure says otherwise. */
export const DEFAULT_MEASURE: Record<EvidenceFormat, string> = {
  'shadowserver-sinkhole': 'notify-infected',
  'shadowserver-open-resolver': 'notify-vulnerable',
  'evidence-csv': 'notify-infected',
  'evidence-json': 'notify-infected',
  'stix-sighting': 'notify-infected',
};

export interface EvidenceImportOptions {
  format: string;
  measure?: string;
  /** Default `source` for formats whose records do not name one. */
  source?: string;
  actor?: string;
}

export interface EvidenceImportReport {
  format: EvidenceFormat;
  measure: string;
  imported: number;
  errors: LineError[];
  errorCount: number;
}

const MAX_ERRORS = 1000;

export function checkEvidenceFormat(format: string): EvidenceFormat {
  return checkImportFormat(EVIDENCE_FORMATS, format, 'EVIDENCE_FORMAT_UNKNOWN', 'evidence');
}

/**
 * Imports evidence for one measure. Evidence is protected data, so the measure's gate is asked
 * first (audited): a measure that is disabled or may not touch evidence cannot collect it. Rows are
 * streamed into `evidence` with COPY; unusable lines are reported with their numbers.
 */
export async function importEvidence(
  ctx: AppContext,
  input: ImportInput,
  opts: EvidenceImportOptions,
): Promise<EvidenceImportReport> {
  const format = checkEvidenceFormat(opts.format);
  const measure = opts.measure ?? DEFAULT_MEASURE[format];
  await ctx.gate.authorize({
    measure,
    data: ['evidence'],
    actor: opts.actor ?? 'cli',
    action: 'evidence.import',
    subject: `evidence-import:${format}`,
    details: { format, source: opts.source },
  });
  const source =
    opts.source ??
    (format.startsWith('shadowserver') ? 'shadowserver' : format === 'stix-sighting' ? 'stix' : 'import');
  const events: AsyncIterable<EvidenceEvent> =
    format === 'shadowserver-sinkhole'
      ? parseShadowserverSinkhole(input)
      : format === 'shadowserver-open-resolver'
        ? parseShadowserverOpenResolver(input)
        : format === 'evidence-csv'
          ? parseEvidenceCsv(input, source)
          : format === 'evidence-json'
            ? parseEvidenceJson(input, source)
            : parseStixSightings(input, source);
  const report: EvidenceImportReport = { format, measure, imported: 0, errors: [], errorCount: 0 };
  const now = ctx.clock.now();
  async function* rows(): AsyncGenerator<unknown[]> {
    for await (const ev of events) {
      if (ev.type === 'error') {
        report.errorCount++;
        if (report.errors.length < MAX_ERRORS) report.errors.push({ line: ev.line, message: ev.message });
        continue;
      }
      const r = ev.row;
      yield [measure, r.addr, r.port, r.seenAt, r.kind, r.family, r.source, r.raw, now];
    }
  }
  report.imported = await ctx.store.copyFrom(
    'evidence',
    ['measure', 'addr', 'port', 'seen_at', 'kind', 'family', 'source', 'raw', 'imported_at'],
    rows(),
  );
  ctx.log.info(
    { format, measure, imported: report.imported, errors: report.errorCount },
    'evidence imported',
  );
  return report;
}
