import { Type } from '@sinclair/typebox';
import { section } from '../config/section.js';

const hostPortPattern = '^(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5}$';

const text = (def: string, description: string) => Type.String({ default: def, description });

/**
 * `[warning]`: the warning page a consenting subscriber sees when the policy DNS resolver answers a
 * listed name with this listener's address (measure `warn-malicious-site`).
 */
export const warningConfigSchema = section(
  {
    enabled: Type.Boolean({ default: true, description: 'Run the warning page listener in `yojin serve`.' }),
    listen: Type.String({
      default: '127.0.0.1:8081',
      pattern: hostPortPattern,
      description:
        'HTTP address of the warning page (the address the DNS resolver answers for warned names).',
    }),
    public_url: text(
      '',
      'URL under which the warning page is reachable by its own name (linked from the page footer); empty: no link.',
    ),
    hmac_secret: Type.String({
      default: '',
      pattern: '^(|[\\s\\S]{32,})$',
      description:
        'Secret (at least 32 characters) signing continue links and form tokens; empty: one is generated on first start and kept in the store, shared by every warning listener on it.',
    }),
    continue_ttl_seconds: Type.Integer({
      default: 600,
      minimum: 30,
      maximum: 86400,
      description: 'How long a "continue anyway" link stays valid after the page was shown.',
    }),
    bypass_ttl_seconds: Type.Integer({
      default: 600,
      minimum: 30,
      maximum: 86400,
      description:
        'How long a client that chose "continue anyway" is let through to that host by the DNS resolver.',
    }),
    bypass_sync_seconds: Type.Integer({
      default: 5,
      minimum: 1,
      maximum: 3600,
      description:
        'How often the in-memory bypass table is refreshed from the store (bypasses recorded by other processes).',
    }),
    organisation_ja: text(
      'インターネットサービスプロバイダ',
      'Organisation name shown on the page (Japanese).',
    ),
    organisation_en: text('Your Internet service provider', 'Organisation name shown on the page (English).'),
    contact_name_ja: text('サポートセンター', 'Helpdesk name (Japanese).'),
    contact_name_en: text('Support centre', 'Helpdesk name (English).'),
    contact_phone: text('', 'Helpdesk telephone number; empty: not shown.'),
    contact_hours_ja: text('', 'Helpdesk opening hours (Japanese); empty: not shown.'),
    contact_hours_en: text('', 'Helpdesk opening hours (English); empty: not shown.'),
    contact_url: text('', 'Helpdesk web page; empty: not shown.'),
    contact_email: text('', 'Helpdesk e-mail address; empty: not shown.'),
    opt_out_url: text(
      '',
      'Where a subscriber can turn the warning service off (consent withdrawal); empty: the helpdesk is named instead.',
    ),
    report_limit: Type.Integer({
      default: 5,
      minimum: 1,
      maximum: 1000,
      description: 'Most "report a mistake" submissions accepted per client address per report window.',
    }),
    report_window_seconds: Type.Integer({
      default: 3600,
      minimum: 1,
      maximum: 86400,
      description: 'The rate-limit window of report submissions.',
    }),
    report_max_bytes: Type.Integer({
      default: 8192,
      minimum: 1024,
      maximum: 65536,
      description: 'Largest report form body accepted (413 above).',
    }),
  },
  'The warning page (ja/en) with its signed continue link and report-a-mistake form.',
);
