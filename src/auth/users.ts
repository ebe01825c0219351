import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { YojinError } from '../errors/index.js';
import type { Queryable } from '../store/index.js';
import { createToken, ROLES, type Role } from './tokens.js';

export interface User {
  username: string;
  role: Role;
  language: 'ja' | 'en';
}

/** Dashboard users: argon2id password hashes (people choose passwords, so a slow hash). */
export async function addUser(
  db: Queryable,
  username: string,
  role: Role,
  password: string,
  language: 'ja' | 'en' = 'ja',
): Promise<User> {
  if (!/^[a-zA-Z0-9._-]{1,64}$/.test(username)) {
    throw new YojinError(
      'REQUEST_INVALID',
      'a user name is 1–64 letters, digits, dots, dashes or underscores',
    );
  }
  if (!ROLES.includes(role))
    throw new YojinError('REQUEST_INVALID', `unknown role "${role}"; roles are ${ROLES.join(', ')}`);
  if (password.length < 12)
    throw new YojinError('REQUEST_INVALID', 'a password needs at least 12 characters');
  const exists = await db.query('SELECT 1 FROM users WHERE username = $1', [username]);
  if (exists.rows.length) throw new YojinError('CONFLICT', `user ${username} already exists`);
  await db.query('INSERT INTO users (username, role, password_hash, language) VALUES ($1, $2, $3, $4)', [
    username,
    role,
    await hash(password),
    language,
  ]);
  return { username, role, language };
}

const SESSION_HOURS = 12;

/** Checks a password and opens a session: an API token of the user's role that expires. */
export async function login(
  db: Queryable,
  username: string,
  password: string,
  now: Date,
): Promise<{ token: string; user: User; expiresAt: Date }> {
  const r = await db.query<User & { password_hash: string; disabled_at: Date | null }>(
    'SELECT username, role, language, password_hash, disabled_at FROM users WHERE username = $1',
    [username],
  );
  const u = r.rows[0];
  // verify against a dummy hash when the user is unknown, so timing does not tell who exists
  const ok = u ? await verify(u.password_hash, password) : await verify(DUMMY, password).then(() => false);
  if (!u || !ok || u.disabled_at) throw new YojinError('AUTH_INVALID', 'unknown user or wrong password');
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3_600_000);
  const t = await createToken(db, `session:${u.username}`, u.role);
  await db.query('UPDATE api_tokens SET expires_at = $2 WHERE id = $1', [t.id, expiresAt]);
  return { token: t.token, user: { username: u.username, role: u.role, language: u.language }, expiresAt };
}

const DUMMY = await hash(randomBytes(16).toString('hex'));
