import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { YojinError } from '../errors/index.js';
import type { Queryable } from '../store/index.js';
import { stixId } from './stix/index.js';
import type { Tlp } from './stix/tlp.js';

export interface Org {
  id: number;
  name: string;
}

export interface Collection {
  id: string;
  alias: string | null;
  title: string;
  description: string;
  max_tlp: Exclude<Tlp, 'red'>;
  content: 'indicators' | 'exchange';
  published_serial: number;
}

export interface Rights {
  can_read: boolean;
  can_write: boolean;
}

// Secrets are 256 random bits: SHA-256 at rest is enough (nothing to brute-force), as for API tokens.
const hash = (s: string) => createHash('sha256').update(s).digest('hex');

/** Adds a member organisation with one credential; the secret is returned once. */
export async function addOrg(
  db: Queryable,
  name: string,
): Promise<{ org: Org; username: string; secret: string }> {
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/.test(name)) {
    throw new YojinError(
      'REQUEST_INVALID',
      'an organisation name is 1–100 letters, digits, spaces, dots, dashes or underscores',
    );
  }
  const exists = await db.query('SELECT 1 FROM sharing_orgs WHERE name = $1', [name]);
  if (exists.rows.length) throw new YojinError('CONFLICT', `organisation "${name}" already exists`);
  const r = await db.query<Org>(
    'INSERT INTO sharing_orgs (name, identity_id) VALUES ($1, $2) RETURNING id, name',
    [name, stixId('identity', `organisation:${name}`)],
  );
  const org = r.rows[0];
  const username = `${name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}-${randomBytes(3).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  await db.query('INSERT INTO sharing_credentials (username, org_id, secret_hash) VALUES ($1, $2, $3)', [
    username,
    org.id,
    hash(secret),
  ]);
  return { org, username, secret };
}

/** The organisation a credential belongs to, or undefined. Bearer tokens are `<username>.<secret>`. */
export async function authenticateOrg(
  db: Queryable,
  username: string,
  secret: string,
): Promise<Org | undefined> {
  const r = await db.query<{ id: number; name: string; secret_hash: string; revoked_at: Date | null }>(
    `SELECT o.id, o.name, c.secret_hash, c.revoked_at FROM sharing_credentials c JOIN sharing_orgs o ON o.id = c.org_id
     WHERE c.username = $1`,
    [username],
  );
  const row = r.rows[0];
  if (!row || row.revoked_at) return undefined;
  const ok = timingSafeEqual(Buffer.from(hash(secret), 'hex'), Buffer.from(row.secret_hash, 'hex'));
  return ok ? { id: row.id, name: row.name } : undefined;
}

export async function addCollection(
  db: Queryable,
  c: {
    alias: string;
    title?: string;
    description?: string;
    max_tlp?: Collection['max_tlp'];
    content?: Collection['content'];
  },
): Promise<Collection> {
  const r = await db.query<Collection>(
    `INSERT INTO taxii_collections (id, alias, title, description, max_tlp, content) VALUES ($1,$2,$3,$4,$5,$6)
     ON CONFLICT (alias) DO UPDATE SET title = EXCLUDED.title, description = EXCLUDED.description,
       max_tlp = EXCLUDED.max_tlp, content = EXCLUDED.content
     RETURNING *`,
    [
      randomUUID(),
      c.alias,
      c.title ?? c.alias,
      c.description ?? '',
      c.max_tlp ?? 'green',
      c.content ?? 'exchange',
    ],
  );
  return r.rows[0];
}

export async function findCollection(db: Queryable, idOrAlias: string): Promise<Collection | undefined> {
  const r = await db.query<Collection>('SELECT * FROM taxii_collections WHERE id::text = $1 OR alias = $1', [
    idOrAlias,
  ]);
  return r.rows[0];
}

export async function listCollections(db: Queryable): Promise<Collection[]> {
  return (await db.query<Collection>('SELECT * FROM taxii_collections ORDER BY alias')).rows;
}

export async function grant(
  db: Queryable,
  collectionId: string,
  orgId: number,
  rights: Partial<Rights>,
): Promise<void> {
  await db.query(
    `INSERT INTO taxii_rights (collection_id, org_id, can_read, can_write) VALUES ($1, $2, $3, $4)
     ON CONFLICT (collection_id, org_id) DO UPDATE SET can_read = taxii_rights.can_read OR EXCLUDED.can_read,
       can_write = taxii_rights.can_write OR EXCLUDED.can_write`,
    [collectionId, orgId, rights.can_read ?? false, rights.can_write ?? false],
  );
}

export async function rightsOf(db: Queryable, collectionId: string, orgId: number): Promise<Rights> {
  const r = await db.query<Rights>(
    'SELECT can_read, can_write FROM taxii_rights WHERE collection_id = $1 AND org_id = $2',
    [collectionId, orgId],
  );
  return r.rows[0] ?? { can_read: false, can_write: false };
}

export async function listOrgs(db: Queryable) {
  return (
    await db.query<{
      id: number;
      name: string;
      rights: Array<{ collection: string; can_read: boolean; can_write: boolean }>;
    }>(
      `SELECT o.id, o.name, coalesce(json_agg(json_build_object('collection', c.alias, 'can_read', r.can_read, 'can_write', r.can_write))
         FILTER (WHERE r.collection_id IS NOT NULL), '[]') AS rights
       FROM sharing_orgs o LEFT JOIN taxii_rights r ON r.org_id = o.id LEFT JOIN taxii_collections c ON c.id = r.collection_id
       GROUP BY o.id, o.name ORDER BY o.name`,
    )
  ).rows;
}
