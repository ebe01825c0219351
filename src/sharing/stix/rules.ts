import type { CryptoPAn } from '../anonymize/cryptopan.js';
import { coarsenTimestamp, scrubText } from '../anonymize/scrub.js';
import { addressSco, type StixObject } from './objects.js';
import { TLP_MARKING_IDS, type Tlp, tlpOf, tlpRank } from './tlp.js';

export interface SharingRules {
  indicatorTlp: Tlp;
  clearCategories: string[];
  victimTlp: Tlp;
  defaultTlp: Tlp;
  subscriberPatterns: RegExp[];
  cryptopan: CryptoPAn;
  coarsen: 'none' | 'hour' | 'day';
}

const FREE_TEXT = ['description', 'name', 'opinion', 'explanation', 'content', 'abstract'];
const SUBSCRIBER_KEYS = /^x_yojin_subscriber/;

/** Why an object must never leave (RED): it identifies one of our subscribers. */
function subscriberReason(o: StixObject, rules: SharingRules): string | undefined {
  for (const k of Object.keys(o)) if (SUBSCRIBER_KEYS.test(k)) return `carries ${k}`;
  const text = JSON.stringify(o);
  for (const p of rules.subscriberPatterns) if (p.test(text)) return `matches subscriber pattern ${p.source}`;
  return undefined;
}

/** Personal data that is not a subscriber's (a person's identity, an e-mail address, an account). */
function personal(o: StixObject): boolean {
  return (
    (o.type === 'identity' && o.identity_class === 'individual') ||
    o.type === 'email-addr' ||
    o.type === 'user-account'
  );
}

/**
 * Automatic TLP by content (DESIGN §4 Sharing): anything identifying a subscriber is RED (never shared);
 * victim organisations AMBER; indicators GREEN or CLEAR by category; otherwise the object's own marking
 * or the default. The result is never less restrictive than the object's own marking.
 */
export function classifyTlp(o: StixObject, rules: SharingRules): { tlp: Tlp; reason: string } {
  if (o.type === 'marking-definition') return { tlp: 'clear', reason: 'marking definition' };
  const red = subscriberReason(o, rules);
  if (red) return { tlp: 'red', reason: `identifies a subscriber: ${red}` };
  const own = tlpOf(o as { object_marking_refs?: string[] }, rules.defaultTlp);
  let rule: Tlp = rules.defaultTlp;
  let reason = 'default';
  if (o.type === 'indicator') {
    const labels = (o.labels as string[] | undefined) ?? [];
    rule = labels.some((l) => rules.clearCategories.includes(l)) ? 'clear' : rules.indicatorTlp;
    reason = 'indicator';
  } else if (
    o.type === 'identity' &&
    (o.x_yojin_victim === true || (o.roles as string[] | undefined)?.includes('victim'))
  ) {
    rule = rules.victimTlp;
    reason = 'victim organisation';
  } else if (personal(o)) {
    rule = tlpRank(own) > tlpRank('amber') ? own : 'amber';
    reason = 'personal data';
  } else if (
    o.type === 'identity' ||
    o.type === 'malware' ||
    o.type === 'relationship' ||
    o.type === 'report'
  ) {
    rule = own;
    reason = 'own marking';
  }
  const marked = o.object_marking_refs !== undefined;
  const tlp = marked && tlpRank(own) > tlpRank(rule) ? own : rule;
  return { tlp, reason: tlp === own && marked && tlp !== rule ? 'own marking is stricter' : reason };
}

/**
 * Prepares an object for leaving yojin: applies the TLP marking, anonymises observed addresses with
 * Crypto-PAn (indicator patterns name attackers' infrastructure and stay as they are), coarsens
 * observation times, scrubs free text. Returns undefined for RED objects.
 */
export function sanitizeOutbound(
  o: StixObject,
  rules: SharingRules,
): { object: StixObject; tlp: Tlp } | undefined {
  const { tlp } = classifyTlp(o, rules);
  if (tlp === 'red') return undefined;
  const out: StixObject = structuredClone(o);
  if (out.type !== 'marking-definition') {
    const refs = ((out.object_marking_refs as string[] | undefined) ?? []).filter(
      (r) => !Object.values(TLP_MARKING_IDS).includes(r),
    );
    out.object_marking_refs = [TLP_MARKING_IDS[tlp], ...refs];
  }
  if (out.type === 'ipv4-addr' || out.type === 'ipv6-addr') {
    const anon = rules.cryptopan.anonymize(String(out.value).split('/')[0]);
    return { object: addressSco(anon), tlp };
  }
  for (const k of FREE_TEXT) {
    if (typeof out[k] === 'string' && out.type !== 'indicator' && out.type !== 'malware') {
      out[k] = scrubText(out[k] as string, {
        cryptopan: rules.cryptopan,
        subscriberPatterns: rules.subscriberPatterns,
      });
    }
  }
  if (rules.coarsen !== 'none' && (out.type === 'sighting' || out.type === 'observed-data')) {
    for (const k of ['first_seen', 'last_seen', 'first_observed', 'last_observed']) {
      if (typeof out[k] === 'string') out[k] = coarsenTimestamp(out[k] as string, rules.coarsen);
    }
  }
  return { object: out, tlp };
}

/** Rewrites references to anonymised SCOs (the SCO id changes with its value). */
export function remapRefs(o: StixObject, idMap: Map<string, string>): StixObject {
  if (idMap.size === 0) return o;
  const swap = (v: unknown): unknown =>
    typeof v === 'string' ? (idMap.get(v) ?? v) : Array.isArray(v) ? v.map(swap) : v;
  const out: StixObject = { ...o };
  for (const k of Object.keys(out)) if (k.endsWith('_ref') || k.endsWith('_refs')) out[k] = swap(out[k]);
  return out;
}
