/**
 * Lookup API: the hash-prefix list as a versioned ledger. Each row is one indicator's expression as
 * it was listed from `added_version` until `removed_version` (NULL: still listed). The list at
 * version N is every row alive at N, so "changes since N" is a set difference over this table.
 */
export const id = '0230_lookup';
export const sql = /* sql */ `
CREATE TABLE lookup_entries (
  id              bigserial PRIMARY KEY,
  indicator_id    bigint NOT NULL,
  expression      text NOT NULL,
  full_hash       bytea NOT NULL,
  -- first 4 bytes of full_hash as a signed int4: compact and cheap to index and compare
  prefix          integer NOT NULL,
  category        text NOT NULL,
  subdomains      boolean NOT NULL,
  added_version   bigint NOT NULL,
  removed_version bigint
);
CREATE INDEX lookup_entries_live_prefix ON lookup_entries (prefix) WHERE removed_version IS NULL;
CREATE INDEX lookup_entries_live_indicator ON lookup_entries (indicator_id) WHERE removed_version IS NULL;
CREATE INDEX lookup_entries_added ON lookup_entries (added_version);
CREATE INDEX lookup_entries_removed ON lookup_entries (removed_version) WHERE removed_version IS NOT NULL;

-- One row: the version served, the change-log serial folded in, and the oldest version a diff can
-- start from (older clients get the full list).
CREATE TABLE lookup_state (
  id            boolean PRIMARY KEY DEFAULT true CHECK (id),
  version       bigint NOT NULL DEFAULT 0,
  serial        bigint NOT NULL DEFAULT 0,
  oldest_since  bigint NOT NULL DEFAULT 0,
  built         boolean NOT NULL DEFAULT false,
  synced_at     timestamptz
);
INSERT INTO lookup_state DEFAULT VALUES;
`;
