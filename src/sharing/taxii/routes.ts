import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/index.js';
import { appendAudit } from '../../audit/index.js';
import type { Hub } from '../hub.js';
import { authenticateOrg, type Collection, findCollection, type Org, rightsOf } from '../orgs.js';
import { indexReports } from '../similar/index.js';
import type { StixObject } from '../stix/index.js';
import {
  addObjects,
  decodeCursor,
  deleteObjects,
  envelopeJson,
  type ObjectFilter,
  queryObjects,
  type Row,
  recordStatus,
  STIX_MEDIA_TYPE,
} from './objects-store.js';

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';

class TaxiiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly description?: string,
  ) {
    super(title);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    org?: Org;
  }
}

type Q = Record<string, string | undefined>;

function acceptsTaxii(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [type, ...params] = part
      .trim()
      .toLowerCase()
      .split(';')
      .map((s) => s.trim());
    if (type !== 'application/taxii+json') return false;
    const v = params.find((p) => p.startsWith('version='));
    return !v || v === 'version=2.1';
  });
}

function credentials(req: FastifyRequest): { username: string; secret: string } | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const basic = /^Basic\s+(\S+)$/i.exec(h);
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString();
    const i = decoded.indexOf(':');
    return i > 0 ? { username: decoded.slice(0, i), secret: decoded.slice(i + 1) } : undefined;
  }
  const bearer = /^Bearer\s+([^.\s]+)\.(\S+)$/i.exec(h);
  return bearer ? { username: bearer[1], secret: bearer[2] } : undefined;
}

function filterFrom(q: Q): ObjectFilter {
  const list = (v?: string) =>
    v
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  const f: ObjectFilter = {
    ids: list(q['match[id]']),
    types: list(q['match[type]']),
    versions: list(q['match[version]']),
    specVersions: list(q['match[spec_version]']),
  };
  if (q.added_after) {
    const d = new Date(q.added_after);
    if (Number.isNaN(d.getTime()))
      throw new TaxiiError(400, 'Invalid added_after', 'added_after must be an RFC 3339 timestamp');
    f.addedAfter = d;
  }
  for (const v of f.versions ?? []) {
    if (!['last', 'first', 'all'].includes(v) && Number.isNaN(new Date(v).getTime())) {
      throw new TaxiiError(400, 'Invalid match[version]', `"${v}" is not last, first, all or a timestamp`);
    }
  }
  if (q.next) {
    const seq = decodeCursor(q.next);
    if (seq === undefined)
      throw new TaxiiError(400, 'Invalid next', 'next must be a value returned by this server');
    f.afterSeq = seq;
  }
  return f;
}

function pageHeaders(reply: FastifyReply, rows: Row[]) {
  if (rows.length === 0) return;
  reply.header('X-TAXII-Date-Added-First', new Date(rows[0].date_added).toISOString());
  reply.header('X-TAXII-Date-Added-Last', new Date(rows[rows.length - 1].date_added).toISOString());
}

/**
 * The TAXII 2.1 server: discovery, one API root, collections, objects, manifest, versions, status.
 * Members authenticate with HTTP Basic (username:secret) or Bearer (`username.secret`); rights are per
 * collection. Errors are TAXII error messages.
 */
export async function taxiiRoutes(app: FastifyInstance, ctx: AppContext, hub: () => Promise<Hub>) {
  const cfg = ctx.config.sharing;
  const root = `/taxii2/${cfg.api_root}/`;
  await app.register(
    async (t) => {
      t.addContentTypeParser(
        ['application/taxii+json', 'application/json'],
        { parseAs: 'string', bodyLimit: cfg.max_content_length },
        (_req, body, done) => {
          try {
            done(null, JSON.parse(body as string));
          } catch {
            done(new TaxiiError(400, 'Invalid JSON', 'the request body is not valid JSON'), undefined);
          }
        },
      );
      t.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
        const e =
          err instanceof TaxiiError
            ? err
            : err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
              ? new TaxiiError(
                  413,
                  'Request too large',
                  `bodies are limited to ${cfg.max_content_length} bytes`,
                )
              : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
                ? new TaxiiError(415, 'Unsupported media type', `send ${TAXII_MEDIA_TYPE}`)
                : err.statusCode && err.statusCode < 500
                  ? new TaxiiError(err.statusCode, err.message)
                  : new TaxiiError(500, 'Internal error');
        if (e.status >= 500) ctx.log.error({ err }, 'TAXII error');
        if (e.status === 401) reply.header('WWW-Authenticate', 'Basic realm="yojin TAXII", Bearer');
        reply
          .status(e.status)
          .type(TAXII_MEDIA_TYPE)
          .send({
            title: e.title,
            ...(e.description ? { description: e.description } : {}),
            http_status: String(e.status),
          });
      });
      t.setNotFoundHandler((_req, reply) => {
        reply.status(404).type(TAXII_MEDIA_TYPE).send({ title: 'Not found', http_status: '404' });
      });
      t.addHook('onRequest', async (req) => {
        if (!acceptsTaxii(req.headers.accept)) {
          throw new TaxiiError(406, 'Not acceptable', `the Accept header must include ${TAXII_MEDIA_TYPE}`);
        }
        const c = credentials(req);
        if (!c)
          throw new TaxiiError(
            401,
            'Authentication required',
            'use HTTP Basic or Bearer <username>.<secret>',
          );
        const org = await authenticateOrg(ctx.store, c.username, c.secret);
        if (!org) throw new TaxiiError(401, 'Authentication failed', 'unknown or revoked credentials');
        req.org = org;
      });
      t.addHook('onSend', async (_req, reply, payload) => {
        if (!reply.getHeader('content-type')?.toString().startsWith('application/taxii+json'))
          reply.type(TAXII_MEDIA_TYPE);
        return payload;
      });

      const config = { config: { public: true } } as const;
      const collectionFor = async (req: FastifyRequest, need: 'read' | 'write' | 'any') => {
        const { id } = req.params as { id: string };
        const c = await findCollection(ctx.store, id);
        const rights = c
          ? await rightsOf(ctx.store, c.id, req.org!.id)
          : { can_read: false, can_write: false };
        // a collection the member has no rights on does not exist for it
        if (!c || (!rights.can_read && !rights.can_write)) throw new TaxiiError(404, 'Collection not found');
        if (need === 'read' && !rights.can_read)
          throw new TaxiiError(403, 'Forbidden', 'you may not read this collection');
        if (need === 'write' && !rights.can_write)
          throw new TaxiiError(403, 'Forbidden', 'you may not write to this collection');
        return { c, rights };
      };
      const describe = (c: Collection, r: { can_read: boolean; can_write: boolean }) => ({
        id: c.id,
        title: c.title,
        ...(c.description ? { description: c.description } : {}),
        ...(c.alias ? { alias: c.alias } : {}),
        can_read: r.can_read,
        can_write: r.can_write,
        media_types: [STIX_MEDIA_TYPE],
      });
      const limitOf = (q: Q) => {
        if (q.limit === undefined) return cfg.page_size;
        const n = Number(q.limit);
        if (!Number.isInteger(n) || n < 1)
          throw new TaxiiError(400, 'Invalid limit', 'limit must be a positive integer');
        return Math.min(n, cfg.max_page_size);
      };

      t.get('/', config, async (req) => {
        const base = `${req.protocol}://${req.headers.host}`;
        return {
          title: cfg.taxii_title,
          description: 'TAXII 2.1 server of yojin',
          ...(cfg.taxii_contact ? { contact: cfg.taxii_contact } : {}),
          default: `${base}${root}`,
          api_roots: [`${base}${root}`],
        };
      });
      t.get(`/${cfg.api_root}/`, config, async () => ({
        title: cfg.taxii_title,
        versions: [TAXII_MEDIA_TYPE],
        max_content_length: cfg.max_content_length,
      }));
      t.get(`/${cfg.api_root}/status/:sid/`, config, async (req) => {
        const { sid } = req.params as { sid: string };
        const r = await ctx.store.query<Record<string, unknown>>(
          'SELECT * FROM taxii_status WHERE id::text = $1 AND org_id = $2',
          [sid, req.org!.id],
        );
        const s = r.rows[0];
        if (!s) throw new TaxiiError(404, 'Status not found');
        return {
          id: s.id,
          status: s.status,
          request_timestamp: new Date(s.request_timestamp as Date).toISOString(),
          total_count: s.total_count,
          success_count: s.success_count,
          successes: s.successes,
          failure_count: s.failure_count,
          failures: s.failures,
          pending_count: s.pending_count,
          pendings: s.pendings,
        };
      });
      t.get(`/${cfg.api_root}/collections/`, config, async (req) => {
        const r = await ctx.store.query<Collection & { can_read: boolean; can_write: boolean }>(
          `SELECT c.*, r.can_read, r.can_write FROM taxii_collections c JOIN taxii_rights r ON r.collection_id = c.id
           WHERE r.org_id = $1 AND (r.can_read OR r.can_write) ORDER BY c.alias`,
          [req.org!.id],
        );
        return r.rows.length ? { collections: r.rows.map((c) => describe(c, c)) } : {};
      });
      t.get(`/${cfg.api_root}/collections/:id/`, config, async (req) => {
        const { c, rights } = await collectionFor(req, 'any');
        return describe(c, rights);
      });
      t.get(`/${cfg.api_root}/collections/:id/manifest/`, config, async (req, reply) => {
        const { c } = await collectionFor(req, 'read');
        const q = req.query as Q;
        const page = await queryObjects(ctx.store, c.id, filterFrom(q), limitOf(q));
        pageHeaders(reply, page.rows);
        return {
          more: page.more,
          ...(page.next ? { next: page.next } : {}),
          ...(page.rows.length
            ? {
                objects: page.rows.map((r) => ({
                  id: r.id,
                  date_added: new Date(r.date_added).toISOString(),
                  version: r.version,
                  media_type: STIX_MEDIA_TYPE,
                })),
              }
            : {}),
        };
      });
      t.get(`/${cfg.api_root}/collections/:id/objects/`, config, async (req, reply) => {
        const { c } = await collectionFor(req, 'read');
        const q = req.query as Q;
        const page = await queryObjects(ctx.store, c.id, filterFrom(q), limitOf(q));
        pageHeaders(reply, page.rows);
        return reply.type(TAXII_MEDIA_TYPE).send(envelopeJson(page));
      });
      t.post(`/${cfg.api_root}/collections/:id/objects/`, config, async (req, reply) => {
        const ct = req.headers['content-type'] ?? '';
        if (!/^application\/taxii\+json(\s*;\s*version=2\.1)?\s*$/i.test(ct)) {
          throw new TaxiiError(415, 'Unsupported media type', `send ${TAXII_MEDIA_TYPE}`);
        }
        const { c } = await collectionFor(req, 'write');
        const body = req.body as { objects?: unknown };
        if (!body || !Array.isArray(body.objects)) {
          throw new TaxiiError(400, 'Invalid envelope', 'the body must be an envelope: {"objects": [...]}');
        }
        const h = await hub();
        const now = ctx.clock.now();
        const res = await ctx.store.transaction(async (tx) => {
          const added = await addObjects(h, tx, c, body.objects as unknown[], now);
          const ok = new Set(added.successes.map((x) => x.id));
          await indexReports(
            tx,
            (body.objects as StixObject[]).filter((o) => ok.has(o.id)),
          );
          const statusId = await recordStatus(
            tx,
            c.id,
            req.org!.id,
            now,
            (body.objects as unknown[]).length,
            added,
          );
          await appendAudit(
            tx,
            {
              actor: `org:${req.org!.name}`,
              action: 'taxii.add-objects',
              outcome: 'done',
              measure: 'share-information',
              legalBasis: 'legitimate-business-act',
              subject: `collection:${c.alias ?? c.id}`,
              details: { successes: added.successes.length, failures: added.failures.length },
            },
            ctx.clock,
          );
          return { added, statusId };
        });
        return reply.status(202).send({
          id: res.statusId,
          status: 'complete',
          request_timestamp: now.toISOString(),
          total_count: (body.objects as unknown[]).length,
          success_count: res.added.successes.length,
          successes: res.added.successes,
          failure_count: res.added.failures.length,
          failures: res.added.failures,
          pending_count: 0,
          pendings: [],
        });
      });
      t.get(`/${cfg.api_root}/collections/:id/objects/:oid/`, config, async (req, reply) => {
        const { c } = await collectionFor(req, 'read');
        const q = req.query as Q;
        const f = { ...filterFrom(q), ids: [(req.params as { oid: string }).oid] };
        const page = await queryObjects(ctx.store, c.id, f, limitOf(q));
        if (page.rows.length === 0 && !q.next) throw new TaxiiError(404, 'Object not found');
        pageHeaders(reply, page.rows);
        return reply.type(TAXII_MEDIA_TYPE).send(envelopeJson(page));
      });
      t.delete(`/${cfg.api_root}/collections/:id/objects/:oid/`, config, async (req) => {
        const { c } = await collectionFor(req, 'write');
        const q = req.query as Q;
        const f = {
          ...filterFrom(q),
          versions: filterFrom(q).versions ?? ['all'],
          ids: [(req.params as { oid: string }).oid],
        };
        const n = await deleteObjects(ctx.store, c.id, f);
        if (n === 0) throw new TaxiiError(404, 'Object not found');
        return {};
      });
      t.get(`/${cfg.api_root}/collections/:id/objects/:oid/versions/`, config, async (req, reply) => {
        const { c } = await collectionFor(req, 'read');
        const q = req.query as Q;
        const f = { ...filterFrom(q), versions: ['all'], ids: [(req.params as { oid: string }).oid] };
        const page = await queryObjects(ctx.store, c.id, f, limitOf(q));
        if (page.rows.length === 0 && !q.next) throw new TaxiiError(404, 'Object not found');
        pageHeaders(reply, page.rows);
        return {
          more: page.more,
          ...(page.next ? { next: page.next } : {}),
          versions: page.rows.map((r) => r.version),
        };
      });
    },
    { prefix: '/taxii2' },
  );
}
