import type { AppContext } from '../app/index.js';
import { appendAudit } from '../audit/index.js';
import { YojinError } from '../errors/index.js';
import { csvRecords, type ImportInput, type LineError } from '../pipeline/assignments/index.js';
import { type ConsentChange, consentMeasure, writeConsents } from './consent.js';

/** One subscriber as the ISP's customer system knows it. */
export interface SubscriberInput {
  id: string;
  email?: string;
  language?: 'ja' | 'en';
  /** Other contact fields (name, postal_address, phone). */
  contact?: Record<string, string>;
  /** Explicit consent choices per measure; absent = no choice (the measure's default applies). */
  consents?: Record<string, boolean>;
}

export interface SubscriberImportReport {
  imported: number;
  consentsChanged: number;
  errors: LineError[];
  errorCount: number;
}

const CONTACT_COLUMNS = ['email', 'name', 'postal_address', 'postal_code', 'phone'];
const ID_COLUMNS = ['id', 'subscriber', 'subscriber_id'];
const BATCH = 1000;
const YES = new Set(['yes', 'y', 'true', '1', 'granted', 'opt-in']);
const NO = new Set(['no', 'n', 'false', '0', 'denied', 'opt-out']);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Validates one record; returns the subscriber or what is wrong with it. */
export function checkSubscriber(ctx: AppContext, s: SubscriberInput): SubscriberInput | string {
  if (!s.id || typeof s.id !== 'string' || s.id.length > 200) return 'id is missing';
  if (s.language !== undefined && s.language !== 'ja' && s.language !== 'en')
    return `language must be ja or en (got "${s.language}")`;
  if (s.email !== undefined && s.email !== '' && !EMAIL.test(s.email))
    return `e-mail address is not valid ("${s.email}")`;
  for (const [m, v] of Object.entries(s.consents ?? {})) {
    if (typeof v !== 'boolean') return `consent for ${m} must be true/false`;
    try {
      consentMeasure(ctx, m);
    } catch (e) {
      return (e as Error).message;
    }
  }
  return s;
}

/** Parses the customer-system CSV: `id,email,language[,name,postal_address,phone][,consent:MEASURE…]`. */
export async function* subscribersFromCsv(
  ctx: AppContext,
  input: ImportInput,
): AsyncGenerator<{ line: number; sub: SubscriberInput } | { line: number; error: string }> {
  let checkedHeader = false;
  for await (const r of csvRecords(input)) {
    if ('error' in r) {
      yield { line: r.no, error: r.error };
      continue;
    }
    if (!checkedHeader) {
      checkedHeader = true;
      const unknown = r.header.filter(
        (h) =>
          !ID_COLUMNS.includes(h) &&
          !CONTACT_COLUMNS.includes(h) &&
          h !== 'language' &&
          !h.startsWith('consent:'),
      );
      if (unknown.length || !r.header.some((h) => ID_COLUMNS.includes(h)))
        throw new YojinError(
          'SUBSCRIBER_IMPORT_INVALID',
          `the header needs an id column and may have ${CONTACT_COLUMNS.join(', ')}, language and consent:MEASURE columns${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`,
        );
      for (const h of r.header.filter((x) => x.startsWith('consent:'))) consentMeasure(ctx, h.slice(8));
    }
    const rec = r.rec;
    const sub: SubscriberInput = {
      id: rec.id ?? rec.subscriber ?? rec.subscriber_id,
      email: rec.email || undefined,
      language: (rec.language || undefined) as SubscriberInput['language'],
      contact: {},
      consents: {},
    };
    let bad: string | undefined;
    for (const [k, v] of Object.entries(rec)) {
      if (CONTACT_COLUMNS.includes(k) && k !== 'email' && v) sub.contact![k] = v;
      if (k.startsWith('consent:') && v !== '') {
        const val = v.toLowerCase();
        if (YES.has(val)) sub.consents![k.slice(8)] = true;
        else if (NO.has(val)) sub.consents![k.slice(8)] = false;
        else bad = `${k} must be yes, no or blank (got "${v}")`;
      }
    }
    const checked = bad ?? checkSubscriber(ctx, sub);
    if (typeof checked === 'string') yield { line: r.no, error: checked };
    else yield { line: r.no, sub: checked };
  }
}

/**
 * Imports subscribers (insert or update by id) and their explicit consent choices, in batches of
 * set-based statements. Consent changes are change-logged for the DNS resolver. Lines that cannot
 * be used are reported with their number; the rest is imported.
 */
export async function importSubscribers(
  ctx: AppContext,
  records:
    | AsyncIterable<{ line: number; sub: SubscriberInput } | { line: number; error: string }>
    | Iterable<{ line: number; sub: SubscriberInput } | { line: number; error: string }>,
  opts: { actor?: string; via?: string } = {},
): Promise<SubscriberImportReport> {
  const report: SubscriberImportReport = { imported: 0, consentsChanged: 0, errors: [], errorCount: 0 };
  let batch: SubscriberInput[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const subs = dedupe(batch);
    batch = [];
    const now = ctx.clock.now();
    await ctx.store.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO subscribers (id, language, contact, created_at, updated_at)
         SELECT id, coalesce(lang, 'ja'), contact, $4, $4
           FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS i(id, lang, contact)
         ON CONFLICT (id) DO UPDATE
           SET language = coalesce(EXCLUDED.language, subscribers.language), contact = EXCLUDED.contact, updated_at = $4`,
        [
          subs.map((s) => s.id),
          subs.map((s) => s.language ?? null),
          subs.map((s) => JSON.stringify({ ...(s.email ? { email: s.email } : {}), ...(s.contact ?? {}) })),
          now,
        ],
      );
      const changes: ConsentChange[] = subs.flatMap((s) =>
        Object.entries(s.consents ?? {}).map(([measure, granted]) => ({
          subscriberId: s.id,
          measure,
          granted,
        })),
      );
      const changed = await writeConsents(tx, changes, opts.via ?? 'import', now);
      report.imported += subs.length;
      report.consentsChanged += changed.length;
    });
  };
  for await (const r of records) {
    if ('error' in r) {
      report.errorCount++;
      if (report.errors.length < 1000) report.errors.push({ line: r.line, message: r.error });
      continue;
    }
    batch.push(r.sub);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  await appendAudit(
    ctx.store,
    {
      actor: opts.actor ?? 'cli',
      action: 'subscribers.import',
      outcome: 'done',
      details: {
        imported: report.imported,
        consents_changed: report.consentsChanged,
        errors: report.errorCount,
      },
    },
    ctx.clock,
  );
  return report;
}

/** The same id twice in one batch would make ON CONFLICT fail; the later line wins. */
function dedupe(subs: SubscriberInput[]): SubscriberInput[] {
  const m = new Map<string, SubscriberInput>();
  for (const s of subs) m.set(s.id, s);
  return [...m.values()];
}
