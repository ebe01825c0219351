import { appendAudit } from '../audit/index.js';
import { type Clock, systemClock } from '../clock/index.js';
import { YojinError } from '../errors/index.js';
import type { Queryable, Store } from '../store/index.js';
import type { MeasureRegistry } from './registry.js';
import type { DataCategory, Measure } from './types.js';

export interface AccessRequest {
  /** The measure on whose behalf data is touched. */
  measure: string;
  /** The kinds of protected data touched. */
  data: DataCategory[];
  /** Who asks: a user/token name or a component. */
  actor: string;
  /** What is done, for the audit log (`attribution.lookup`, `subscriber.view`, …). */
  action: string;
  /** The subscriber whose data is touched, if any (consent is checked for consent-based measures). */
  subscriberId?: string;
  /** Other subject, e.g. `evidence:42` or `site:example.com`, when no subscriber is involved. */
  subject?: string;
  details?: Record<string, unknown>;
}

export interface Grant {
  measure: Measure;
  auditSeq: number;
}

type Decision =
  | { ok: true; measure: Measure }
  | { ok: false; code: YojinError['code']; reason: string; measure?: Measure };

/**
 * The one door to protected data: "may measure M touch this data (of this subscriber)?". Every
 * answer, yes or no, is written to the audit log with the measure and its legal basis. Callers pass
 * their transaction so the audit record commits or rolls back with the access it describes.
 */
export class MeasureGate {
  constructor(
    private readonly store: Store,
    private readonly registry: MeasureRegistry,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Allows (returns a grant) or refuses (throws a 403 YojinError); audited either way. */
  async authorize(req: AccessRequest, tx?: Queryable): Promise<Grant> {
    const decision = await this.decide(req, tx ?? this.store);
    const rec = await appendAudit(
      tx ?? this.store,
      {
        actor: req.actor,
        action: req.action,
        outcome: decision.ok ? 'allowed' : 'denied',
        measure: req.measure,
        legalBasis: decision.measure?.legalBasis,
        subject: req.subscriberId ? `subscriber:${req.subscriberId}` : req.subject,
        details: { data: req.data, ...(decision.ok ? {} : { reason: decision.reason }), ...req.details },
      },
      this.clock,
    );
    if (!decision.ok)
      throw new YojinError(decision.code, decision.reason, { measure: req.measure, auditSeq: rec.seq });
    return { measure: decision.measure, auditSeq: rec.seq };
  }

  /** Like authorize, but answers false instead of throwing (still audited). */
  async permits(req: AccessRequest, tx?: Queryable): Promise<boolean> {
    try {
      await this.authorize(req, tx);
      return true;
    } catch (err) {
      if (err instanceof YojinError && err.status === 403) return false;
      throw err;
    }
  }

  private async decide(req: AccessRequest, db: Queryable): Promise<Decision> {
    if (!this.registry.has(req.measure)) {
      return { ok: false, code: 'MEASURE_UNKNOWN', reason: `unknown measure "${req.measure}"` };
    }
    const measure = this.registry.get(req.measure);
    if (!measure.enabled) {
      return { ok: false, code: 'MEASURE_DISABLED', reason: `measure ${measure.name} is disabled`, measure };
    }
    const outside = req.data.filter((d) => !measure.data.includes(d));
    if (outside.length > 0) {
      return {
        ok: false,
        code: 'MEASURE_DATA_NOT_PERMITTED',
        reason: `measure ${measure.name} may not touch ${outside.join(', ')} (it may touch ${measure.data.join(', ') || 'nothing'})`,
        measure,
      };
    }
    if (measure.legalBasis === 'consent' && req.subscriberId !== undefined) {
      const consented = await hasConsent(db, measure, req.subscriberId);
      if (!consented) {
        return {
          ok: false,
          code: 'MEASURE_NO_CONSENT',
          reason: `subscriber ${req.subscriberId} has not consented to ${measure.name}`,
          measure,
        };
      }
    }
    return { ok: true, measure };
  }
}

/** Consent as the ACTIVE contract model has it: an explicit choice wins; otherwise the measure's default. */
export async function hasConsent(db: Queryable, measure: Measure, subscriberId: string): Promise<boolean> {
  const r = await db.query<{ granted: boolean }>(
    'SELECT granted FROM consents WHERE subscriber_id = $1 AND measure = $2',
    [subscriberId, measure.name],
  );
  if (r.rows.length > 0) return r.rows[0].granted;
  return measure.defaultConsent === 'opt-out';
}
