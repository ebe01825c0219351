import { isIP } from 'node:net';
import type { AppContext } from '../app/index.js';
import { appendAudit } from '../audit/index.js';
import { enqueue, type Lang } from '../notify/index.js';
import { delistIndicator } from '../reputation/index.js';
import type { Queryable } from '../store/index.js';
import { siteFetch, siteUrl } from './fetch.js';
import { rdapAbuseContact } from './rdap.js';
import { emailContact, parseSecurityTxt } from './securitytxt.js';
import { type ReportedUrl, xarfEmail } from './xarf.js';

const MEASURE = 'notify-site-owner';
const ACTOR = 'worker:siteowners';

export interface ContactLookup {
  email: string | null;
  source: string | null;
  languages: string[];
  tried: Array<{ url: string; result: string }>;
}

/**
 * The site's contact: /.well-known/security.txt over the configured scheme, then http, then the
 * legacy /security.txt (RFC 9116 §3); a file counts only if it validates and names a mailto: contact.
 * Else the RDAP abuse contact of the registrable domain.
 */
export async function findContact(ctx: AppContext, host: string): Promise<ContactLookup> {
  const tried: ContactLookup['tried'] = [];
  const schemes: Array<'https' | 'http'> =
    ctx.config.siteowners.scheme === 'https' ? ['https', 'http'] : ['http'];
  for (const path of ['/.well-known/security.txt', '/security.txt'])
    for (const scheme of schemes) {
      const url = siteUrl(ctx, scheme, host, path);
      try {
        const res = await siteFetch(ctx, url, 32 * 1024);
        if (res.status !== 200) {
          tried.push({ url, result: `HTTP ${res.status}` });
          continue;
        }
        if (!/^text\/plain/i.test(res.contentType)) {
          tried.push({ url, result: `not text/plain (${res.contentType || 'no type'})` });
          continue;
        }
        const st = parseSecurityTxt(res.body, ctx.clock.now());
        const email = emailContact(st.contacts);
        if (!st.valid || !email) {
          tried.push({ url, result: st.valid ? 'no mailto: contact' : `invalid: ${st.problems.join('; ')}` });
          continue;
        }
        tried.push({ url, result: 'ok' });
        return { email, source: url, languages: st.languages, tried };
      } catch (err) {
        tried.push({ url, result: String((err as Error).message ?? err) });
      }
    }
  const rdap = await rdapAbuseContact(ctx, host);
  tried.push({ url: rdap.url, result: rdap.email ? 'ok' : (rdap.error ?? 'no contact') });
  return { email: rdap.email, source: rdap.email ? rdap.url : null, languages: [], tried };
}

interface UrlIndicator {
  id: string;
  value: string;
  category: string;
  first_seen: Date;
  last_seen: Date;
}

export interface SiteReport {
  opened: number;
  reported: number;
  noContact: number;
  rechecked: number;
  delisted: number;
  resolved: number;
}

function hostOf(url: string): string | null {
  try {
    const h = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return isIP(h) ? null : h.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * The site-owner part of the case cycle: open a case per host for listed URLs on otherwise
 * legitimate sites (scope 'url', non-IP host), find the contact, send the X-ARF report through the
 * outbox, re-check on schedule and delist when the URLs are gone.
 */
export async function runSiteOwners(ctx: AppContext): Promise<SiteReport> {
  const rep: SiteReport = { opened: 0, reported: 0, noContact: 0, rechecked: 0, delisted: 0, resolved: 0 };
  if (!ctx.measures.has(MEASURE) || !ctx.measures.get(MEASURE).enabled) return rep;
  const fresh = await ctx.store.query<UrlIndicator>(
    `SELECT i.id, i.value, i.category, i.first_seen, i.last_seen FROM indicators i
      WHERE i.kind = 'url' AND i.status = 'active' AND i.scope = 'url'
        AND NOT EXISTS (SELECT 1 FROM site_reports sr WHERE i.id = ANY (sr.indicator_ids))
      ORDER BY i.id LIMIT 1000`,
  );
  const byHost = new Map<string, UrlIndicator[]>();
  for (const i of fresh.rows) {
    const h = hostOf(i.value);
    if (!h) continue;
    if (!byHost.has(h)) byHost.set(h, []);
    byHost.get(h)!.push(i);
  }
  for (const [host, inds] of byHost) {
    const added = await ctx.store.transaction(async (tx) => {
      const existing = await tx.query<{ id: string }>(
        `SELECT id FROM cases WHERE kind = 'site' AND site = $1 AND measure = $2 AND state IN ('open', 'watching', 'held') FOR UPDATE`,
        [host, MEASURE],
      );
      if (existing.rows[0]) {
        await tx.query(
          `UPDATE site_reports SET indicator_ids = indicator_ids || $2::bigint[] WHERE case_id = $1`,
          [existing.rows[0].id, inds.map((i) => i.id)],
        );
        return false;
      }
      const grant = await ctx.gate.authorize(
        {
          measure: MEASURE,
          data: ['site-contact', 'indicator'],
          actor: ACTOR,
          action: 'site.case-open',
          subject: `site:${host}`,
          details: { urls: inds.length },
        },
        tx,
      );
      const now = ctx.clock.now();
      const c = await tx.query<{ id: string }>(
        `INSERT INTO cases (kind, site, measure, legal_basis, state, stage, family, opened_at, updated_at, next_action_at, stage_at)
         VALUES ('site', $1, $2, $3, 'open', 0, $4, $5, $5, $5, $5) RETURNING id`,
        [host, MEASURE, grant.measure.legalBasis, inds[0].category, now],
      );
      await tx.query(`INSERT INTO site_reports (case_id, host, indicator_ids) VALUES ($1, $2, $3)`, [
        c.rows[0].id,
        host,
        inds.map((i) => i.id),
      ]);
      return true;
    });
    if (added) rep.opened++;
  }
  // Due site cases: stage 0 → look up the contact and report; later stages → re-check the URLs.
  const due = await ctx.store.query<{ id: string; site: string; stage: number }>(
    `SELECT id, site, stage FROM cases WHERE kind = 'site' AND state = 'open' AND next_action_at <= $1 ORDER BY id LIMIT 500`,
    [ctx.clock.now()],
  );
  for (const c of due.rows) {
    const caseId = Number(c.id);
    const urls = await caseUrls(ctx.store, caseId);
    const recheckAt = () =>
      new Date(ctx.clock.now().getTime() + ctx.config.siteowners.recheck_hours * 3_600_000);
    if (c.stage > 0) {
      rep.rechecked++;
      const checks = await Promise.all(urls.map(async (u) => ({ u, clean: await isGone(ctx, u.url) })));
      const gone = checks.filter((x) => x.clean.gone);
      for (const g of gone) {
        await delistIndicator(ctx, g.u.id, {
          actor: ACTOR,
          reason: `site owner notified (case ${caseId}); URL re-checked: ${g.clean.why}`,
        });
        rep.delisted++;
      }
      await ctx.store.transaction(async (tx) => {
        await tx.query(`UPDATE site_reports SET last_check_at = $2, last_check = $3 WHERE case_id = $1`, [
          caseId,
          ctx.clock.now(),
          JSON.stringify(checks.map((x) => ({ url: x.u.url, ...x.clean }))),
        ]);
        if (gone.length === checks.length) {
          await tx.query(
            `UPDATE cases SET state = 'resolved', closed_at = $2, close_reason = 'clean', updated_at = $2, next_action_at = NULL WHERE id = $1`,
            [caseId, ctx.clock.now()],
          );
          await appendAudit(
            tx,
            {
              actor: ACTOR,
              action: 'case.resolve',
              outcome: 'done',
              measure: MEASURE,
              legalBasis: 'legitimate-business-act',
              subject: `site:${c.site}`,
              details: { case: caseId, reason: 'clean' },
            },
            ctx.clock,
          );
          rep.resolved++;
        } else
          await tx.query('UPDATE cases SET next_action_at = $2, updated_at = $3 WHERE id = $1', [
            caseId,
            recheckAt(),
            ctx.clock.now(),
          ]);
      });
      continue;
    }
    const contact = await findContact(ctx, c.site);
    await ctx.store.transaction(async (tx) => {
      await ctx.gate.authorize(
        {
          measure: MEASURE,
          data: ['site-contact', 'indicator'],
          actor: ACTOR,
          action: 'site.contact-lookup',
          subject: `site:${c.site}`,
          details: { case: caseId, found: contact.source, tried: contact.tried.length },
        },
        tx,
      );
      await tx.query(
        `UPDATE site_reports SET contact = $2, contact_source = $3, languages = $4, lookup_error = $5 WHERE case_id = $1`,
        [
          caseId,
          contact.email,
          contact.source,
          contact.languages,
          contact.email ? null : JSON.stringify(contact.tried),
        ],
      );
      if (!contact.email) {
        // Try again at the next re-check; nothing can be sent without a contact.
        await tx.query('UPDATE cases SET next_action_at = $2 WHERE id = $1', [caseId, recheckAt()]);
        rep.noContact++;
        return;
      }
      const lang: Lang =
        contact.languages[0]?.startsWith('ja') || (!contact.languages.length && c.site.endsWith('.jp'))
          ? 'ja'
          : 'en';
      const now = ctx.clock.now();
      const payload = xarfEmail({
        caseId,
        host: c.site,
        to: contact.email,
        reporter: ctx.config.siteowners.reporter || ctx.config.smtp.from.replace(/^.*<([^>]+)>.*$/, '$1'),
        urls,
        lang,
        date: now,
      });
      await enqueue(tx, { caseId, stage: 1, channel: 'email', payload, at: now, from: ctx.config.smtp.from });
      await tx.query(
        `UPDATE cases SET stage = 1, stage_at = $2, next_action_at = $3, updated_at = $2 WHERE id = $1`,
        [caseId, now, recheckAt()],
      );
      rep.reported++;
    });
  }
  return rep;
}

async function caseUrls(db: Queryable, caseId: number): Promise<ReportedUrl[]> {
  const r = await db.query<UrlIndicator & { sources: string[] | null }>(
    `SELECT i.id, i.value, i.category, i.first_seen, i.last_seen,
            (SELECT array_agg(s.name) FROM observations o JOIN sources s ON s.id = o.source_id WHERE o.indicator_id = i.id) AS sources
       FROM site_reports sr JOIN indicators i ON i.id = ANY (sr.indicator_ids)
      WHERE sr.case_id = $1 AND i.status = 'active' ORDER BY i.id`,
    [caseId],
  );
  return r.rows.map((i) => ({
    id: Number(i.id),
    url: i.value,
    category: i.category,
    first_seen: new Date(i.first_seen),
    last_seen: new Date(i.last_seen),
    sources: i.sources ?? [],
  }));
}

/**
 * Is the listed URL gone? 404 and 410 say so, as does a name that no longer resolves. Anything else
 * (200, redirects, errors) keeps the listing: yojin does not judge page content, it waits for removal.
 */
async function isGone(ctx: AppContext, url: string): Promise<{ gone: boolean; why: string }> {
  try {
    const res = await siteFetch(ctx, url, 1024 * 1024);
    return { gone: res.status === 404 || res.status === 410, why: `HTTP ${res.status}` };
  } catch (err) {
    const code = (err as { code?: string }).code;
    return { gone: code === 'ENOTFOUND', why: code ?? String((err as Error).message ?? err) };
  }
}
