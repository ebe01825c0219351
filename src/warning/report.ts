import type { AppContext } from '../app/index.js';
import type { Lang } from './i18n.js';

/** What the page hands the false-positive workflow (src/reputation `reportFalsePositive`). */
export interface FalsePositiveInput {
  /** The listed value (or the host when no listing was found). */
  value: string;
  reporter?: string;
  contact?: string;
  reason: string;
  lang: Lang;
}

export type FalsePositiveSink = (ctx: AppContext, input: FalsePositiveInput) => Promise<unknown>;

/** Field limits of the form (characters), checked before anything is stored. */
export const REPORT_LIMITS = { reason: 2000, reporter: 100, contact: 200 } as const;

export type ReportFields = { reason: string; reporter?: string; contact?: string };
export type ReportProblem =
  | 'reason-missing'
  | 'reason-too-long'
  | 'reporter-too-long'
  | 'contact-too-long'
  | 'contact-invalid';

/** Validates the submitted fields; trims, drops control characters, empty optionals become undefined. */
export function validateReport(body: Record<string, unknown>): {
  fields: ReportFields;
  problems: ReportProblem[];
} {
  // Control characters (other than tab and newlines) have no place in a free-text report.
  const clean = (v: unknown) =>
    typeof v === 'string'
      ? // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
        v.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim()
      : '';
  const reason = clean(body.reason);
  const reporter = clean(body.reporter);
  const contact = clean(body.contact);
  const problems: ReportProblem[] = [];
  if (reason.length === 0) problems.push('reason-missing');
  if (reason.length > REPORT_LIMITS.reason) problems.push('reason-too-long');
  if (reporter.length > REPORT_LIMITS.reporter) problems.push('reporter-too-long');
  if (contact.length > REPORT_LIMITS.contact) problems.push('contact-too-long');
  else if (contact && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(contact) && !/^\+?[0-9][0-9 ()-]{5,}$/.test(contact))
    problems.push('contact-invalid');
  return {
    fields: { reason, reporter: reporter || undefined, contact: contact || undefined },
    problems,
  };
}

/**
 * The reputation module's `reportFalsePositive` (fp_reports, with review and suppression): a report
 * from the page goes to the one false-positive workflow. Imported when first needed, so the page
 * keeps serving warnings even if that module fails to load; a report then fails with 503.
 */
export const reputationSink: FalsePositiveSink = async (ctx, input) => {
  const { reportFalsePositive } = await import('../reputation/index.js');
  return reportFalsePositive(ctx, input);
};
