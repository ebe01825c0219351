/**
 * Attribution at scale (1M evidence vs 10M intervals, docs/attribution.md "How the join runs").
 *
 * - The port block joins the interval index as two more key columns, so that a probe of a shared
 *   (CGNAT) address checks the blocks inside the index and fetches only the block holding the port:
 *   a CGNAT probe read ~31 heap rows (one per block) and now reads one or two.
 * - assignment_prefix_lengths also keeps the earliest start of an open (or since-ever) interval per
 *   length: the probe of the open-interval index is needed only for evidence later than that start
 *   plus the longest closed interval (earlier open intervals are found by the bounded range probe).
 *   A stale value is only ever too early (never later than the true one), which costs a probe.
 * - The GiST (prefix inet_ops, during) index is dropped: attribution stopped using it in 0310, and it
 *   made loading slow (2M intervals into the embedded store: 69 s with it, 22 s without).
 * - evidence (measure, seen_at) becomes a BRIN index on seen_at: it served only the retention purge,
 *   and as a B-tree it made each attributed evidence row (a new row version) insert an entry at a
 *   random place (1M attributions on the embedded store: 14.5 s with it, 6.9 s without).
 */
export const id = '0311_attribution_scale';
export const sql = /* sql */ `
CREATE INDEX assignments_prefix_lower_ports ON assignments
  (prefix, lower(during), coalesce(lower(port_range), -1), coalesce(upper(port_range), 65536));
DROP INDEX assignments_prefix_lower;
DROP INDEX assignments_prefix_during;

DROP INDEX evidence_seen;
CREATE INDEX evidence_seen_brin ON evidence USING brin (seen_at);

ALTER TABLE assignment_prefix_lengths ADD COLUMN min_open_lower timestamptz;
UPDATE assignment_prefix_lengths l SET min_open_lower = m.lo
  FROM (SELECT family(prefix) AS family, masklen(prefix) AS len,
               min(coalesce(lower(during), '-infinity'::timestamptz)) AS lo
          FROM assignments WHERE upper_inf(during) OR lower_inf(during) GROUP BY 1, 2) m
 WHERE l.family = m.family AND l.len = m.len;

CREATE OR REPLACE FUNCTION assignment_prefix_lengths_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO assignment_prefix_lengths (family, len, max_closed_secs, min_open_lower)
    SELECT family(prefix), masklen(prefix),
           coalesce(max(ceil(extract(epoch FROM upper(during) - lower(during))))
             FILTER (WHERE NOT lower_inf(during) AND NOT upper_inf(during)), 0)::bigint,
           min(coalesce(lower(during), '-infinity'::timestamptz)) FILTER (WHERE upper_inf(during) OR lower_inf(during))
      FROM changed GROUP BY 1, 2
  ON CONFLICT (family, len) DO UPDATE
    SET max_closed_secs = greatest(assignment_prefix_lengths.max_closed_secs, EXCLUDED.max_closed_secs),
        min_open_lower = least(assignment_prefix_lengths.min_open_lower, EXCLUDED.min_open_lower);
  RETURN NULL;
END $$;
`;
