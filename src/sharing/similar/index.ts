import type { Queryable } from '../../store/index.js';
import type { StixObject } from '../stix/index.js';
import { bandBuckets, jaccard, signature } from './minhash.js';

export { BANDS, bandBuckets, HASHES, jaccard, signature } from './minhash.js';

const PATTERN_VALUE = /(url|domain-name|ipv4-addr|ipv6-addr):value\s*=\s*'((?:\\.|[^'\\])*)'/g;

/** The indicator values a STIX pattern compares against. */
export function patternValues(pattern: string): string[] {
  return [...pattern.matchAll(PATTERN_VALUE)].map((m) => m[2].replace(/\\(.)/g, '$1').toLowerCase());
}

/** Features of a case: `ind:<value>` for each indicator value, `fam:<family>` for each malware family. */
export function caseFeatures(indicators: string[], families: string[]): Set<string> {
  const f = new Set<string>();
  for (const v of indicators) f.add(`ind:${v.trim().toLowerCase()}`);
  for (const m of families) f.add(`fam:${m.trim().toLowerCase()}`);
  return f;
}

/** Features of a report: the indicators and malware it refers to (looked up among `objects`). */
export function reportFeatures(
  report: StixObject,
  objects: Map<string, StixObject>,
): { features: Set<string>; families: string[] } {
  const indicators: string[] = [];
  const families: string[] = [];
  for (const ref of (report.object_refs as string[] | undefined) ?? []) {
    const o = objects.get(ref);
    if (!o) continue;
    if (o.type === 'indicator' && typeof o.pattern === 'string') {
      indicators.push(...patternValues(o.pattern));
      for (const l of (o.labels as string[] | undefined) ?? [])
        if (l.startsWith('family:')) families.push(l.slice(7));
    }
    if (o.type === 'malware' && typeof o.name === 'string') families.push(o.name);
  }
  return {
    features: caseFeatures(indicators, families),
    families: [...new Set(families.map((f) => f.toLowerCase()))],
  };
}

/** Adds (or replaces) a report in the index. */
export async function indexReport(
  db: Queryable,
  reportId: string,
  name: string | undefined,
  features: Set<string>,
  families: string[],
) {
  if (features.size === 0) return false;
  const sig = signature(features);
  await db.query('DELETE FROM similar_reports WHERE report_id = $1', [reportId]);
  await db.query(
    'INSERT INTO similar_reports (report_id, name, family, features, signature) VALUES ($1,$2,$3,$4,$5)',
    [reportId, name ?? null, families, [...features], sig],
  );
  const buckets = bandBuckets(sig);
  await db.query(
    'INSERT INTO similar_buckets (band, bucket, report_id) SELECT b - 1, bucket, $2 FROM unnest($1::bigint[]) WITH ORDINALITY AS u(bucket, b)',
    [buckets, reportId],
  );
  return true;
}

/** Indexes every report among `objects` (refs resolved within them). Returns how many were indexed. */
export async function indexReports(db: Queryable, objects: StixObject[]): Promise<number> {
  const byId = new Map(objects.map((o) => [o.id, o]));
  let n = 0;
  for (const o of objects) {
    if (o.type !== 'report') continue;
    const { features, families } = reportFeatures(o, byId);
    if (await indexReport(db, o.id, o.name as string | undefined, features, families)) n++;
  }
  return n;
}

export interface SimilarHit {
  report_id: string;
  name: string | null;
  score: number;
  shared_indicators: string[];
  shared_families: string[];
}

/** The top-k indexed reports most similar to the case, through LSH candidates and exact Jaccard. */
export async function findSimilar(db: Queryable, features: Set<string>, k = 10): Promise<SimilarHit[]> {
  if (features.size === 0) return [];
  const buckets = bandBuckets(signature(features));
  const cand = await db.query<{ report_id: string; name: string | null; features: string[] }>(
    `SELECT r.report_id, r.name, r.features FROM similar_reports r
     WHERE r.report_id IN (SELECT report_id FROM similar_buckets b
       JOIN unnest($1::bigint[]) WITH ORDINALITY AS q(bucket, band) ON b.band = q.band - 1 AND b.bucket = q.bucket)`,
    [buckets],
  );
  return cand.rows
    .map((r) => {
      const other = new Set(r.features);
      const shared = [...features].filter((f) => other.has(f));
      return {
        report_id: r.report_id,
        name: r.name,
        score: Math.round(jaccard(features, other) * 1000) / 1000,
        shared_indicators: shared.filter((f) => f.startsWith('ind:')).map((f) => f.slice(4)),
        shared_families: shared.filter((f) => f.startsWith('fam:')).map((f) => f.slice(4)),
      };
    })
    .sort((a, b) => b.score - a.score || a.report_id.localeCompare(b.report_id))
    .slice(0, k);
}
