/**
 * Legal bases under which a measure may touch communications data (DESIGN §1 L):
 * - consent: the subscriber's consent (ACTIVE model: contract consent, opt-out at any time);
 * - emergency-evacuation (緊急避難): a present danger, balance of interests, no other means;
 * - legitimate-business-act (正当業務行為): legitimate purpose, necessity, proportionate means.
 */
export const LEGAL_BASES = ['consent', 'emergency-evacuation', 'legitimate-business-act'] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/** The justification elements each basis must state before a measure resting on it may run. */
export const REQUIRED_JUSTIFICATION: Record<LegalBasis, string[]> = {
  consent: [],
  'emergency-evacuation': ['present_danger', 'balance_of_interests', 'no_other_means'],
  'legitimate-business-act': ['legitimate_purpose', 'necessity', 'proportionality'],
};

/** Kinds of protected data. A measure lists the ones it may touch; anything else is refused. */
export const DATA_CATEGORIES = [
  'dns-query', // query name and client address of a DNS query
  'web-access', // a visit to the warning page
  'assignment', // who held an address at a time
  'subscriber-contact', // e-mail / postal contact of a subscriber
  'subscriber-consent', // a subscriber's consents
  'evidence', // sinkhole hits, scans, C&C contacts seen from an address
  'notification', // notices sent to a subscriber
  'traffic-header', // packet headers used for filtering (no content)
  'site-contact', // public contact data of a web site's operator
  'indicator', // threat indicators (not subscriber data)
] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

export type DefaultConsent = 'opt-out' | 'opt-in' | 'not-applicable';

export interface Measure {
  name: string;
  legalBasis: LegalBasis;
  purpose: { en: string; ja: string };
  data: DataCategory[];
  retentionDays: number;
  enabled: boolean;
  /** For consent-based measures: does silence count as consent (opt-out) or not (opt-in)? */
  defaultConsent: DefaultConsent;
  /** The stated elements of the legal basis (see REQUIRED_JUSTIFICATION). */
  justification: Record<string, string>;
}
