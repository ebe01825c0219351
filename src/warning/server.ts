import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { AppContext } from '../app/index.js';
import { isYojinError } from '../errors/index.js';
import { type BypassTable, clientKey, bypasses as processBypasses, recordBypass } from './bypass.js';
import { allowsContinue } from './categories.js';
import { blockedHost, continueTarget, isSafePath, safePathOf } from './host.js';
import { isLang, type Lang, negotiateLang } from './i18n.js';
import { findListing } from './lookup.js';
import { MESSAGES } from './messages.js';
import { warningMetrics } from './metrics.js';
import { CSP, messagePage, servicePage, warningPage } from './page.js';
import { RateLimiter } from './ratelimit.js';
import {
  type FalsePositiveSink,
  type ReportFields,
  type ReportProblem,
  reputationSink,
  validateReport,
} from './report.js';
import { loadSigner } from './secret.js';
import { formToken, type Signer, signContinue, verifyContinue, verifyFormToken } from './signing.js';
import { walledGardenRedirect } from './walled.js';

export interface WarningServerOptions {
  /** Where grants are recorded in memory (default: the process-wide table the DNS resolver reads). */
  bypasses?: BypassTable;
  /** Where "report a mistake" goes (default: the reputation module's reportFalsePositive). */
  reportSink?: FalsePositiveSink;
  signer?: Signer;
}

/** Paths of the page's own endpoints; everything else on any host is "the blocked page". */
export const PATHS = {
  continue: '/__yojin/continue',
  report: '/__yojin/report',
  warning: '/__yojin/warning',
} as const;

const FORM_TOKEN_TTL_S = 3600;
const HTML = 'text/html; charset=utf-8';

/**
 * The warning page listener. The DNS resolver answers a warned name with this listener's address,
 * so requests arrive with `Host: <the blocked name>` and any path; the page is served for every
 * path and reads the name from Host.
 *
 * Logging: request logging is off (it would write URLs with query strings and client addresses);
 * only counters and failures without URLs are recorded, as the measure's data minimisation asks.
 */
export async function buildWarningServer(
  ctx: AppContext,
  opts: WarningServerOptions = {},
): Promise<FastifyInstance> {
  const cfg = ctx.config.warning;
  const signer = opts.signer ?? (await loadSigner(ctx));
  const table = opts.bypasses ?? processBypasses;
  const sink = opts.reportSink ?? reputationSink;
  const metrics = warningMetrics(ctx.metrics);
  const limiter = new RateLimiter(cfg.report_limit, cfg.report_window_seconds * 1000);
  const log = ctx.log.child({ component: 'warning' });

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: cfg.report_max_bytes,
    trustProxy: false,
    return503OnClosing: true,
  });

  // Forms only: drop fastify's JSON parser so no other body shape reaches the report handler.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const out: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(body as string)) if (!(k in out)) out[k] = v;
    done(null, out);
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('Content-Security-Policy', CSP);
    reply.header('Cache-Control', 'no-store, max-age=0');
    reply.header('Pragma', 'no-cache');
    reply.header('Expires', '0');
    reply.header('X-Robots-Tag', 'noindex, nofollow, noarchive');
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Vary', 'Accept-Language, Host');
    return payload;
  });

  const nowS = () => Math.floor(ctx.clock.now().getTime() / 1000);
  const remote = (req: FastifyRequest) => req.socket.remoteAddress ?? '';
  const clientOf = (req: FastifyRequest) => clientKey(remote(req)) ?? 'unknown';
  const langOf = (req: FastifyRequest, explicit?: unknown) =>
    negotiateLang(
      explicit ?? (req.query as Record<string, unknown> | undefined)?.lang,
      req.headers['accept-language'],
    );
  const switchHref = (lang: Lang, target: string) =>
    `${PATHS.warning}?${new URLSearchParams({ lang: lang === 'ja' ? 'en' : 'ja', to: target })}`;
  const sendHtml = (reply: FastifyReply, status: number, lang: Lang, html: string) =>
    reply.code(status).type(HTML).header('Content-Language', lang).send(html);

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const lang = langOf(req);
    const t = MESSAGES[lang];
    if (err.statusCode === 413)
      return sendHtml(reply, 413, lang, messagePage(lang, cfg, t.errorTitle, [t.tooLarge]));
    if (err.statusCode === 415)
      return sendHtml(reply, 415, lang, messagePage(lang, cfg, t.errorTitle, [t.formInvalid]));
    if (err.statusCode && err.statusCode < 500)
      return sendHtml(reply, err.statusCode, lang, messagePage(lang, cfg, t.errorTitle, [t.formInvalid]));
    log.error(
      { err: { message: err.message, code: err.code }, route: req.routeOptions.url },
      'warning page failed',
    );
    return sendHtml(reply, 500, lang, messagePage(lang, cfg, t.errorTitle, [t.reportFailed]));
  });

  async function showWarning(
    req: FastifyRequest,
    reply: FastifyReply,
    target: string,
    lang: Lang,
    form?: { fields: ReportFields; problems: ReportProblem[] },
  ) {
    const host = blockedHost(req.headers.host);
    if (!host) return sendHtml(reply, 200, lang, servicePage(lang, cfg, switchHref(lang, '/')));
    const now = ctx.clock.now();
    const listing = await findListing(ctx.store, host, target, now);
    if (!listing && !form) {
      const to = await walledGardenRedirect(ctx, remote(req), req.socket.remotePort ?? 0, now);
      if (to) return reply.code(302).header('Location', to).header('Cache-Control', 'no-store').send();
    }
    const client = clientOf(req);
    const continueHref = allowsContinue(listing?.category)
      ? `${PATHS.continue}?${signContinue(signer, { host, path: target, exp: nowS() + cfg.continue_ttl_seconds, lang }, client)}`
      : undefined;
    if (!form) metrics.pages.inc({ category: listing?.category ?? 'unlisted', lang });
    const html = warningPage({
      lang,
      cfg,
      host,
      target,
      listing,
      switchHref: switchHref(lang, target),
      continueHref,
      formToken: formToken(signer, host, client, nowS() + FORM_TOKEN_TTL_S),
      form,
      bypassActive: table.isBypassed(remote(req), host),
    });
    return sendHtml(reply, form ? 400 : listing ? 403 : 200, lang, html);
  }

  app.get('/favicon.ico', async (_req, reply) => reply.code(404).send());
  app.get('/robots.txt', async (_req, reply) =>
    reply.type('text/plain').send('User-agent: *\nDisallow: /\n'),
  );

  app.get(PATHS.warning, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const target = typeof q.to === 'string' && isSafePath(q.to) ? q.to : '/';
    return showWarning(req, reply, target, langOf(req));
  });

  // No HEAD twin: a link checker's HEAD must not switch a warning off.
  app.get(PATHS.continue, { exposeHeadRoute: false }, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const lang = langOf(req, isLang(q.l) ? q.l : undefined);
    const t = MESSAGES[lang];
    const host = blockedHost(req.headers.host);
    const refuse = (status: number, reason: keyof typeof t.refused) => {
      metrics.continues.inc({ outcome: reason });
      return sendHtml(
        reply,
        status,
        lang,
        messagePage(lang, cfg, t.refusedTitle, [t.refused[reason], t.retry]),
      );
    };
    const check = verifyContinue(signer, q, clientOf(req), host, nowS());
    if (!check.ok) {
      const status = { malformed: 400, signature: 403, expired: 410, 'other-host': 403 }[check.reason];
      return refuse(status, check.reason);
    }
    const { claims } = check;
    const target = continueTarget(claims.host, claims.path);
    if (!target) return refuse(400, 'malformed');
    const now = ctx.clock.now();
    const listing = await findListing(ctx.store, claims.host, claims.path, now);
    if (listing && !allowsContinue(listing.category)) return refuse(403, 'not-allowed');
    const expires = new Date(now.getTime() + cfg.bypass_ttl_seconds * 1000);
    try {
      await ctx.store.transaction(async (tx) => {
        await ctx.gate.authorize(
          {
            measure: 'warn-malicious-site',
            data: ['web-access'],
            actor: 'warning-page',
            action: 'warning.continue',
            subject: `site:${claims.host}`,
            details: { category: listing?.category ?? null, bypassSeconds: cfg.bypass_ttl_seconds },
          },
          tx,
        );
        await recordBypass(tx, remote(req), claims.host, expires, now);
      });
    } catch (err) {
      if (isYojinError(err) && err.status === 403) return refuse(403, 'not-allowed');
      throw err;
    }
    table.grant(remote(req), claims.host, expires);
    metrics.continues.inc({ outcome: 'granted' });
    return reply.code(303).header('Location', target).type(HTML).send('');
  });

  app.post(PATHS.report, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const lang = langOf(req, isLang(body.lang) ? body.lang : undefined);
    const t = MESSAGES[lang];
    const target = typeof body.to === 'string' && isSafePath(body.to) ? body.to : '/';
    const host = blockedHost(req.headers.host);
    const fail = (status: number, outcome: string, text: string) => {
      metrics.reports.inc({ outcome });
      return sendHtml(
        reply,
        status,
        lang,
        messagePage(lang, cfg, t.errorTitle, [text], {
          href: `${PATHS.warning}?${new URLSearchParams({ lang, to: target })}`,
          label: t.back,
        }),
      );
    };
    if (!host || !verifyFormToken(signer, body.token, host, clientOf(req), nowS()))
      return fail(403, 'bad-token', t.formInvalid);
    const { fields, problems } = validateReport(body);
    if (problems.length > 0) {
      metrics.reports.inc({ outcome: 'invalid' });
      return showWarning(req, reply, target, lang, { fields, problems });
    }
    if (!limiter.take(clientOf(req), ctx.clock.now().getTime())) {
      reply.header('Retry-After', String(cfg.report_window_seconds));
      return fail(429, 'rate-limited', t.rateLimited);
    }
    const listing = await findListing(ctx.store, host, target, ctx.clock.now());
    try {
      await sink(ctx, { value: listing?.value ?? host, ...fields, lang });
    } catch (err) {
      log.error({ err: { message: (err as Error).message } }, 'report-a-mistake could not be stored');
      return fail(503, 'failed', t.reportFailed);
    }
    metrics.reports.inc({ outcome: 'accepted' });
    const paras = fields.contact ? [t.thanksText, t.thanksContact] : [t.thanksText];
    return sendHtml(
      reply,
      200,
      lang,
      messagePage(lang, cfg, t.thanksTitle, paras, {
        href: `${PATHS.warning}?${new URLSearchParams({ lang, to: target })}`,
        label: t.back,
      }),
    );
  });

  app.get('/*', async (req, reply) => showWarning(req, reply, safePathOf(req.url), langOf(req)));
  // Any other method on any path: the page is only ever fetched, never written to.
  app.setNotFoundHandler(async (req, reply) => {
    const lang = langOf(req);
    reply.header('Allow', 'GET, HEAD');
    return sendHtml(reply, 405, lang, messagePage(lang, cfg, MESSAGES[lang].h1, [MESSAGES[lang].retry]));
  });
  return app;
}
