import type { Config } from '../config/index.js';
import { YojinError } from '../errors/index.js';
import type { Queryable } from '../store/index.js';
import { DEFAULT_MEASURES } from './defaults.js';
import { type Measure, REQUIRED_JUSTIFICATION } from './types.js';

/**
 * The measures in force: the built-ins merged with `[measures.*]` from the config. Validated at start:
 * a measure whose legal basis lacks one of its stated elements is refused with the key to fill in.
 */
export class MeasureRegistry {
  private readonly byName: Map<string, Measure>;

  constructor(measures: Measure[]) {
    this.byName = new Map(measures.map((m) => [m.name, m]));
  }

  static fromConfig(config: Pick<Config, 'measures'>): MeasureRegistry {
    const merged = new Map(DEFAULT_MEASURES.map((m) => [m.name, structuredClone(m)]));
    for (const [name, o] of Object.entries(config.measures)) {
      const base = merged.get(name);
      if (
        !base &&
        (!o.legal_basis || !o.purpose_en || !o.purpose_ja || !o.data || o.retention_days === undefined)
      ) {
        throw new YojinError(
          'CONFIG_INVALID_VALUE',
          `measures.${name} is not a built-in measure; a new one needs legal_basis, purpose_en, purpose_ja, data and retention_days`,
        );
      }
      const m: Measure = base ?? {
        name,
        legalBasis: o.legal_basis!,
        purpose: { en: o.purpose_en!, ja: o.purpose_ja! },
        data: o.data!,
        retentionDays: o.retention_days!,
        enabled: true,
        defaultConsent: 'not-applicable',
        justification: {},
      };
      if (o.legal_basis) m.legalBasis = o.legal_basis;
      if (o.purpose_en) m.purpose.en = o.purpose_en;
      if (o.purpose_ja) m.purpose.ja = o.purpose_ja;
      if (o.data) m.data = o.data;
      if (o.retention_days !== undefined) m.retentionDays = o.retention_days;
      if (o.enabled !== undefined) m.enabled = o.enabled;
      if (o.default_consent) m.defaultConsent = o.default_consent;
      if (o.justification) m.justification = { ...m.justification, ...o.justification };
      if (m.legalBasis === 'consent' && m.defaultConsent === 'not-applicable') m.defaultConsent = 'opt-in';
      if (m.legalBasis !== 'consent') m.defaultConsent = 'not-applicable';
      merged.set(name, m);
    }
    for (const m of merged.values()) {
      const missing = REQUIRED_JUSTIFICATION[m.legalBasis].filter((k) => !m.justification[k]);
      if (missing.length > 0 && m.enabled) {
        throw new YojinError(
          'CONFIG_INVALID_VALUE',
          `measures.${m.name} rests on ${m.legalBasis} but does not state ${missing.map((k) => `justification.${k}`).join(', ')}`,
          {
            problems: missing.map((k) => ({
              key: `measures.${m.name}.justification.${k}`,
              problem: 'is required',
            })),
          },
        );
      }
    }
    return new MeasureRegistry([...merged.values()]);
  }

  get(name: string): Measure {
    const m = this.byName.get(name);
    if (!m)
      throw new YojinError(
        'MEASURE_UNKNOWN',
        `unknown measure "${name}"; known: ${[...this.byName.keys()].join(', ')}`,
      );
    return m;
  }

  has(name: string) {
    return this.byName.has(name);
  }

  all(): Measure[] {
    return [...this.byName.values()];
  }

  /** Writes the registry into the `measures` table (so SQL, reports and other processes see it). */
  async sync(db: Queryable): Promise<void> {
    for (const m of this.byName.values()) {
      await db.query(
        `INSERT INTO measures (name, legal_basis, purpose_en, purpose_ja, data_categories, retention_days, enabled, default_consent, justification, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9, now())
         ON CONFLICT (name) DO UPDATE SET legal_basis = EXCLUDED.legal_basis, purpose_en = EXCLUDED.purpose_en,
           purpose_ja = EXCLUDED.purpose_ja, data_categories = EXCLUDED.data_categories, retention_days = EXCLUDED.retention_days,
           enabled = EXCLUDED.enabled, default_consent = EXCLUDED.default_consent, justification = EXCLUDED.justification,
           updated_at = now()
         WHERE (measures.legal_basis, measures.purpose_en, measures.purpose_ja, measures.data_categories, measures.retention_days,
                measures.enabled, measures.default_consent, measures.justification)
           IS DISTINCT FROM (EXCLUDED.legal_basis, EXCLUDED.purpose_en, EXCLUDED.purpose_ja, EXCLUDED.data_categories,
                EXCLUDED.retention_days, EXCLUDED.enabled, EXCLUDED.default_consent, EXCLUDED.justification)`,
        [
          m.name,
          m.legalBasis,
          m.purpose.en,
          m.purpose.ja,
          m.data,
          m.retentionDays,
          m.enabled,
          m.defaultConsent,
          m.justification,
        ],
      );
    }
  }
}
