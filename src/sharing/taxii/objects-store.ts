import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../store/index.js';
import type { Hub } from '../hub.js';
import type { Collection } from '../orgs.js';
import { classifyTlp, type StixObject, type Tlp, tlpRank } from '../stix/index.js';

export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

const ID = /^[a-z0-9-]+--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A version key that sorts as text: the object's modified (or created) time at millisecond precision. */
export function versionOf(o: StixObject, dateAdded: Date): string {
  const t = (o.modified ?? o.created) as string | undefined;
  const d = t ? new Date(t) : dateAdded;
  return Number.isNaN(d.getTime()) ? dateAdded.toISOString() : d.toISOString();
}

export interface AddResult {
  successes: Array<{ id: string; version: string; message?: string }>;
  failures: Array<{ id: string; version?: string; message: string }>;
}

/**
 * Adds objects to a collection (idempotent per id+version). Each object is checked on its own: a bad one
 * fails with a message, the rest go in. Objects above the collection's maximum TLP — and anything RED,
 * such as subscriber-identifying data — are refused.
 */
export async function addObjects(
  hub: Hub,
  db: Queryable,
  collection: Collection,
  objects: unknown[],
  dateAdded: Date,
): Promise<AddResult> {
  const result: AddResult = { successes: [], failures: [] };
  const cols: {
    id: string[];
    type: string[];
    version: string[];
    spec: string[];
    tlp: string[];
    json: string[];
  } = {
    id: [],
    type: [],
    version: [],
    spec: [],
    tlp: [],
    json: [],
  };
  for (const raw of objects) {
    const o = raw as StixObject;
    const id = typeof o?.id === 'string' ? o.id : '(no id)';
    if (
      !o ||
      typeof o !== 'object' ||
      typeof o.type !== 'string' ||
      !ID.test(id) ||
      !id.startsWith(`${o.type}--`)
    ) {
      result.failures.push({
        id,
        message: 'not a STIX object: needs type and an id of the form <type>--<uuid>',
      });
      continue;
    }
    const spec = (o.spec_version as string | undefined) ?? '2.1';
    if (spec !== '2.1') {
      result.failures.push({ id, message: `spec_version ${spec} is not accepted (2.1 only)` });
      continue;
    }
    const { tlp, reason } = classifyTlp(o, hub.rules);
    const version = versionOf(o, dateAdded);
    if (tlp === 'red' || tlpRank(tlp) > tlpRank(collection.max_tlp as Tlp)) {
      result.failures.push({
        id,
        version,
        message: `TLP:${tlp.toUpperCase()} (${reason}) is above this collection's maximum TLP:${collection.max_tlp.toUpperCase()}`,
      });
      continue;
    }
    cols.id.push(id);
    cols.type.push(o.type);
    cols.version.push(version);
    cols.spec.push(spec);
    cols.tlp.push(tlp);
    cols.json.push(JSON.stringify(o));
    result.successes.push({ id, version });
  }
  // One set-based insert per 5,000 objects (one INSERT per object measured 261 objects/s on PGlite).
  for (let i = 0; i < cols.id.length; i += 5000) {
    const s = (a: string[]) => a.slice(i, i + 5000);
    await db.query(
      `INSERT INTO taxii_objects (collection_id, id, type, version, spec_version, date_added, tlp, object)
       SELECT $1, u.id, u.type, u.version, u.spec, $2, u.tlp, u.json::jsonb
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS u(id, type, version, spec, tlp, json)
       ON CONFLICT (collection_id, id, version) DO NOTHING`,
      [
        collection.id,
        dateAdded,
        s(cols.id),
        s(cols.type),
        s(cols.version),
        s(cols.spec),
        s(cols.tlp),
        s(cols.json),
      ],
    );
    await refreshLatest(db, collection.id, [...new Set(s(cols.id))]);
  }
  // Embedded PGlite has no autovacuum to refresh planner statistics; after a large load, without them
  // paging falls back to scanning from the start (measured 4.5k objects/s at 100k objects).
  if (cols.id.length >= 5000) await db.query('ANALYZE taxii_objects');
  return result;
}

/** Marks the newest version of each of `ids` as latest (and only it). */
async function refreshLatest(db: Queryable, collectionId: string, ids: string[]) {
  if (ids.length === 0) return;
  await db.query(
    `UPDATE taxii_objects t SET latest = (t.version = m.maxv)
     FROM (SELECT id, max(version) AS maxv FROM taxii_objects WHERE collection_id = $1 AND id = ANY($2::text[]) GROUP BY id) m
     WHERE t.collection_id = $1 AND t.id = m.id AND t.latest IS DISTINCT FROM (t.version = m.maxv)`,
    [collectionId, ids],
  );
}

export interface ObjectFilter {
  addedAfter?: Date;
  ids?: string[];
  types?: string[];
  /** 'last' (default), 'first', 'all', or version timestamps */
  versions?: string[];
  specVersions?: string[];
  /** pagination cursor: seq of the last row already returned */
  afterSeq?: number;
}

export interface Row {
  seq: number;
  id: string;
  type: string;
  version: string;
  spec_version: string;
  date_added: Date;
  /** The object as JSON text: pages are assembled from it without parsing (see envelopeJson). */
  json: string;
}

export const parseRow = (r: Row): StixObject => JSON.parse(r.json) as StixObject;

function whereClause(collectionId: string, f: ObjectFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [collectionId];
  const where = ['t.collection_id = $1'];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (f.addedAfter) add('t.date_added > ?', f.addedAfter);
  if (f.ids?.length) add('t.id = ANY(?)', f.ids);
  if (f.types?.length) add('t.type = ANY(?)', f.types);
  if (f.specVersions?.length) add('t.spec_version = ANY(?)', f.specVersions);
  if (f.afterSeq) add('t.seq > ?', f.afterSeq);
  const versions = f.versions?.length ? f.versions : ['last'];
  if (!versions.includes('all')) {
    const alts: string[] = [];
    if (versions.includes('last')) alts.push('t.latest');
    if (versions.includes('first')) {
      alts.push(
        'NOT EXISTS (SELECT 1 FROM taxii_objects n WHERE n.collection_id = t.collection_id AND n.id = t.id AND n.version < t.version)',
      );
    }
    const stamps = versions
      .filter((v) => v !== 'last' && v !== 'first')
      .map((v) => new Date(v).toISOString());
    if (stamps.length) {
      params.push(stamps);
      alts.push(`t.version = ANY($${params.length})`);
    }
    where.push(`(${alts.join(' OR ')})`);
  }
  return { sql: where.join(' AND '), params };
}

/** One page of matching object versions in date-added order, and whether more follow. */
export async function queryObjects(db: Queryable, collectionId: string, f: ObjectFilter, limit: number) {
  const { sql, params } = whereClause(collectionId, f);
  params.push(limit + 1);
  const r = await db.query<Row>(
    `SELECT t.seq, t.id, t.type, t.version, t.spec_version, t.date_added, t.object::text AS json FROM taxii_objects t
     WHERE ${sql} ORDER BY t.seq LIMIT $${params.length}`,
    params,
  );
  const more = r.rows.length > limit;
  const rows = r.rows.slice(0, limit);
  return { rows, more, next: more ? encodeCursor(rows[rows.length - 1].seq) : undefined };
}

export async function deleteObjects(db: Queryable, collectionId: string, f: ObjectFilter): Promise<number> {
  const { sql, params } = whereClause(collectionId, f);
  const r = await db.query<{ id: string }>(`DELETE FROM taxii_objects t WHERE ${sql} RETURNING t.id`, params);
  await refreshLatest(db, collectionId, [...new Set(r.rows.map((x) => x.id))]);
  return r.rowCount;
}

/** A TAXII envelope as JSON text, splicing the stored object texts in without parsing them. */
export function envelopeJson(page: { rows: Row[]; more: boolean; next?: string }): string {
  const head = `{"more":${page.more}${page.next ? `,"next":${JSON.stringify(page.next)}` : ''}`;
  return page.rows.length ? `${head},"objects":[${page.rows.map((r) => r.json).join(',')}]}` : `${head}}`;
}

export function encodeCursor(seq: number): string {
  return Buffer.from(`s${seq}`).toString('base64url');
}

export function decodeCursor(next: string): number | undefined {
  const m = /^s(\d+)$/.exec(Buffer.from(next, 'base64url').toString());
  return m ? Number(m[1]) : undefined;
}

export async function recordStatus(
  db: Queryable,
  collectionId: string,
  orgId: number | null,
  at: Date,
  total: number,
  res: AddResult,
): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO taxii_status (id, collection_id, org_id, status, request_timestamp, total_count, success_count, failure_count,
       pending_count, successes, failures) VALUES ($1,$2,$3,'complete',$4,$5,$6,$7,0,$8,$9)`,
    [
      id,
      collectionId,
      orgId,
      at,
      total,
      res.successes.length,
      res.failures.length,
      JSON.stringify(res.successes),
      JSON.stringify(res.failures),
    ],
  );
  return id;
}
