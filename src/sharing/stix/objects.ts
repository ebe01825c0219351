import { scoId, stixId, stixTime } from './ids.js';
import { TLP_MARKING_IDS, type Tlp } from './tlp.js';

export type StixObject = Record<string, unknown> & { type: string; id: string; spec_version?: string };

export interface Bundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

/**
 * Timestamp of the objects that do not change over time (our identity, a malware family, a relationship):
 * fixed so that publishing them again yields the same version, not a new one.
 */
const FIXED_TIME = '2026-01-01T00:00:00.000Z';

/** The identity every object yojin creates names as its creator. */
export function organisationIdentity(name: string, created = FIXED_TIME): StixObject {
  return {
    type: 'identity',
    spec_version: '2.1',
    id: stixId('identity', `organisation:${name}`),
    created,
    modified: created,
    name,
    identity_class: 'organization',
    sectors: ['telecommunications'],
  };
}

/** A STIX pattern string literal: backslash and quote escaped (STIX 2.1 patterning §9.3). */
export function patternString(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** What every SDO yojin creates has: type, the key its deterministic id derives from, creator, times, marking. */
interface SdoCommon {
  type: string;
  key: string;
  creator: string;
  tlp: Tlp;
  created: string;
  modified: string;
}

/**
 * An SDO: the common properties, then the object's own, then the marking. The order is the one published
 * objects have always had, so their JSON (and anything compared or hashed from it) stays the same.
 */
function sdo(c: SdoCommon, own: Record<string, unknown>): StixObject {
  return {
    type: c.type,
    spec_version: '2.1',
    id: stixId(c.type, c.key),
    created_by_ref: c.creator,
    created: c.created,
    modified: c.modified,
    ...own,
    object_marking_refs: [TLP_MARKING_IDS[c.tlp]],
  };
}

export type IndicatorKind = 'url' | 'domain' | 'ip' | 'cidr';

export function indicatorPattern(kind: IndicatorKind, value: string): string {
  switch (kind) {
    case 'url':
      return `[url:value = ${patternString(value)}]`;
    case 'domain':
      return `[domain-name:value = ${patternString(value)}]`;
    case 'ip':
    case 'cidr':
      return `[${value.includes(':') ? 'ipv6-addr' : 'ipv4-addr'}:value = ${patternString(value)}]`;
  }
}

const INDICATOR_TYPES: Record<string, string[]> = {
  'malware-distribution': ['malicious-activity'],
  phishing: ['malicious-activity'],
  c2: ['malicious-activity'],
  exploit: ['malicious-activity'],
  botnet: ['malicious-activity'],
  'hijacked-netblock': ['malicious-activity'],
  scanner: ['anomalous-activity'],
  spam: ['anomalous-activity'],
};

export interface IndicatorRow {
  id: number;
  kind: IndicatorKind;
  value: string;
  category: string;
  status: string;
  confidence: number;
  first_seen: Date;
  last_seen: Date;
  expires_at: Date | null;
  updated_at: Date;
  attributes: Record<string, unknown>;
}

/**
 * Our indicator as STIX: a deterministic id per (kind, value), so every version of it shares one id and
 * `modified` tells the versions apart. An indicator no longer enforced is published as revoked.
 */
export function indicatorObject(row: IndicatorRow, creator: string, tlp: Tlp, modified: Date): StixObject {
  const validFrom = stixTime(row.first_seen);
  let validUntil = row.expires_at ? stixTime(row.expires_at) : undefined;
  if (validUntil && validUntil <= validFrom) validUntil = undefined;
  const created = stixTime(row.first_seen);
  const mod = stixTime(Math.max(modified.getTime(), row.first_seen.getTime()));
  const family = typeof row.attributes?.family === 'string' ? row.attributes.family : undefined;
  return sdo(
    { type: 'indicator', key: `${row.kind}:${row.value}`, creator, tlp, created, modified: mod },
    {
      name: `${row.category}: ${row.value}`,
      indicator_types: INDICATOR_TYPES[row.category] ?? ['malicious-activity'],
      pattern: indicatorPattern(row.kind, row.value),
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: validFrom,
      ...(validUntil ? { valid_until: validUntil } : {}),
      confidence: Math.round(Math.min(1, Math.max(0, row.confidence)) * 100),
      labels: [row.category, ...(family ? [`family:${family}`] : [])],
      ...(row.status === 'active' ? {} : { revoked: true }),
    },
  );
}

export function malwareObject(family: string, creator: string, tlp: Tlp): StixObject {
  const key = `family:${family.toLowerCase()}`;
  return sdo(
    { type: 'malware', key, creator, tlp, created: FIXED_TIME, modified: FIXED_TIME },
    { name: family, is_family: true },
  );
}

export function relationshipObject(
  source: string,
  type: string,
  target: string,
  creator: string,
  tlp: Tlp,
): StixObject {
  return sdo(
    {
      type: 'relationship',
      key: `${source}|${type}|${target}`,
      creator,
      tlp,
      created: FIXED_TIME,
      modified: FIXED_TIME,
    },
    { relationship_type: type, source_ref: source, target_ref: target },
  );
}

/** An observed address as an SCO (id per STIX §2.9). */
export function addressSco(address: string): StixObject {
  const type = address.includes(':') ? 'ipv6-addr' : 'ipv4-addr';
  return { type, spec_version: '2.1', id: scoId(type, { value: address }), value: address };
}

export function observedDataObject(
  refs: string[],
  first: Date,
  last: Date,
  count: number,
  creator: string,
  tlp: Tlp,
  key: string,
): StixObject {
  const [created, modified] = [stixTime(first), stixTime(last)];
  return sdo(
    { type: 'observed-data', key, creator, tlp, created, modified },
    {
      first_observed: created,
      last_observed: modified,
      number_observed: Math.max(1, count),
      object_refs: refs,
    },
  );
}

export function sightingObject(
  indicatorId: string,
  observed: string[],
  where: string[],
  seen: { first: Date; last: Date; count: number },
  creator: string,
  tlp: Tlp,
  key: string,
): StixObject {
  const [created, modified] = [stixTime(seen.first), stixTime(seen.last)];
  return sdo(
    { type: 'sighting', key, creator, tlp, created, modified },
    {
      first_seen: created,
      last_seen: modified,
      count: seen.count,
      sighting_of_ref: indicatorId,
      ...(observed.length ? { observed_data_refs: observed } : {}),
      ...(where.length ? { where_sighted_refs: where } : {}),
    },
  );
}

export function reportObject(
  name: string,
  published: Date,
  refs: string[],
  creator: string,
  tlp: Tlp,
  key: string,
  description?: string,
): StixObject {
  const at = stixTime(published);
  return sdo(
    { type: 'report', key, creator, tlp, created: at, modified: at },
    {
      name,
      ...(description ? { description } : {}),
      report_types: ['threat-report'],
      published: at,
      object_refs: refs,
    },
  );
}

export function bundle(objects: StixObject[], key?: string): Bundle {
  return {
    type: 'bundle',
    id: key ? stixId('bundle', key) : `bundle--${crypto.randomUUID()}`,
    objects,
  };
}
