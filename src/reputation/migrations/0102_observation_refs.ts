/**
 * Import speed (issue #3), part two: the references of `observations` checked once per statement
 * instead of once per row, and two indexes of `indicators` narrowed to the rows that are looked up
 * through them. Forward-only.
 *
 * The foreign keys `observations.indicator_id → indicators` and `observations.source_id → sources`
 * ran two RI trigger queries for every observation written (an SPI query and a row lock on the
 * referenced row each): 2.6 of 9.3 s of a 20k-line first-import merge on PGlite (EXPLAIN ANALYZE,
 * 33,333 calls each), ~23 % on PostgreSQL. The same rules, set-based:
 *
 * - inserting observations: one AFTER … FOR EACH STATEMENT trigger checks the inserted rows (the
 *   transition table) against `indicators` and `sources` in one anti-join each, SQLSTATE 23503 as the
 *   foreign keys raised;
 * - an observation never moves to another indicator or source (a row trigger whose WHEN is false for
 *   every update the import makes, so its function never runs);
 * - deleting indicators deletes their observations (was ON DELETE CASCADE); deleting a source that has
 *   observations fails (was NO ACTION);
 * - concurrency, as the row locks of the foreign keys gave it (READ COMMITTED, the only isolation
 *   yojin uses): the delete triggers take SHARE on `observations`, so they wait for writers of
 *   observations in flight and block new ones until they commit; the insert check runs with a fresh
 *   snapshot after the insert, so it sees a delete that committed in between and fails the insert.
 *
 * Indexes: `indicators_registrable` serves only the allowlist's `kind = 'domain' AND registrable = $1`
 * and `indicators_expr` only URL lookups (`kind = 'url' AND expr = ANY(…)`, check and warning page);
 * each becomes partial to that kind, so a URL row goes into 4 indexes instead of 5, a host row too.
 */
export const id = '0102_observation_refs';
export const sql = /* sql */ `
ALTER TABLE observations DROP CONSTRAINT IF EXISTS observations_indicator_id_fkey;
ALTER TABLE observations DROP CONSTRAINT IF EXISTS observations_source_id_fkey;

CREATE FUNCTION observations_check_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad bigint;
BEGIN
  -- EXECUTE: planned on every call with the sizes of now (a plan cached while indicators was small
  -- would scan all of it when it is large, instead of probing its primary key per row).
  EXECUTE 'SELECT n.indicator_id FROM observations_new n
    WHERE NOT EXISTS (SELECT 1 FROM indicators i WHERE i.id = n.indicator_id) LIMIT 1' INTO bad;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'insert on table "observations" violates its reference to "indicators"'
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (indicator_id)=(%s) is not present in table "indicators".', bad);
  END IF;
  EXECUTE 'SELECT n.source_id FROM (SELECT DISTINCT source_id FROM observations_new) n
    WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.id = n.source_id) LIMIT 1' INTO bad;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'insert on table "observations" violates its reference to "sources"'
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (source_id)=(%s) is not present in table "sources".', bad);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER observations_refs AFTER INSERT ON observations
  REFERENCING NEW TABLE AS observations_new FOR EACH STATEMENT EXECUTE FUNCTION observations_check_refs();

CREATE FUNCTION observations_refuse_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'an observation stays with its indicator and source (observation %)', OLD.id
    USING ERRCODE = 'foreign_key_violation';
END $$;
CREATE TRIGGER observations_no_move BEFORE UPDATE OF indicator_id, source_id ON observations FOR EACH ROW
  WHEN (NEW.indicator_id <> OLD.indicator_id OR NEW.source_id <> OLD.source_id)
  EXECUTE FUNCTION observations_refuse_move();

CREATE FUNCTION indicators_delete_observations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE observations IN SHARE MODE;
  DELETE FROM observations o USING indicators_gone g WHERE o.indicator_id = g.id;
  RETURN NULL;
END $$;
CREATE TRIGGER indicators_observations AFTER DELETE ON indicators
  REFERENCING OLD TABLE AS indicators_gone FOR EACH STATEMENT EXECUTE FUNCTION indicators_delete_observations();

CREATE FUNCTION sources_keep_observed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad integer;
BEGIN
  LOCK TABLE observations IN SHARE MODE;
  SELECT g.id INTO bad FROM sources_gone g
    WHERE EXISTS (SELECT 1 FROM observations o WHERE o.source_id = g.id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'delete on table "sources" violates the reference from "observations"'
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (id)=(%s) is still referenced from table "observations".', bad);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER sources_observed AFTER DELETE ON sources
  REFERENCING OLD TABLE AS sources_gone FOR EACH STATEMENT EXECUTE FUNCTION sources_keep_observed();

DROP INDEX IF EXISTS indicators_registrable;
CREATE INDEX indicators_registrable ON indicators (registrable) WHERE kind = 'domain';
DROP INDEX IF EXISTS indicators_expr;
CREATE INDEX indicators_expr ON indicators (expr) WHERE kind = 'url';
`;
