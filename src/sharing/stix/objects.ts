import { scoId, stixId, stixTime } from './ids.js';
import { TLP_MARKING_IDS, type Tlp } from './tlp.js';

export type StixObject = Record<string, unknown> & { type: string; id: string; spec_version?: string };

export interface Bundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

/** The identity every object yojin creates names as its creator. */
export function organisationIdentity(name: string, created = '2026-01-01T00:00:00.000Z'): StixObject {
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
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: stixId('indicator', `${row.kind}:${row.value}`),
    created_by_ref: creator,
    created,
    modified: mod,
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
    object_marking_refs: [TLP_MARKING_IDS[tlp]],
  };
}

export function malwareObject(family: string, creator: string, tlp: Tlp): StixObject {
  return {
    type: 'malware',
    spec_version: '2.1',
    id: stixId('malware', `family:${family.toLowerCase()}`),
    created_by_ref: creator,
    created: '2026-01-01T00:00:00.000Z',
    modified: '2026-01-01T00:00:00.000Z',
    name: family,
    is_family: true,
    object_marking_refs: [TLP_MARKING_IDS[tlp]],
  };
}

export function relationshipObject(
  source: string,
  type: string,
  target: string,
  creator: string,
  tlp: Tlp,
): StixObject {
  return {
    type: 'relationship',
    spec_version: '2.1',
    id: stixId('relationship', `${source}|${type}|${target}`),
    created_by_ref: creator,
    created: '2026-01-01T00:00:00.000Z',
    modified: '2026-01-01T00:00:00.000Z',
    relationship_type: type,
    source_ref: source,
    target_ref: target,
    object_marking_refs: [TLP_MARKING_IDS[tlp]],
  };
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
  return {
    type: 'observed-data',
    spec_version: '2.1',
    id: stixId('observed-data', key),
    created_by_ref: creator,
    created: stixTime(first),
    modified: stixTime(last),
    first_observed: stixTime(first),
    last_observed: stixTime(last),
    number_observed: Math.max(1, count),
    object_refs: refs,
    object_marking_refs: [TLP_MARKING_IDS[tlp]],
  };
}

export function sightingObject(
  indicatorId: string,
  observed: string[],
  where: string[],
  first: Date,
  last: Date,
  count: number,
  creator: string,
  tlp: Tlp,
  key: string,
): StixObject {
  return {
    type: 'sighting',
    spec_version: '2.1',
    id: stixId('sighting', key),
    created_by_ref: creator,
    created: stixTime(first),
    modified: stixTime(last),
    first_seen: stixTime(first),
    last_seen: stixTime(last),
    count,
    sighting_of_ref: indicatorId,
    ...(observed.length ? { observed_data_refs: observed } : {}),
    ...(where.length ? { where_sighted_refs: where } : {}),
    object_marking_refs: [TLP_MARKING_IDS[tlp]],
  };
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
  return {
    type: 'report',
    spec_version: '2.1',
    id: stixId('report', key),
    created_by_ref: creator,
    created: stixTime(published),
    modified: stixTime(published),
    name,
    ...(description ? { description } : {}),
    report_types: ['threat-report'],
    published: stixTime(published),
    object_refs: refs,
    object_marking_refs: [TLP_MARKING_IDS[tlp]],
  };
}

export function bundle(objects: StixObject[], key?: string): Bundle {
  return {
    type: 'bundle',
    id: key ? stixId('bundle', key) : `bundle--${crypto.randomUUID()}`,
    objects,
  };
}
