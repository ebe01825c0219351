// `npm run bench -- notices [--cases N] [--pg URL]`: N subscriber cases → N e-mails accepted by a
// local SMTP server (smtp-server on 127.0.0.1). Times the case cycle's two halves: opening cases and
// preparing notices (gate + audit + render + outbox, in the case's transaction), then sending them
// through the outbox (claim, SMTP with pooled connections, mark sent). Target: ≤ 60 s for 10k.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createContext } from '../../src/app/index.js';
import { advanceCases, linkEvidence } from '../../src/cases/index.js';
import { ManualClock } from '../../src/clock/index.js';
import { validateConfig } from '../../src/config/index.js';
import { sendDue } from '../../src/notify/index.js';
import { startSmtpSink } from '../../src/notify/sink.js';
import { createLogger } from '../../src/observability/index.js';
import { migrate, PostgresStore, type Store } from '../../src/store/index.js';
import { freshDatabaseUrl, testBackends } from '../../src/testing/stores.js';
import { stringArg } from './support/args.js';

const N = Number(stringArg('cases', '10000'));
const pg = stringArg('pg', '');

// --sink process (default): the SMTP server in a child process, as a separate MTA would be;
// --sink inline: on the sender's own event loop (how the earlier figures were taken).
const sinkMode = stringArg('sink', 'process');
interface BenchSink {
  url: string;
  count(): Promise<{ distinct: number; accepted: number }>;
  close(): Promise<void>;
}
async function openSink(): Promise<BenchSink> {
  if (sinkMode === 'inline') {
    const s = await startSmtpSink();
    return {
      url: s.url,
      count: async () => ({ distinct: s.messages.size, accepted: s.accepted }),
      close: () => s.close(),
    };
  }
  const w = fork(fileURLToPath(new URL('./support/smtp-sink-process.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
  });
  const next = () => new Promise<Record<string, unknown>>((r) => w.once('message', r));
  const { url } = (await next()) as { url: string };
  return {
    url,
    async count() {
      const p = next();
      w.send('count');
      return (await p) as { distinct: number; accepted: number };
    },
    async close() {
      const p = next();
      w.send('close');
      await p;
    },
  };
}
const sink = await openSink();
let store: Store & { dispose?: () => Promise<void> };
let dropDb: (() => Promise<void>) | undefined;
if (pg) {
  // A database of its own on that server (dropped at the end), never the one the URL names.
  process.env.YOJIN_TEST_DATABASE_URL = pg;
  const fresh = (await freshDatabaseUrl())!;
  dropDb = fresh.drop;
  store = await PostgresStore.open(fresh.url, 8);
  await migrate(store);
} else store = await testBackends()[0].open();
// Whatever happens, the sink stops and the benchmark's own database is dropped.
try {
  const config = validateConfig({
    log: { level: 'silent', format: 'json' },
    smtp: { url: sink.url, from: 'ISP Security <security@isp.example>', pool: 8 },
    notify: { batch: 500 },
    siteowners: { enabled: false },
  });
  const clock = new ManualClock('2026-11-01T00:00:00Z');
  const ctx = await createContext(config, { store, clock, log: createLogger(config) });
  const now = clock.now();

  let t = performance.now();
  await store.copyFrom(
    'subscribers',
    ['id', 'language', 'contact'],
    (function* () {
      for (let i = 0; i < N; i++)
        yield [`B${i}`, i % 3 ? 'ja' : 'en', JSON.stringify({ email: `b${i}@example.jp` })];
    })(),
  );
  const fams = ['mirai', 'emotet', 'qakbot', null];
  await store.copyFrom(
    'evidence',
    ['measure', 'addr', 'port', 'seen_at', 'kind', 'family', 'source'],
    (function* () {
      for (let i = 0; i < N; i++)
        yield [
          'notify-infected',
          `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
          40000,
          now.toISOString(),
          'sinkhole',
          fams[i % 4],
          'bench',
        ];
    })(),
  );
  // Attributed as src/attribution leaves evidence: the i-th row (in id order) to subscriber B<i>.
  await store.query(
    `INSERT INTO attributions (evidence_id, subscriber_id, attributed_at)
     SELECT id, 'B' || (row_number() OVER (ORDER BY id) - 1), $1 FROM evidence ORDER BY id`,
    [now],
  );
  await store.exec('DELETE FROM attribution_queue');
  const load = (performance.now() - t) / 1000;

  t = performance.now();
  const linked = await linkEvidence(ctx);
  const open = (performance.now() - t) / 1000;
  t = performance.now();
  const adv = await advanceCases(ctx);
  const prepare = (performance.now() - t) / 1000;
  t = performance.now();
  const sent = await sendDue(ctx);
  const send = (performance.now() - t) / 1000;

  const fmt = (s: number) => `${s.toFixed(1)} s`;
  const got = await sink.count();
  console.log(`notices benchmark: ${N} cases on ${store.kind}, SMTP sink ${sink.url} (${sinkMode})`);
  console.log(`  load subscribers + evidence (COPY)     ${fmt(load)}`);
  console.log(
    `  open cases (${linked.opened})                 ${fmt(open)}  (${Math.round(linked.opened / open)}/s)`,
  );
  console.log(
    `  prepare notices (${adv.notices}, gate+audit+render) ${fmt(prepare)}  (${Math.round(adv.notices / prepare)}/s)`,
  );
  console.log(
    `  send through the outbox (${sent.sent} sent)  ${fmt(send)}  (${Math.round(sent.sent / send)}/s)`,
  );
  console.log(
    `  cases → e-mails accepted: ${fmt(open + prepare + send)} for ${got.distinct} distinct messages (target ≤ 60 s)`,
  );
  if (got.distinct !== N || got.accepted !== N)
    console.log(`  WARNING: ${got.distinct} distinct / ${got.accepted} accepted, expected ${N}`);
} finally {
  await sink.close();
  if (store.dispose) await store.dispose();
  else await store.close();
  if (dropDb) await dropDb();
}
