/**
 * Reputation: what the foundation's indicators/observations need for scope guards, verdict
 * matching, false positives, allowlists and history. Forward-only.
 */
export const id = '0100_reputation';
export const sql = /* sql */ `
-- expr: the Safe Browsing expression an indicator is matched by (host/path?query for URLs, the
-- name for domains); registrable: PSL registrable domain, for allowlist and top-site guards.
ALTER TABLE indicators ADD COLUMN expr text;
ALTER TABLE indicators ADD COLUMN registrable text;
ALTER TABLE indicators ADD COLUMN delisted_at timestamptz;
ALTER TABLE indicators ADD COLUMN suppressed_until timestamptz;
CREATE INDEX indicators_expr ON indicators (expr) WHERE expr IS NOT NULL;
CREATE INDEX indicators_registrable ON indicators (registrable) WHERE registrable IS NOT NULL;
CREATE INDEX indicators_value_prefix ON indicators (value text_pattern_ops);
CREATE INDEX indicators_last_seen ON indicators (last_seen);
CREATE INDEX indicators_expiry ON indicators (expires_at) WHERE status = 'active';

-- evidence_at: the newest time the source itself says it saw the thing (feed's own timestamp);
-- a delisted indicator is re-listed during suppression only by evidence newer than the delisting.
ALTER TABLE observations ADD COLUMN evidence_at timestamptz;

CREATE TABLE allowlist (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('domain', 'registrable', 'url')),
  value       text NOT NULL,
  reason      text NOT NULL,
  added_by    text NOT NULL,
  created_at  timestamptz NOT NULL,
  removed_at  timestamptz,
  removed_by  text
);
CREATE UNIQUE INDEX allowlist_active ON allowlist (kind, value) WHERE removed_at IS NULL;

CREATE TABLE fp_reports (
  id           bigserial PRIMARY KEY,
  value        text NOT NULL,
  indicator_id bigint REFERENCES indicators (id) ON DELETE SET NULL,
  reporter     text,
  contact      text,
  reason       text NOT NULL,
  lang         text NOT NULL DEFAULT 'ja' CHECK (lang IN ('ja', 'en')),
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
  created_at   timestamptz NOT NULL,
  reviewed_at  timestamptz,
  reviewer     text,
  review_note  text
);
CREATE INDEX fp_reports_status ON fp_reports (status, created_at);

-- Every change to an indicator's lifecycle, with who and why (the change_log says what is
-- enforced; this says why it changed, for analysts and auditors).
CREATE TABLE indicator_history (
  id           bigserial PRIMARY KEY,
  indicator_id bigint NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
  at           timestamptz NOT NULL,
  actor        text NOT NULL,
  action       text NOT NULL,
  from_status  text,
  to_status    text,
  reason       text,
  details      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX indicator_history_indicator ON indicator_history (indicator_id, at);
`;
