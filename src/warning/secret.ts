import type { AppContext } from '../app/index.js';
import { YojinError } from '../errors/index.js';
import { newSecret, Signer } from './signing.js';

/**
 * The signing secret: `warning.hmac_secret` when set; else the one kept in the store, created by the
 * first listener to start. Kept in the store (not a file) so every warning listener sharing a
 * PostgreSQL database accepts the links the others signed.
 */
export async function loadSigner(ctx: AppContext): Promise<Signer> {
  const configured = ctx.config.warning.hmac_secret;
  if (configured) {
    if (configured.length < 32)
      throw new YojinError(
        'CONFIG_INVALID_VALUE',
        'warning.hmac_secret must be at least 32 characters (or empty to generate one)',
      );
    return new Signer(Buffer.from(configured, 'utf8'));
  }
  // ON CONFLICT keeps the first writer's secret when two listeners start at once.
  await ctx.store.query(
    `INSERT INTO warning_keys (name, secret, created_at) VALUES ('hmac', $1, $2) ON CONFLICT (name) DO NOTHING`,
    [newSecret(), ctx.clock.now()],
  );
  const r = await ctx.store.query<{ secret: string }>(`SELECT secret FROM warning_keys WHERE name = 'hmac'`);
  return new Signer(Buffer.from(r.rows[0].secret, 'base64url'));
}
