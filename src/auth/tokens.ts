import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { YojinError } from '../errors/index.js';
import type { Queryable } from '../store/index.js';

export const ROLES = ['admin', 'analyst', 'operator', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
}

export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

// Tokens carry 256 random bits, so a plain SHA-256 is a sufficient at-rest hash (no dictionary to
// attack); passwords, which people choose, get argon2 instead.
const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** `yjn_<id>_<secret>`: the id finds the row, the secret is checked against its hash. */
export async function createToken(
  db: Queryable,
  name: string,
  role: Role,
): Promise<{ token: string; id: string }> {
  if (!ROLES.includes(role)) {
    throw new YojinError('REQUEST_INVALID', `unknown role "${role}"; roles are ${ROLES.join(', ')}`);
  }
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await db.query('INSERT INTO api_tokens (id, name, role, secret_hash) VALUES ($1, $2, $3, $4)', [
    id,
    name,
    role,
    hashSecret(secret),
  ]);
  return { token: `yjn_${id}_${secret}`, id };
}

/** `now` is the process clock (sessions expire on it, so exercises with a moved clock stay consistent). */
export async function verifyToken(db: Queryable, token: string, now: Date = new Date()): Promise<Principal> {
  const m = /^yjn_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) throw new YojinError('AUTH_INVALID', 'the token is malformed; tokens look like yjn_<id>_<secret>');
  const [, id, secret] = m;
  const r = await db.query<{
    name: string;
    role: Role;
    secret_hash: string;
    revoked_at: Date | null;
    expires_at: Date | null;
  }>('SELECT name, role, secret_hash, revoked_at, expires_at FROM api_tokens WHERE id = $1', [id]);
  const row = r.rows[0];
  const given = Buffer.from(hashSecret(secret), 'hex');
  if (!row || !timingSafeEqual(given, Buffer.from(row.secret_hash, 'hex'))) {
    throw new YojinError('AUTH_INVALID', 'the token is not known; create one with `yojin token create`');
  }
  if (row.revoked_at) throw new YojinError('AUTH_INVALID', 'the token has been revoked');
  if (row.expires_at && new Date(row.expires_at).getTime() < now.getTime()) {
    throw new YojinError('AUTH_INVALID', 'the session has expired; sign in again');
  }
  return { tokenId: id, name: row.name, role: row.role };
}

export async function listTokens(db: Queryable): Promise<TokenInfo[]> {
  const r = await db.query<TokenInfo>(
    'SELECT id, name, role, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY created_at',
  );
  return r.rows;
}

export async function revokeToken(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [
    id,
  ]);
  return r.rowCount > 0;
}

export async function countTokens(db: Queryable): Promise<number> {
  const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_tokens');
  return r.rows[0].n;
}
