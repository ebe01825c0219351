/**
 * Attribution results leave the evidence table (docs/attribution.md "How the join runs").
 *
 * Evidence rows stop changing after import. What attribution needs to find and records moves to two
 * tables of its own:
 *
 * - `attribution_queue`: evidence awaiting attribution, per measure, with the three fields the
 *   matching reads (a copy: evidence never changes). Filled by a statement trigger on every insert
 *   into evidence (COPY included); attribution reads its batch from here instead of from evidence and
 *   removes it in the same statement.
 * - `attributions`: one row per attributed evidence row — the subscriber, or the reason it was not
 *   attributed — appended in evidence-id order.
 *
 * Why: recording the outcome by UPDATE rewrote every evidence row (a new version, a primary-key
 * entry; never HOT, since the pending index's predicate named the updated column) and found each row
 * through the primary key. 1M evidence vs 10M intervals on the embedded store: that update took ~9 s;
 * the append to `attributions` and the queue's range delete take ~4 s together.
 *
 * Deleting evidence (retention) deletes its queue entry and its result through a statement trigger.
 * That trigger first takes the measure's attribution lock (the advisory lock `attributeBatch` takes),
 * so a purge that overlaps an attribution run waits for it and then also removes the results it just
 * wrote: no result outlives its evidence.
 */
export const id = '0312_attribution_results';
export const sql = /* sql */ `
CREATE TABLE attribution_queue (
  measure     text NOT NULL,
  evidence_id bigint NOT NULL,
  addr        inet NOT NULL,
  port        integer,
  seen_at     timestamptz NOT NULL,
  PRIMARY KEY (measure, evidence_id)
);

CREATE TABLE attributions (
  evidence_id         bigint PRIMARY KEY,
  subscriber_id       text,
  unattributed_reason text,
  attributed_at       timestamptz NOT NULL,
  CHECK ((subscriber_id IS NULL) <> (unattributed_reason IS NULL))
);

INSERT INTO attributions (evidence_id, subscriber_id, unattributed_reason, attributed_at)
  SELECT id, subscriber_id,
         CASE WHEN subscriber_id IS NULL THEN coalesce(unattributed_reason, 'no-assignment') END,
         attributed_at
    FROM evidence WHERE attributed_at IS NOT NULL ORDER BY id;
INSERT INTO attribution_queue (measure, evidence_id, addr, port, seen_at)
  SELECT measure, id, addr, port, seen_at FROM evidence WHERE attributed_at IS NULL;

DROP INDEX evidence_pending;
ALTER TABLE evidence DROP COLUMN attributed_at, DROP COLUMN subscriber_id, DROP COLUMN unattributed_reason;

CREATE FUNCTION evidence_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO attribution_queue (measure, evidence_id, addr, port, seen_at)
    SELECT measure, id, addr, port, seen_at FROM added;
  RETURN NULL;
END $$;
CREATE TRIGGER evidence_enqueue AFTER INSERT ON evidence
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION evidence_enqueue();

CREATE FUNCTION evidence_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- 7235310: the attribution lock's class (src/attribution/attribute.ts), one lock per measure.
  PERFORM pg_advisory_xact_lock(7235310, hashtext(m.measure))
     FROM (SELECT DISTINCT measure FROM removed ORDER BY measure) m;
  DELETE FROM attributions a USING removed r WHERE a.evidence_id = r.id;
  DELETE FROM attribution_queue q USING removed r WHERE q.measure = r.measure AND q.evidence_id = r.id;
  RETURN NULL;
END $$;
CREATE TRIGGER evidence_forget AFTER DELETE ON evidence
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION evidence_forget();
`;
