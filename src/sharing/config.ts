import { Type } from '@sinclair/typebox';
import { section } from '../config/section.js';

const tlp = (def: string, description: string) =>
  Type.Union(
    ['clear', 'green', 'amber', 'amber+strict'].map((l) => Type.Literal(l)),
    { default: def, description },
  );

/** `[sharing]`: the STIX/TAXII hub. */
export const sharingConfigSchema = section(
  {
    organisation: Type.String({
      default: 'yojin',
      description: 'Name of this organisation as it appears in shared STIX (identity).',
    }),
    taxii_title: Type.String({
      default: 'yojin sharing hub',
      description: 'Title of the TAXII server (discovery).',
    }),
    taxii_contact: Type.String({ default: '', description: 'Contact shown in TAXII discovery.' }),
    api_root: Type.String({
      default: 'hub',
      pattern: '^[a-z0-9-]+$',
      description: 'Name of the TAXII API root (/taxii2/<api_root>/).',
    }),
    page_size: Type.Integer({
      default: 100,
      minimum: 1,
      maximum: 10000,
      description: 'Default TAXII page size.',
    }),
    max_page_size: Type.Integer({
      default: 1000,
      minimum: 1,
      maximum: 10000,
      description: 'Largest TAXII page a client may ask for.',
    }),
    max_content_length: Type.Integer({
      default: 104_857_600,
      minimum: 1024,
      description: 'Largest TAXII POST body accepted, bytes.',
    }),
    indicator_tlp: tlp('green', 'TLP given to indicators yojin shares (automatic TLP).'),
    clear_categories: Type.Array(Type.String(), {
      default: [],
      description: 'Indicator categories shared as TLP:CLEAR instead of indicator_tlp.',
    }),
    victim_tlp: tlp('amber', 'TLP of anything naming a victim organisation.'),
    default_tlp: tlp('amber', 'TLP of received objects that carry no TLP marking.'),
    anonymization_key: Type.String({
      default: '',
      pattern: '^([0-9a-fA-F]{64})?$',
      description: 'Crypto-PAn key (64 hex digits). Empty: generated once and kept in the store.',
    }),
    subscriber_patterns: Type.Array(Type.String(), {
      default: [],
      description:
        'Regular expressions for subscriber identifiers (e.g. RADIUS user names); matches are scrubbed and make an object RED.',
    }),
    coarsen_timestamps: Type.Union([Type.Literal('none'), Type.Literal('hour'), Type.Literal('day')], {
      default: 'hour',
      description: 'Granularity of sighting/observed-data times in shared objects.',
    }),
    sync_schedule: Type.String({
      default: '*/15 * * * *',
      description: 'Cron schedule for publishing, pulling and pushing.',
    }),
  },
  'The STIX 2.1 / TAXII 2.1 sharing hub.',
);
