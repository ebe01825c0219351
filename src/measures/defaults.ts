import type { Measure } from './types.js';

/**
 * The built-in measures and the legal basis each rests on, following the MIC study group's reviews
 * (2014 first report, 2015 presentation, 2016 C&C blocking). Operators may override any field in
 * `[measures.NAME]`; docs/legal-basis.md explains each.
 */
export const DEFAULT_MEASURES: Measure[] = [
  {
    name: 'warn-malicious-site',
    legalBasis: 'consent',
    purpose: {
      en: 'Warn a consenting subscriber who is about to reach a dangerous web site.',
      ja: '同意した利用者が危険なWebサイトにアクセスしようとした際に注意喚起する。',
    },
    data: ['dns-query', 'assignment', 'subscriber-consent', 'web-access'],
    retentionDays: 30,
    enabled: true,
    defaultConsent: 'opt-out',
    justification: {},
  },
  {
    name: 'block-c2',
    legalBasis: 'consent',
    purpose: {
      en: "Block a consenting subscriber's infected device from contacting a C&C server.",
      ja: '同意した利用者の感染端末からC&Cサーバへの通信を遮断し被害を未然に防止する。',
    },
    data: ['dns-query', 'assignment', 'subscriber-consent'],
    retentionDays: 30,
    enabled: true,
    defaultConsent: 'opt-out',
    justification: {},
  },
  {
    name: 'notify-infected',
    legalBasis: 'emergency-evacuation',
    purpose: {
      en: 'Identify and notify subscribers whose devices are infected, with removal steps.',
      ja: 'マルウェアに感染した端末の利用者を特定し、駆除方法とともに通知する。',
    },
    data: ['evidence', 'assignment', 'subscriber-contact', 'notification'],
    retentionDays: 180,
    enabled: true,
    defaultConsent: 'not-applicable',
    justification: {
      present_danger: 'The device is infected and is being used for attacks or information theft now.',
      balance_of_interests:
        'Only the fact of infection and the contact address are used, to protect the subscriber.',
      no_other_means: 'Only the ISP can link the address at that time to the subscriber.',
    },
  },
  {
    name: 'notify-vulnerable',
    legalBasis: 'legitimate-business-act',
    purpose: {
      en: 'Notify subscribers whose devices can be abused (open resolvers, vulnerable IoT).',
      ja: '悪用され得る機器（オープンリゾルバ、脆弱なIoT機器）の利用者に通知する。',
    },
    data: ['evidence', 'assignment', 'subscriber-contact', 'notification'],
    retentionDays: 180,
    enabled: true,
    defaultConsent: 'not-applicable',
    justification: {
      legitimate_purpose: 'Keeping the network usable: abused devices amplify attacks on third parties.',
      necessity: 'The subscriber cannot fix what they do not know about.',
      proportionality: 'Only scan results about the device and the contact address are used.',
    },
  },
  {
    name: 'block-dns-amp',
    legalBasis: 'legitimate-business-act',
    purpose: {
      en: 'Block inbound name-resolution traffic to subscriber gateways in dynamic pools (DNS amplification).',
      ja: '動的IPアドレス帯の利用者宛て名前解決通信を遮断しDNSアンプ攻撃を防ぐ。',
    },
    data: ['traffic-header'],
    retentionDays: 0,
    enabled: true,
    defaultConsent: 'not-applicable',
    justification: {
      legitimate_purpose: 'Stopping the network being used for amplification attacks.',
      necessity:
        'Open resolvers on subscriber gateways are widespread and cannot be fixed one by one in time.',
      proportionality:
        'Only inbound UDP/53 to dynamic pools is filtered, by header, without inspecting content.',
    },
  },
  {
    name: 'notify-site-owner',
    legalBasis: 'legitimate-business-act',
    purpose: {
      en: 'Tell the owner of a compromised web site so the malware is removed.',
      ja: '改ざんされたWebサイトの管理者に通知し、マルウェアの除去を促す。',
    },
    data: ['site-contact', 'indicator'],
    retentionDays: 365,
    enabled: true,
    defaultConsent: 'not-applicable',
    justification: {
      legitimate_purpose: 'Stopping a site from infecting its visitors.',
      necessity: 'The site owner is the only one who can remove the malware.',
      proportionality: 'Only public contact data and the evidence about the site are used.',
    },
  },
  {
    name: 'walled-garden',
    legalBasis: 'emergency-evacuation',
    purpose: {
      en: "Redirect an infected subscriber's web access to a removal page after notices went unanswered.",
      ja: '通知に応答がない感染利用者のWebアクセスを駆除案内ページへ誘導する。',
    },
    data: ['dns-query', 'assignment'],
    retentionDays: 90,
    enabled: false,
    defaultConsent: 'not-applicable',
    justification: {
      present_danger: 'The infection continues after repeated notices.',
      balance_of_interests: 'Access is redirected only to removal help, for a limited time.',
      no_other_means: 'Notices by e-mail and post went unanswered.',
    },
  },
  {
    name: 'share-information',
    legalBasis: 'legitimate-business-act',
    purpose: {
      en: 'Share attack information with other organisations, anonymised and marked by TLP.',
      ja: '攻撃情報を匿名化しTLPを付して他組織と共有する。',
    },
    data: ['indicator'],
    retentionDays: 365,
    enabled: true,
    defaultConsent: 'not-applicable',
    justification: {
      legitimate_purpose: 'Cross-organisation defence against the same attacks.',
      necessity: 'Attacks span providers; no single provider sees them whole.',
      proportionality: 'Subscriber-identifying data never leaves; addresses are anonymised.',
    },
  },
];
