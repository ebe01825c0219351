/**
 * Foundation schema: measures and the audit log, API tokens, and the domain tables of DESIGN §3
 * (sources, indicators, observations, change log, subscribers, consents, assignments, evidence,
 * cases, notifications). Capability modules extend these with their own later migrations.
 */
export const id = '0001_foundation';
export const sql = /* sql */ `
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE measures (
  name            text PRIMARY KEY,
  legal_basis     text NOT NULL CHECK (legal_basis IN ('consent', 'emergency-evacuation', 'legitimate-business-act')),
  purpose_en      text NOT NULL,
  purpose_ja      text NOT NULL,
  data_categories text[] NOT NULL,
  retention_days  integer NOT NULL CHECK (retention_days >= 0),
  enabled         boolean NOT NULL,
  default_consent text NOT NULL CHECK (default_consent IN ('opt-out', 'opt-in', 'not-applicable')),
  justification   jsonb NOT NULL DEFAULT '{}',
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Append-only, hash-chained: hash = sha256(prev_hash || canonical record). See src/audit.
CREATE TABLE audit_log (
  seq         bigint PRIMARY KEY,
  at          timestamptz NOT NULL,
  actor       text NOT NULL,
  measure     text,
  legal_basis text,
  action      text NOT NULL,
  subject     text,
  outcome     text NOT NULL,
  details     jsonb NOT NULL DEFAULT '{}',
  prev_hash   text NOT NULL,
  hash        text NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_subject ON audit_log (subject);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE api_tokens (
  id           text PRIMARY KEY,
  name         text NOT NULL,
  role         text NOT NULL CHECK (role IN ('admin', 'analyst', 'operator', 'auditor')),
  secret_hash  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

CREATE TABLE sources (
  id               serial PRIMARY KEY,
  name             text NOT NULL UNIQUE,
  kind             text NOT NULL DEFAULT 'feed' CHECK (kind IN ('feed', 'sensor', 'crawler', 'partner', 'analyst')),
  format           text,
  url              text,
  schedule         text,
  reliability      real NOT NULL DEFAULT 0.5 CHECK (reliability >= 0 AND reliability <= 1),
  default_ttl_days jsonb NOT NULL DEFAULT '{}',
  enabled          boolean NOT NULL DEFAULT true,
  health           jsonb NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE indicators (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('url', 'domain', 'ip', 'cidr')),
  value        text NOT NULL,
  net          cidr,
  category     text NOT NULL,
  status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'expired', 'allowlisted', 'delisted')),
  scope        text NOT NULL DEFAULT 'exact',
  scope_reason text,
  confidence   real NOT NULL DEFAULT 0 CHECK (confidence >= 0 AND confidence <= 1),
  tlp          text NOT NULL DEFAULT 'clear',
  first_seen   timestamptz NOT NULL,
  last_seen    timestamptz NOT NULL,
  expires_at   timestamptz,
  attributes   jsonb NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, value)
);
CREATE INDEX indicators_status ON indicators (status, category);
CREATE INDEX indicators_net ON indicators USING gist (net inet_ops) WHERE net IS NOT NULL;

CREATE TABLE observations (
  id           bigserial PRIMARY KEY,
  indicator_id bigint NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
  source_id    integer NOT NULL REFERENCES sources (id),
  category     text NOT NULL,
  first_seen   timestamptz NOT NULL,
  last_seen    timestamptz NOT NULL,
  times_seen   integer NOT NULL DEFAULT 1,
  raw          jsonb NOT NULL DEFAULT '{}',
  UNIQUE (indicator_id, source_id)
);
CREATE INDEX observations_source ON observations (source_id);

-- Every change to what is enforced gets a serial; RPZ, IXFR, lookup lists, TAXII and the DNS
-- server's hot swap read "changes since serial N" from here.
CREATE TABLE change_log (
  serial       bigserial PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  entity       text NOT NULL DEFAULT 'indicator',
  entity_id    text NOT NULL,
  op           text NOT NULL CHECK (op IN ('add', 'update', 'remove')),
  state        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX change_log_entity ON change_log (entity, entity_id);

CREATE TABLE subscribers (
  id         text PRIMARY KEY,
  language   text NOT NULL DEFAULT 'ja' CHECK (language IN ('ja', 'en')),
  contact    jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE consents (
  subscriber_id text NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
  measure       text NOT NULL REFERENCES measures (name),
  granted       boolean NOT NULL,
  changed_at    timestamptz NOT NULL DEFAULT now(),
  via           text NOT NULL DEFAULT 'import',
  PRIMARY KEY (subscriber_id, measure)
);

CREATE TABLE assignments (
  id            bigserial PRIMARY KEY,
  subscriber_id text NOT NULL,
  prefix        cidr NOT NULL,
  port_range    int4range,
  during        tstzrange NOT NULL,
  kind          text NOT NULL,
  source        text,
  session_id    text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assignments_prefix_during ON assignments USING gist (prefix inet_ops, during);
CREATE INDEX assignments_subscriber ON assignments (subscriber_id);

CREATE TABLE evidence (
  id                  bigserial PRIMARY KEY,
  measure             text NOT NULL REFERENCES measures (name),
  addr                inet NOT NULL,
  port                integer,
  seen_at             timestamptz NOT NULL,
  kind                text NOT NULL,
  family              text,
  source              text NOT NULL,
  raw                 jsonb NOT NULL DEFAULT '{}',
  imported_at         timestamptz NOT NULL DEFAULT now(),
  attributed_at       timestamptz,
  subscriber_id       text,
  unattributed_reason text
);
CREATE INDEX evidence_pending ON evidence (imported_at) WHERE attributed_at IS NULL;
CREATE INDEX evidence_seen ON evidence (measure, seen_at);

CREATE TABLE cases (
  id               bigserial PRIMARY KEY,
  kind             text NOT NULL CHECK (kind IN ('subscriber', 'site')),
  subscriber_id    text,
  site             text,
  measure          text NOT NULL REFERENCES measures (name),
  legal_basis      text NOT NULL,
  state            text NOT NULL DEFAULT 'open',
  stage            integer NOT NULL DEFAULT 0,
  family           text,
  opened_at        timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  last_evidence_at timestamptz,
  closed_at        timestamptz,
  close_reason     text,
  notes            jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX cases_state ON cases (state, measure);

CREATE TABLE notifications (
  id              bigserial PRIMARY KEY,
  case_id         bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  stage           integer NOT NULL,
  channel         text NOT NULL,
  idempotency_key text NOT NULL UNIQUE,
  status          text NOT NULL DEFAULT 'pending',
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz,
  last_error      text,
  payload         jsonb NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
`;
