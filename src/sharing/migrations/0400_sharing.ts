/**
 * Sharing hub: member organisations and their credentials, TAXII collections with per-organisation
 * rights and a maximum TLP, the versioned object store, POST status resources, partners we poll or push to,
 * and the similar-case index (MinHash band buckets over shared reports).
 */
export const id = '0400_sharing';
export const sql = /* sql */ `
CREATE TABLE sharing_orgs (
  id          serial PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  identity_id text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sharing_credentials (
  username    text PRIMARY KEY,
  org_id      integer NOT NULL REFERENCES sharing_orgs (id) ON DELETE CASCADE,
  secret_hash text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

CREATE TABLE taxii_collections (
  id          text PRIMARY KEY,
  alias       text UNIQUE,
  title       text NOT NULL,
  description text NOT NULL DEFAULT '',
  max_tlp     text NOT NULL DEFAULT 'green' CHECK (max_tlp IN ('clear', 'green', 'amber', 'amber+strict')),
  -- 'indicators': yojin publishes its own active indicators here; 'exchange': members post objects
  content     text NOT NULL DEFAULT 'exchange' CHECK (content IN ('indicators', 'exchange')),
  published_serial bigint NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE taxii_rights (
  collection_id text NOT NULL REFERENCES taxii_collections (id) ON DELETE CASCADE,
  org_id        integer NOT NULL REFERENCES sharing_orgs (id) ON DELETE CASCADE,
  can_read      boolean NOT NULL DEFAULT false,
  can_write     boolean NOT NULL DEFAULT false,
  PRIMARY KEY (collection_id, org_id)
);

-- One row per object version. date_added orders the collection (TAXII added_after / pagination).
CREATE TABLE taxii_objects (
  seq           bigserial PRIMARY KEY,
  collection_id text NOT NULL REFERENCES taxii_collections (id) ON DELETE CASCADE,
  id            text NOT NULL,
  type          text NOT NULL,
  version       text NOT NULL,
  spec_version  text NOT NULL DEFAULT '2.1',
  date_added    timestamptz NOT NULL,
  tlp           text NOT NULL,
  -- true on the newest version of each object: the default match[version]=last is then an index scan
  latest        boolean NOT NULL DEFAULT true,
  object        jsonb NOT NULL,
  UNIQUE (collection_id, id, version)
);
CREATE INDEX taxii_objects_added ON taxii_objects (collection_id, date_added, seq);
CREATE INDEX taxii_objects_latest ON taxii_objects (collection_id, seq) WHERE latest;
CREATE INDEX taxii_objects_id ON taxii_objects (collection_id, id);

CREATE TABLE taxii_status (
  id            text PRIMARY KEY,
  collection_id text NOT NULL,
  org_id        integer,
  status        text NOT NULL,
  request_timestamp timestamptz NOT NULL,
  total_count   integer NOT NULL,
  success_count integer NOT NULL DEFAULT 0,
  failure_count integer NOT NULL DEFAULT 0,
  pending_count integer NOT NULL DEFAULT 0,
  successes     jsonb NOT NULL DEFAULT '[]',
  failures      jsonb NOT NULL DEFAULT '[]',
  pendings      jsonb NOT NULL DEFAULT '[]'
);

-- Partners whose TAXII collections we poll (and push to).
CREATE TABLE sharing_partners (
  name          text PRIMARY KEY,
  api_root      text NOT NULL,
  collection_id text NOT NULL,
  direction     text NOT NULL DEFAULT 'pull' CHECK (direction IN ('pull', 'push', 'both')),
  username      text,
  password      text,
  reliability   real NOT NULL DEFAULT 0.5,
  local_collection text,
  bookmark      text,
  pushed_serial bigint NOT NULL DEFAULT 0,
  last_sync_at  timestamptz,
  last_error    text
);

-- Secrets of the sharing hub (the Crypto-PAn key), generated on first use when not configured.
CREATE TABLE sharing_secrets (
  name  text PRIMARY KEY,
  value text NOT NULL
);

-- Similar-case search: MinHash signatures of shared reports, bucketed by LSH band.
CREATE TABLE similar_reports (
  report_id   text PRIMARY KEY,
  name        text,
  family      text[] NOT NULL DEFAULT '{}',
  features    text[] NOT NULL,
  signature   integer[] NOT NULL,
  added_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE similar_buckets (
  band        smallint NOT NULL,
  bucket      bigint NOT NULL,
  report_id   text NOT NULL REFERENCES similar_reports (report_id) ON DELETE CASCADE,
  PRIMARY KEY (band, bucket, report_id)
);
`;
