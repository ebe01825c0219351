import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateConfig } from '../config/index.js';
import { MeasureRegistry } from '../measures/index.js';
import { type SmtpSink, startSmtpSink } from '../notify/sink.js';
import { migrate, PGliteStore, PostgresStore, type Store } from '../store/index.js';
import { REPO_ROOT, runCli, YOJIN_BIN } from '../testing/cli.js';
import { freshDatabaseUrl, testBackends } from '../testing/stores.js';
import { addEvidence, addSubscriber } from './fixtures.js';

const NOTICES = 60;

async function seed(store: Store) {
  await MeasureRegistry.fromConfig(validateConfig({})).sync(store);
  const now = new Date();
  for (let i = 0; i < NOTICES; i++) {
    await addSubscriber(store, `S-crash-${i}`, { email: `crash${i}@example.jp` }, i % 2 ? 'en' : 'ja');
    await addEvidence(store, {
      subscriber: `S-crash-${i}`,
      seenAt: now,
      family: 'mirai',
      addr: `198.51.100.${i + 1}`,
    });
  }
}

function env(sink: SmtpSink): NodeJS.ProcessEnv {
  return {
    YOJIN_SMTP_URL: sink.url,
    YOJIN_SMTP_POOL: '2',
    // small batches: many claim/mark rounds, so the kill lands between them as well as inside one
    YOJIN_NOTIFY_BATCH: '7',
    // a crashed sender's claims become due again after 1 s (default 300 s)
    YOJIN_NOTIFY_LEASE_SECONDS: '1',
    YOJIN_SITEOWNERS_ENABLED: 'false',
    YOJIN_LOG_LEVEL: 'warn',
  };
}

/** Runs `yojin cases run`, SIGKILLs it once `killAfter` distinct notices reached the sink. */
function runAndKill(args: string[], sink: SmtpSink, killAfter: number): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [YOJIN_BIN, 'cases', 'run', ...args], {
      cwd: REPO_ROOT,
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YOJIN_'))),
        ...env(sink),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const timer = setInterval(() => {
      if (sink.messages.size >= killAfter) child.kill('SIGKILL');
    }, 5);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      if (signal !== 'SIGKILL')
        reject(new Error(`cases run ended before the kill (code ${code}): ${stderr}`));
      else resolve(signal);
    });
  });
}

/** Restarts `cases run` until every notice is marked sent (the killed run's claims wait out their 1 s lease). */
async function finish(args: string[], sink: SmtpSink, sentCount: () => Promise<number>) {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 1100));
    const r = await runCli(['cases', 'run', '--json', ...args], { env: env(sink) });
    assert.equal(r.code, 0, r.stderr);
    if ((await sentCount()) === NOTICES) return;
  }
  assert.fail('the outbox did not drain after restarts');
}

const sentIn = async (store: Store) =>
  Number(
    (await store.query<{ n: string }>(`SELECT count(*) AS n FROM notifications WHERE status = 'sent'`))
      .rows[0].n,
  );

async function check(sink: SmtpSink, store: Store) {
  const rows = await store.query<{ message_id: string; status: string }>(
    'SELECT message_id, status FROM notifications ORDER BY id',
  );
  assert.equal(rows.rows.length, NOTICES, 'one notice per case, none lost before the outbox');
  for (const n of rows.rows) {
    assert.equal(n.status, 'sent');
    assert.ok(sink.messages.has(n.message_id), `notice ${n.message_id} never arrived`);
  }
  // exactly once at the receiver: as many distinct Message-IDs as notices, and nothing else
  assert.equal(sink.messages.size, NOTICES);
  const recipients = new Set([...sink.messages.values()].flatMap((m) => m.to));
  assert.equal(recipients.size, NOTICES);
}

test('SIGKILL in the middle of `yojin cases run`, restart: every notice arrives exactly once (data dir)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'yojin-crash-'));
  const sink = await startSmtpSink();
  try {
    // a migrated store from the test template, written into a data dir as the CLI will open it
    const mem = await testBackends()[0].open();
    const blob = await (mem as unknown as PGliteStore).dump();
    await mem.dispose();
    const seedStore = await PGliteStore.open(join(dir, 'data'), { loadDataDir: blob });
    await seed(seedStore);
    await seedStore.close();
    const args = ['--data-dir', join(dir, 'data')];
    await runAndKill(args, sink, NOTICES / 3);
    assert.ok(sink.messages.size < NOTICES, 'killed before all notices went out');
    await finish(args, sink, async () => {
      const st = await PGliteStore.open(join(dir, 'data'));
      try {
        return await sentIn(st);
      } finally {
        await st.close();
      }
    });
    const store = await PGliteStore.open(join(dir, 'data'));
    try {
      await check(sink, store);
      t.diagnostic(
        `re-sent after the kill with the same Message-ID (dropped by the sink): ${sink.accepted - sink.messages.size}`,
      );
    } finally {
      await store.close();
    }
  } finally {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGKILL in the middle of `yojin cases run`, restart: every notice arrives exactly once (PostgreSQL)', async (t) => {
  const db = await freshDatabaseUrl();
  if (!db) {
    t.skip('YOJIN_TEST_DATABASE_URL not set');
    return;
  }
  const sink = await startSmtpSink();
  try {
    const store = await PostgresStore.open(db.url, 2);
    await migrate(store);
    await seed(store);
    const args = ['--database-url', db.url];
    await runAndKill(args, sink, NOTICES / 3);
    await finish(args, sink, () => sentIn(store));
    await check(sink, store);
    t.diagnostic(
      `re-sent after the kill with the same Message-ID (dropped by the sink): ${sink.accepted - sink.messages.size}`,
    );
    await store.close();
  } finally {
    await sink.close();
    await db.drop();
  }
});
