import { type Draft, documentParser, lineError, RejectLine } from '../../base.js';
import {
  categoryFromWords,
  clip,
  parseTime,
  requireCidr,
  requireDomain,
  requireIp,
  requireUrl,
} from '../../fields.js';
import type { IndicatorKind, LineError } from '../../types.js';
import { patternValues } from './pattern.js';

/** A bundle is read whole (it is one JSON value); larger bundles should come over TAXII in pages. */
const MAX_BUNDLE_CHARS = 256 * 1024 * 1024;

type Obj = Record<string, unknown>;

function checkValue(kind: IndicatorKind, value: string) {
  if (kind === 'url') requireUrl(value, 'value');
  else if (kind === 'domain') requireDomain(value, 'value');
  else if (kind === 'cidr') requireCidr(value, 'value');
  else requireIp(value, 'value');
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * STIX 2.1 bundles (also TAXII envelopes, arrays or single objects; 2.0 `labels` accepted too): each `indicator` object with a STIX pattern of
 * url/domain-name/ipv4-addr/ipv6-addr `=` comparisons becomes one record per value. Other objects
 * (identity, malware, relationship…) are context and give nothing. The "line" of a record is the
 * object's 1-based index in `objects`. See docs/feeds/stix2.md.
 */
export const parser = documentParser('stix2', {
  maxChars: MAX_BUNDLE_CHARS,
  split(text) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new RejectLine(`not JSON: ${(err as Error).message}`);
    }
    // A bundle is the usual file; TAXII 2.1 envelopes ({"objects": […]}), bare arrays and single
    // objects are accepted too, since that is how objects arrive over TAXII and in examples.
    if (Array.isArray(doc)) return doc;
    const o = doc as Obj;
    if (!o || typeof o !== 'object') throw new RejectLine('not a STIX bundle, envelope or object');
    if (o.type === 'bundle' || (o.type === undefined && o.objects !== undefined)) {
      if (o.objects === undefined) return [];
      if (!Array.isArray(o.objects)) throw new RejectLine('"objects" is not an array');
      return o.objects;
    }
    if (typeof o.type === 'string' && typeof o.id === 'string') return [o];
    throw new RejectLine('not a STIX bundle, envelope or object (no "type"/"objects")');
  },
  describe: (o) => clip(JSON.stringify(o) ?? '', 200),
  parseElement(element, index) {
    const o = element as Obj;
    if (!o || typeof o !== 'object' || typeof o.type !== 'string') throw new RejectLine('object has no type');
    if (o.type !== 'indicator') return null;
    if (o.pattern_type !== undefined && o.pattern_type !== 'stix')
      throw new RejectLine(`pattern_type ${String(o.pattern_type)} is not supported (only stix)`);
    if (typeof o.pattern !== 'string') throw new RejectLine('indicator has no pattern');
    const words = [...strings(o.indicator_types), ...strings(o.labels)];
    const category = categoryFromWords(words);
    const seenAt = typeof o.valid_from === 'string' ? parseTime(o.valid_from, 'valid_from') : undefined;
    const attributes: Obj = { stixId: o.id };
    if (typeof o.name === 'string') attributes.name = clip(o.name, 200);
    if (words.length) attributes.tags = words;
    if (typeof o.valid_until === 'string') attributes.validUntil = o.valid_until;
    if (typeof o.confidence === 'number') attributes.confidence = o.confidence;
    if (o.revoked === true) attributes.revoked = true;
    // Each value is checked on its own: one bad value in an OR rejects that value, not its siblings.
    return patternValues(o.pattern).map((v): Draft | LineError => {
      try {
        checkValue(v.kind, v.value);
      } catch (err) {
        return lineError(index, `${v.path} ${(err as Error).message}`, v.value);
      }
      return { kind: v.kind, value: v.value, category, seenAt, attributes: { ...attributes, path: v.path } };
    });
  },
});
