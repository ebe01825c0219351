import { randomBytes } from 'node:crypto';
import type { AppContext } from '../app/index.js';
import { CryptoPAn } from './anonymize/cryptopan.js';
import { organisationIdentity, type SharingRules, type StixObject } from './stix/index.js';

/** What every sharing component needs: the context, the rules (with the anonymisation key) and our identity. */
export interface Hub {
  ctx: AppContext;
  rules: SharingRules;
  identity: StixObject;
}

/** The Crypto-PAn key: from config, else generated once and kept in the store (so it is stable across restarts). */
async function anonymizationKey(ctx: AppContext): Promise<Buffer> {
  if (ctx.config.sharing.anonymization_key) return Buffer.from(ctx.config.sharing.anonymization_key, 'hex');
  const fresh = randomBytes(32).toString('hex');
  await ctx.store.query(
    `INSERT INTO sharing_secrets (name, value) VALUES ('cryptopan', $1) ON CONFLICT (name) DO NOTHING`,
    [fresh],
  );
  const r = await ctx.store.query<{ value: string }>(
    `SELECT value FROM sharing_secrets WHERE name = 'cryptopan'`,
  );
  return Buffer.from(r.rows[0].value, 'hex');
}

export async function openHub(ctx: AppContext): Promise<Hub> {
  const c = ctx.config.sharing;
  return {
    ctx,
    identity: organisationIdentity(c.organisation),
    rules: {
      indicatorTlp: c.indicator_tlp as SharingRules['indicatorTlp'],
      clearCategories: c.clear_categories,
      victimTlp: c.victim_tlp as SharingRules['victimTlp'],
      defaultTlp: c.default_tlp as SharingRules['defaultTlp'],
      subscriberPatterns: c.subscriber_patterns.map((p) => new RegExp(p)),
      cryptopan: new CryptoPAn(await anonymizationKey(ctx)),
      coarsen: c.coarsen_timestamps,
    },
  };
}
