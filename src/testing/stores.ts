import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate, PGliteStore, PostgresStore, type Store } from '../store/index.js';
import { MIGRATIONS } from '../store/migrations/index.js';

/** A backend under test: opens a fresh, empty store and disposes of it afterwards. */
export interface TestBackend {
  name: 'pglite' | 'postgres';
  open(opts?: { migrated?: boolean }): Promise<Store & { dispose(): Promise<void> }>;
}

/**
 * Creating a PGlite database (initdb in WebAssembly) takes seconds; loading a dump of one takes a
 * fraction of that. The first test process to need one builds a migrated template and caches it in
 * the temp dir, keyed by the migrations' text, so a schema change builds a new one.
 */
async function pgliteTemplate(): Promise<Blob> {
  const key = createHash('sha256')
    .update(MIGRATIONS.map((m) => m.id + m.sql).join('\0'))
    .digest('hex')
    .slice(0, 16);
  const file = join(tmpdir(), `yojin-pglite-template-${key}.tar`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const store = await PGliteStore.open();
  await migrate(store);
  const blob = await store.dump();
  await store.close();
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
  renameSync(tmp, file);
  return blob;
}

const pgliteBackend: TestBackend = {
  name: 'pglite',
  async open(opts = {}) {
    const store =
      opts.migrated === false
        ? await PGliteStore.open()
        : await PGliteStore.open(undefined, { loadDataDir: await pgliteTemplate() });
    return Object.assign(store, { dispose: () => store.close() });
  },
};

/**
 * A PostgreSQL server backend when YOJIN_TEST_DATABASE_URL is set (CI sets it): every open() creates a
 * database of its own on that server and drops it on dispose, so test files never see each other.
 */
function postgresBackend(adminUrl: string): TestBackend {
  return {
    name: 'postgres',
    async open(opts = {}) {
      const db = (await freshDatabaseUrl(adminUrl))!;
      const store = await PostgresStore.open(db.url, 4);
      if (opts.migrated !== false) await migrate(store);
      const dispose = async () => {
        await store.close();
        await db.drop();
      };
      return Object.assign(store, { dispose, url: db.url });
    },
  };
}

/** The backends every storage test runs on: PGlite always, PostgreSQL when configured. */
export function testBackends(): TestBackend[] {
  const url = process.env.YOJIN_TEST_DATABASE_URL;
  return url ? [pgliteBackend, postgresBackend(url)] : [pgliteBackend];
}

/** A fresh database URL on the test server (for CLI tests against PostgreSQL), or undefined. */
export async function freshDatabaseUrl(
  adminUrl = process.env.YOJIN_TEST_DATABASE_URL,
): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  if (!adminUrl) return undefined;
  const name = `yojin_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
