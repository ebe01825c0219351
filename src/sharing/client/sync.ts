import { appendAudit } from '../../audit/index.js';
import { isYojinError } from '../../errors/index.js';
import { getParser, linesOf } from '../../pipeline/index.js';
import { createSource, getSource, importFeed, updateSource } from '../../reputation/index.js';
import type { Hub } from '../hub.js';
import { findCollection } from '../orgs.js';
import { indexReports } from '../similar/index.js';
import { bundle } from '../stix/index.js';
import { addObjects, parseRow, queryObjects } from '../taxii/objects-store.js';
import { TaxiiClient } from './taxii-client.js';

export interface Partner {
  name: string;
  api_root: string;
  collection_id: string;
  direction: 'pull' | 'push' | 'both';
  username: string | null;
  password: string | null;
  reliability: number;
  local_collection: string | null;
  bookmark: string | null;
  pushed_serial: number;
}

export async function listPartners(hub: Hub): Promise<Partner[]> {
  return (await hub.ctx.store.query<Partner>('SELECT * FROM sharing_partners ORDER BY name')).rows;
}

export async function addPartner(hub: Hub, p: Omit<Partner, 'bookmark' | 'pushed_serial'>) {
  await hub.ctx.store.query(
    `INSERT INTO sharing_partners (name, api_root, collection_id, direction, username, password, reliability, local_collection)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
     ON CONFLICT (name) DO UPDATE SET api_root = EXCLUDED.api_root, collection_id = EXCLUDED.collection_id,
       direction = EXCLUDED.direction, username = EXCLUDED.username, password = EXCLUDED.password,
       reliability = EXCLUDED.reliability, local_collection = EXCLUDED.local_collection`,
    [
      p.name,
      p.api_root,
      p.collection_id,
      p.direction,
      p.username,
      p.password,
      p.reliability,
      p.local_collection,
    ],
  );
}

/** The reputation source a partner's indicators are observed through, carrying its reliability. */
async function partnerSource(hub: Hub, p: Partner): Promise<string> {
  const name = `taxii:${p.name}`;
  try {
    const s = await getSource(hub.ctx.store, name);
    if (s.reliability !== p.reliability) await updateSource(hub.ctx, name, { reliability: p.reliability });
  } catch (err) {
    if (!isYojinError(err, 'NOT_FOUND')) throw err;
    await createSource(hub.ctx, {
      name,
      kind: 'partner',
      format: 'stix2',
      url: p.api_root,
      reliability: p.reliability,
    });
  }
  return name;
}

/**
 * Polls a partner's collection from its bookmark (`added_after`), page by page: objects are kept in the
 * local collection (if one is set), reports indexed for similar-case search, and indicators imported as
 * observations of the partner's source — so the partner's reliability weighs in their confidence.
 */
export async function pullPartner(hub: Hub, p: Partner) {
  const { ctx } = hub;
  const client = new TaxiiClient(p.api_root, p.username ?? undefined, p.password ?? undefined);
  const source = await partnerSource(hub, p);
  const local = p.local_collection ? await findCollection(ctx.store, p.local_collection) : undefined;
  let bookmark = p.bookmark ?? undefined;
  let next: string | undefined;
  let objects = 0;
  let imported = 0;
  let rejected = 0;
  for (;;) {
    const page = await client.getObjects(p.collection_id, { addedAfter: next ? bookmark : bookmark, next });
    const got = page.envelope.objects ?? [];
    objects += got.length;
    if (got.length) {
      if (local) await addObjects(hub, ctx.store, local, got, ctx.clock.now());
      await indexReports(ctx.store, got);
      const text = JSON.stringify(bundle(got));
      const summary = await importFeed(ctx, {
        source,
        format: 'stix2',
        items: getParser('stix2').parse(linesOf(text)),
      });
      imported += summary.new + summary.updated + summary.unchanged;
      rejected += summary.rejectedCount;
    }
    if (!page.envelope.more || !page.envelope.next) {
      if (page.dateAddedLast) bookmark = page.dateAddedLast;
      break;
    }
    next = page.envelope.next;
  }
  await ctx.store.query(
    'UPDATE sharing_partners SET bookmark = $2, last_sync_at = $3, last_error = NULL WHERE name = $1',
    [p.name, bookmark ?? null, ctx.clock.now()],
  );
  await appendAudit(
    ctx.store,
    {
      actor: 'sharing',
      action: 'taxii.pull',
      outcome: 'done',
      measure: 'share-information',
      legalBasis: 'legitimate-business-act',
      subject: `partner:${p.name}`,
      details: { objects, imported, rejected, bookmark },
    },
    ctx.clock,
  );
  return { partner: p.name, objects, imported, rejected, bookmark };
}

/** Pushes what our local collection gained since the last push to a partner that accepts writes. */
export async function pushPartner(hub: Hub, p: Partner) {
  const { ctx } = hub;
  if (!p.local_collection) throw new Error(`partner ${p.name} has no local collection to push from`);
  const local = await findCollection(ctx.store, p.local_collection);
  if (!local) throw new Error(`local collection ${p.local_collection} does not exist`);
  const client = new TaxiiClient(p.api_root, p.username ?? undefined, p.password ?? undefined);
  let after = Number(p.pushed_serial);
  let pushed = 0;
  let failed = 0;
  for (;;) {
    const page = await queryObjects(ctx.store, local.id, { afterSeq: after, versions: ['all'] }, 500);
    if (page.rows.length === 0) break;
    // our collections already hold sanitised, TLP-checked objects (see publish.ts)
    const res = await client.addObjects(p.collection_id, page.rows.map(parseRow));
    pushed += res.success_count;
    failed += res.failure_count;
    after = page.rows[page.rows.length - 1].seq;
    await ctx.store.query(
      'UPDATE sharing_partners SET pushed_serial = $2, last_sync_at = $3 WHERE name = $1',
      [p.name, after, ctx.clock.now()],
    );
    if (!page.more) break;
  }
  await appendAudit(
    ctx.store,
    {
      actor: 'sharing',
      action: 'taxii.push',
      outcome: 'done',
      measure: 'share-information',
      legalBasis: 'legitimate-business-act',
      subject: `partner:${p.name}`,
      details: { pushed, failed },
    },
    ctx.clock,
  );
  return { partner: p.name, pushed, failed };
}
