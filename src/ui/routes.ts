import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../app/index.js';
import { getCase, readContact, renderNotice } from '../cases/index.js';
import { YojinError } from '../errors/index.js';

/** dist-ui/ at the repository root: built by `npm run build` (vite), next to dist/ and src/. */
export const UI_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist-ui');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

// Shown instead of the app when the front end was never built; bilingual because operators read it.
const MISSING = `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>yojin</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto;line-height:1.6">
<h1>ダッシュボードが未ビルドです / The dashboard is not built</h1>
<p>リポジトリで <code>npm run build</code> を実行してから <code>yojin serve</code> を再起動してください。</p>
<p>Run <code>npm run build</code> in the repository, then restart <code>yojin serve</code>.</p>
</body></html>`;

const HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

async function sendFile(reply: FastifyReply, file: string, immutable: boolean) {
  const body = await readFile(file);
  reply.headers(HEADERS);
  reply.header('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
  // Vite names assets by content hash: they never change under a name. index.html must be re-read.
  reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (extname(file) === '.html') {
    reply.header(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    );
  }
  return reply.send(body);
}

async function isFile(p: string) {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/**
 * The operators' dashboard under /ui/ (static files from dist-ui, index.html for client routes) and
 * the read-only escalation schedule the Settings screen shows. The page itself carries no data, so it
 * is public; every call it makes carries the signed-in user's bearer token.
 */
export function uiRoutes(dir = UI_DIR) {
  return async function routes(app: FastifyInstance, ctx: AppContext) {
    const hidden = { config: { public: true }, schema: { hide: true } };
    app.get('/', hidden, async (_req, reply) => reply.redirect('/ui/'));
    app.get('/ui', hidden, async (_req, reply) => reply.redirect('/ui/'));
    app.get<{ Params: { '*': string } }>('/ui/*', hidden, async (req, reply) => {
      const index = join(dir, 'index.html');
      if (!(await isFile(index)))
        return reply.code(503).type('text/html; charset=utf-8').headers(HEADERS).send(MISSING);
      const rel = req.params['*'] ?? '';
      const file = normalize(join(dir, rel));
      if (rel && (file === dir || file.startsWith(dir + sep)) && (await isFile(file))) {
        return sendFile(reply, file, rel.startsWith('assets/'));
      }
      // A missing asset is a real 404; anything else is a client route the app resolves.
      if (rel.startsWith('assets/') || extname(rel))
        return reply.code(404).type('text/plain').send('not found');
      return sendFile(reply, index, false);
    });

    app.get(
      '/api/v1/ui/settings',
      {
        schema: {
          tags: ['ui'],
          summary:
            'Dashboard settings view: the escalation schedule of cases (read-only, from the configuration)',
        },
      },
      async () => {
        const c = ctx.config.cases;
        return {
          escalation: {
            schedule: c.schedule,
            observe_days: c.observe_days,
            final_after_days: c.final_after_days,
            walled_garden: c.walled_garden,
            walled_garden_after_days: c.walled_garden_after_days,
            resolve_after_days: c.resolve_after_days,
            watch_days: c.watch_days,
            channels: c.channels,
          },
        };
      },
    );

    // The cases API previews a notice in the subscriber's own language; the Settings screen shows a
    // template in both, so this renders the same notice with the language chosen. Reading the
    // contact goes through the gate (audited) exactly as the cases preview does.
    app.get<{ Params: { id: number }; Querystring: { lang: 'ja' | 'en'; stage?: number } }>(
      '/api/v1/ui/cases/:id/preview',
      {
        config: { roles: ['operator'] },
        schema: {
          tags: ['ui'],
          summary: "A case's next notice rendered in the language asked for, not sent (audited)",
          params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
          querystring: Type.Object(
            {
              lang: Type.Union([Type.Literal('ja'), Type.Literal('en')]),
              stage: Type.Optional(Type.Integer({ minimum: 1, maximum: 3 })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) =>
        ctx.store.transaction(async (tx) => {
          const c = await getCase(tx, req.params.id);
          if (c.kind !== 'subscriber')
            throw new YojinError(
              'CASE_INVALID_STATE',
              `case ${c.id} is a site-owner case; it has no subscriber notice to preview`,
            );
          const stage = req.query.stage ?? Math.min(Math.max(c.stage, 0) + (c.stage < 3 ? 1 : 0), 3);
          const actor = `token:${req.principal?.name ?? 'unknown'}`;
          await readContact(ctx, tx, c, 'notice.preview', actor, { stage, lang: req.query.lang });
          const { rendered } = await renderNotice(ctx, tx, c, stage, req.query.lang);
          return { case: c.id, stage, ...rendered };
        }),
    );
  };
}

/** The route module registered in src/api/routes/index.ts. */
export const dashboardRoutes = uiRoutes();
