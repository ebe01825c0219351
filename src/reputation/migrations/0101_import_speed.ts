/**
 * Import speed (issue #3): fewer indexes on indicators, and room on each page so that re-seen rows
 * are updated in place (HOT: no new index entries at all). A feed import moves last_seen and
 * expires_at of every indicator it sees again; while either column was indexed, every such UPDATE
 * wrote a new entry into all nine indexes of the table. Forward-only.
 *
 * - indicators_last_seen: only the indicator list's "newest first" order used it (a top-N sort
 *   over the matching rows instead).
 * - indicators_expiry: the expiry job (every few minutes) scans the active rows instead.
 * - UNIQUE (kind, value) and indicators_value_prefix (value text_pattern_ops) become one unique
 *   index on (value text_pattern_ops, kind): it serves equality on (kind, value), lookups by value
 *   and LIKE 'prefix%' (warning/lookup.ts) in any collation. Nothing uses ON CONFLICT (kind, value).
 * - fillfactor 50 on indicators and observations: a re-import updates every row of a page in one
 *   transaction, so a page needs room for a second version of each of its rows; page pruning
 *   reclaims the old versions later (also on PGlite, which has no autovacuum).
 */
export const id = '0101_import_speed';
export const sql = /* sql */ `
DROP INDEX IF EXISTS indicators_last_seen;
DROP INDEX IF EXISTS indicators_expiry;
CREATE UNIQUE INDEX indicators_value_kind ON indicators (value text_pattern_ops, kind);
ALTER TABLE indicators DROP CONSTRAINT indicators_kind_value_key;
DROP INDEX IF EXISTS indicators_value_prefix;
ALTER TABLE indicators SET (fillfactor = 50);
ALTER TABLE observations SET (fillfactor = 50);
`;
