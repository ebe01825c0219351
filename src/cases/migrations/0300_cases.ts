/**
 * Cases, staged notices and the outbox (issue 5): the foundation's cases/notifications tables get the
 * columns the escalation schedule and the crash-safe sender need; evidence is linked to cases
 * (deduplicated per address/family/day); walled-garden policies and site-owner contacts get tables.
 */
export const id = '0300_cases';
export const sql = /* sql */ `
ALTER TABLE cases ADD COLUMN next_action_at timestamptz;
ALTER TABLE cases ADD COLUMN stage_at timestamptz;
ALTER TABLE cases ADD COLUMN fixed_at timestamptz;
ALTER TABLE cases ADD COLUMN contact jsonb NOT NULL DEFAULT '{}';
-- One active case per subscriber and measure (resolved/closed cases do not count: new evidence opens a new one).
CREATE UNIQUE INDEX cases_active_subscriber ON cases (subscriber_id, measure)
  WHERE kind = 'subscriber' AND state IN ('open', 'watching', 'held');
CREATE UNIQUE INDEX cases_active_site ON cases (site, measure)
  WHERE kind = 'site' AND state IN ('open', 'watching', 'held');
CREATE INDEX cases_due ON cases (next_action_at) WHERE state IN ('open', 'watching');

-- Evidence that led to a case. duplicate = same address, family and day as an earlier row of the case
-- (kept for the timeline, not counted).
CREATE TABLE case_evidence (
  evidence_id bigint PRIMARY KEY REFERENCES evidence (id) ON DELETE CASCADE,
  case_id     bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  day         date NOT NULL,
  duplicate   boolean NOT NULL DEFAULT false
);
CREATE INDEX case_evidence_case ON case_evidence (case_id);

ALTER TABLE notifications ADD COLUMN message_id text;
ALTER TABLE notifications ADD COLUMN bounced_at timestamptz;
ALTER TABLE notifications ADD COLUMN bounce_reason text;
CREATE INDEX notifications_case ON notifications (case_id);
CREATE INDEX notifications_message_id ON notifications (message_id);

-- A DNS policy for one subscriber alone (final escalation step). The DNS engine reads it through
-- change_log entity 'walled-garden' (see docs/cases.md).
CREATE TABLE walled_garden (
  case_id       bigint PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
  subscriber_id text NOT NULL,
  measure       text NOT NULL,
  redirect_to   text NOT NULL,
  since         timestamptz NOT NULL,
  until         timestamptz,
  active        boolean NOT NULL DEFAULT true
);
CREATE INDEX walled_garden_subscriber ON walled_garden (subscriber_id) WHERE active;

-- Compromised-site owner reports: the contact found and how, and the re-check state.
CREATE TABLE site_reports (
  case_id        bigint PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
  host           text NOT NULL,
  indicator_ids  bigint[] NOT NULL,
  contact        text,
  contact_source text,
  languages      text[] NOT NULL DEFAULT '{}',
  lookup_error   text,
  last_check_at  timestamptz,
  last_check     jsonb NOT NULL DEFAULT '{}'
);

-- Secrets yojin generates for itself (self-service link key) when the config gives none.
CREATE TABLE notify_secrets (
  name       text PRIMARY KEY,
  value      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
`;
