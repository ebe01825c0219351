import { YojinError } from '../errors/index.js';
import { listPartners, pullPartner, pushPartner } from './client/sync.js';
import type { Hub } from './hub.js';
import { addCollection, addOrg, type Collection, findCollection, grant } from './orgs.js';
import { publishIndicators } from './publish.js';
import { caseFeatures, findSimilar, patternValues, reportFeatures } from './similar/index.js';
import { type Bundle, bundle, type StixObject } from './stix/index.js';
import { parseRow, queryObjects } from './taxii/objects-store.js';

async function collectionOrFail(hub: Hub, idOrAlias: string): Promise<Collection> {
  const c = await findCollection(hub.ctx.store, idOrAlias);
  if (!c)
    throw new YojinError(
      'NOT_FOUND',
      `no collection "${idOrAlias}"; list them with \`yojin share collections\``,
    );
  return c;
}

/** A member organisation with read/write rights on named collections; returns its credentials once. */
export async function addMember(hub: Hub, name: string, read: string[] = [], write: string[] = []) {
  const cols = await Promise.all([...read, ...write].map((c) => collectionOrFail(hub, c)));
  return hub.ctx.store.transaction(async (tx) => {
    const created = await addOrg(tx, name);
    for (const c of cols) {
      await grant(tx, c.id, created.org.id, {
        can_read: read.includes(c.alias ?? c.id) || read.includes(c.id),
        can_write: write.includes(c.alias ?? c.id) || write.includes(c.id),
      });
    }
    return created;
  });
}

export { addCollection };

/** The STIX bundle a collection serves now: the latest version of every object in it. */
export async function exportCollection(hub: Hub, idOrAlias: string): Promise<Bundle> {
  const c = await collectionOrFail(hub, idOrAlias);
  const objects: StixObject[] = [];
  let afterSeq: number | undefined;
  for (;;) {
    const page = await queryObjects(hub.ctx.store, c.id, { afterSeq }, 5000);
    objects.push(...page.rows.map(parseRow));
    if (!page.more) break;
    afterSeq = page.rows[page.rows.length - 1].seq;
  }
  return bundle(objects);
}

/** One sharing cycle: publish our indicators, then pull from and push to every partner. */
export async function syncAll(hub: Hub) {
  const published = await publishIndicators(hub);
  const pulls = [];
  const pushes = [];
  for (const p of await listPartners(hub)) {
    try {
      if (p.direction !== 'push') pulls.push(await pullPartner(hub, p));
      if (p.direction !== 'pull') pushes.push(await pushPartner(hub, p));
    } catch (err) {
      await hub.ctx.store.query('UPDATE sharing_partners SET last_error = $2 WHERE name = $1', [
        p.name,
        (err as Error).message,
      ]);
      hub.ctx.log.warn({ partner: p.name, err }, 'partner sync failed');
    }
  }
  return { published, pulls, pushes };
}

/**
 * Similar-case search input: a STIX bundle (its first report, or all its indicators and malware), or
 * plain text with one indicator value per line and `family: NAME` lines.
 */
export function featuresFromInput(text: string) {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const b = JSON.parse(trimmed) as Bundle;
    const objects = b.objects ?? [];
    const byId = new Map(objects.map((o) => [o.id, o]));
    const report = objects.find((o) => o.type === 'report');
    if (report) return reportFeatures(report, byId).features;
    const indicators = objects.flatMap((o) =>
      o.type === 'indicator' && typeof o.pattern === 'string' ? patternValues(o.pattern) : [],
    );
    const families = objects.flatMap((o) =>
      o.type === 'malware' && typeof o.name === 'string' ? [o.name] : [],
    );
    return caseFeatures(indicators, families);
  }
  const indicators: string[] = [];
  const families: string[] = [];
  for (const line of trimmed.split(/\r?\n/)) {
    const l = line.trim();
    if (!l || l.startsWith('#')) continue;
    const fam = /^family:\s*(.+)$/i.exec(l);
    if (fam) families.push(fam[1]);
    else indicators.push(l);
  }
  return caseFeatures(indicators, families);
}

export { findSimilar };
