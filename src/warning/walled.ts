/**
 * The walled garden's web side: the DNS resolver answers every name a walled subscriber asks for with
 * this server's address (src/dns), so their browser arrives here with hosts that are not listed. Those
 * visits are sent on to the removal help the case chose (walled_garden.redirect_to).
 *
 * Finding out whether the visitor is walled means mapping its address to a subscriber: protected data,
 * read only under the walled-garden measure's gate (audited), and only while some walled garden is
 * active — ordinary visitors of an unlisted host cost one count query and no audit record.
 */
import type { AppContext } from '../app/index.js';

const MEASURE = 'walled-garden';

/** Where to send the visitor at `address` (`port`: for shared CGNAT addresses), or undefined if not walled. */
export async function walledGardenRedirect(
  ctx: AppContext,
  address: string,
  port: number,
  now: Date,
): Promise<string | undefined> {
  if (!ctx.measures.has(MEASURE) || !ctx.measures.get(MEASURE).enabled) return undefined;
  const active = await ctx.store.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM walled_garden WHERE active',
  );
  if (active.rows[0].n === 0) return undefined;
  const allowed = await ctx.gate.permits({
    measure: MEASURE,
    data: ['assignment'],
    actor: 'warning-page',
    action: 'warning.walled-garden-lookup',
    details: { active: active.rows[0].n },
  });
  if (!allowed) return undefined;
  const r = await ctx.store.query<{ redirect_to: string }>(
    `SELECT w.redirect_to FROM assignments a
       JOIN walled_garden w ON w.subscriber_id = a.subscriber_id AND w.active
      WHERE a.prefix >>= $1::inet AND a.during @> $2::timestamptz
        AND (a.port_range IS NULL OR a.port_range @> $3::int)
      ORDER BY w.since DESC LIMIT 1`,
    [address.replace(/^::ffff:(?=\d+\.)/, ''), now, port],
  );
  return r.rows[0]?.redirect_to;
}
