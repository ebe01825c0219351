import * as attribution from '../../attribution/migrations/0310_attribution.js';
import * as attributionScale from '../../attribution/migrations/0311_attribution_scale.js';
import * as attributionResults from '../../attribution/migrations/0312_attribution_results.js';
import * as auditAtBrin from '../../audit/migrations/0002_audit_at_brin.js';
import * as cases from '../../cases/migrations/0300_cases.js';
import * as lookup from '../../lookup/migrations/0230_lookup.js';
import * as policyPages from '../../policy/migrations/0110_policy_pages.js';
import * as reports from '../../reports/migrations/0500_reports.js';
import * as reputation from '../../reputation/migrations/0100_reputation.js';
import * as reputationImport from '../../reputation/migrations/0101_import_speed.js';
import * as reputationRefs from '../../reputation/migrations/0102_observation_refs.js';
import * as sharing from '../../sharing/migrations/0400_sharing.js';
import * as warning from '../../warning/migrations/0210_warning.js';
import * as foundation from './0001_foundation.js';

export interface Migration {
  /** Sortable unique id, `NNNN_name`. Ranges by owner: 0001–0099 foundation, 0100 reputation,
   *  0200 enforcement, 0300 notification, 0400 sharing, 0500 reports/UI. */
  id: string;
  sql: string;
}

/** Every migration, in the order they are applied. Forward-only: never edit one that has shipped. */
export const MIGRATIONS: Migration[] = [
  lookup,
  warning,
  foundation,
  auditAtBrin,
  reputation,
  reputationImport,
  reputationRefs,
  policyPages,
  cases,
  attribution,
  attributionScale,
  attributionResults,
  sharing,
  reports,
].sort((a, b) => a.id.localeCompare(b.id));
