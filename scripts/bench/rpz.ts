// RPZ publication: zone export time for N entries, and IXFR size/time for a 1k-change delta
// (with the full AXFR of the same zone alongside, and BIND's named-checkzone load of the exported
// file as the peer figure).
// Usage: npm run bench -- rpz [--entries N] [--changes N]
//   --entries  listings in the policy (default 100000; 1000000 for the issue's 1M figure)
//   --changes  indicator changes in the IXFR delta (default 1000: half new listings, half expiries)
// Uses PostgreSQL when YOJIN_TEST_DATABASE_URL is set, else the embedded PGlite store.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { createContext } from '../../src/app/index.js';
import { validateConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/index.js';
import { exportZone, startRpzPublisher } from '../../src/rpz/index.js';
import { tcpQuery, transferQuery } from '../../src/rpz/testkit.js';
import { PGliteStore, PostgresStore, type Store } from '../../src/store/index.js';
import { freshDatabaseUrl } from '../../src/testing/stores.js';
import { intArg } from './support/args.js';

const ENTRIES = intArg('entries', 100_000);
const CHANGES = intArg('changes', 1000);
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const mb = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;

function* listings(from: number, to: number): Generator<unknown[]> {
  for (let i = from; i < to; i++) {
    const at = '2026-11-01T00:00:00Z';
    if (i % 50 === 0) {
      const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      yield ['ip', ip, `${ip}/32`, 'c2', 'active', 'address', at, at];
    } else {
      const category = i % 20 === 1 ? 'c2' : i % 3 === 0 ? 'phishing' : 'malware-distribution';
      yield [
        'domain',
        `s${i}.bad${i % 997}.test`,
        null,
        category,
        'active',
        i % 10 === 0 ? 'domain' : 'host',
        at,
        at,
      ];
    }
  }
}
const COLS = ['kind', 'value', 'net', 'category', 'status', 'scope', 'first_seen', 'last_seen'];

const db = await freshDatabaseUrl();
const store: Store = db ? await PostgresStore.open(db.url, 4) : await PGliteStore.open();
const dir = mkdtempSync(join(tmpdir(), 'yojin-bench-rpz-'));
try {
  const config = validateConfig({ log: { level: 'silent' }, rpz: { poll_ms: 3_600_000 } });
  const ctx = await createContext(config, { store, log: createLogger(config) });
  console.log(`rpz bench: ${ENTRIES} entries, ${CHANGES}-change delta, store ${store.kind}`);
  let t0 = process.hrtime.bigint();
  await store.copyFrom('indicators', COLS, listings(0, ENTRIES));
  await store.query(`INSERT INTO change_log (entity_id, op) VALUES ('0', 'update')`);
  console.log(`  seed                ${ms(t0).toFixed(0)} ms`);

  // Export.
  const file = join(dir, 'rpz.zone');
  const rss0 = process.memoryUsage().rss;
  t0 = process.hrtime.bigint();
  const out = createWriteStream(file);
  const report = await exportZone(store, config, out);
  out.end();
  await finished(out);
  const exportMs = ms(t0);
  console.log(
    `  export              ${exportMs.toFixed(0)} ms  (${Math.round(ENTRIES / (exportMs / 1000))} entries/s; ${report.records} records, ${mb(statSync(file).size)}; RSS +${mb(process.memoryUsage().rss - rss0)})`,
  );
  t0 = process.hrtime.bigint();
  const chk = spawnSync('named-checkzone', ['-i', 'none', '-k', 'ignore', config.rpz.zone, file], {
    encoding: 'utf8',
  });
  const bindMs = ms(t0);
  console.log(
    `  peer: named-checkzone load ${bindMs.toFixed(0)} ms (${chk.status === 0 ? 'accepted' : `REJECTED: ${chk.stdout}`}); export/load ratio ${(exportMs / bindMs).toFixed(2)}`,
  );

  // Primary: AXFR, then a delta of CHANGES indicator changes and its IXFR.
  t0 = process.hrtime.bigint();
  const pub = await startRpzPublisher(ctx, '127.0.0.1:0');
  console.log(`  primary load        ${ms(t0).toFixed(0)} ms  (${pub.state.size} owners)`);
  const port = pub.address.port;
  t0 = process.hrtime.bigint();
  const axfr = await tcpQuery(port, transferQuery(config.rpz.zone, 'AXFR'), {
    transfer: true,
    timeoutMs: 600_000,
  });
  const axfrMs = ms(t0);
  const axfrBytes = axfr.reduce((n, m) => n + m.length, 0);
  t0 = process.hrtime.bigint();
  await tcpQuery(port, transferQuery(config.rpz.zone, 'AXFR'), { transfer: true, timeoutMs: 600_000 });
  console.log(
    `  AXFR                ${axfrMs.toFixed(0)} ms, ${mb(axfrBytes)} in ${axfr.length} messages (cached repeat ${ms(t0).toFixed(0)} ms)`,
  );

  const from = pub.state.serial;
  const adds = Math.ceil(CHANGES / 2);
  await store.copyFrom('indicators', COLS, listings(ENTRIES, ENTRIES + adds));
  await store.query(
    `WITH n AS (SELECT id FROM indicators WHERE value LIKE 's%' AND id > $1 ORDER BY id)
     INSERT INTO change_log (entity_id, op) SELECT id::text, 'add' FROM n`,
    [ENTRIES],
  );
  await store.query(
    `WITH e AS (UPDATE indicators SET status = 'expired' WHERE id IN (SELECT id FROM indicators WHERE kind = 'domain' AND id <= $1 ORDER BY id LIMIT $2) RETURNING id)
     INSERT INTO change_log (entity_id, op) SELECT id::text, 'update' FROM e`,
    [ENTRIES, CHANGES - adds],
  );
  t0 = process.hrtime.bigint();
  await pub.refresh();
  console.log(`  delta apply         ${ms(t0).toFixed(0)} ms  (serial ${from} → ${pub.state.serial})`);
  t0 = process.hrtime.bigint();
  const ixfr = await tcpQuery(port, transferQuery(config.rpz.zone, 'IXFR', from), {
    transfer: true,
    timeoutMs: 600_000,
  });
  const ixfrMs = ms(t0);
  const ixfrBytes = ixfr.reduce((n, m) => n + m.length, 0);
  const ixfrRecords = ixfr.reduce((n, m) => n + m.readUInt16BE(6), 0);
  console.log(
    `  IXFR ${CHANGES} changes   ${ixfrMs.toFixed(1)} ms, ${(ixfrBytes / 1024).toFixed(1)} KiB, ${ixfrRecords} records in ${ixfr.length} messages (${((ixfrBytes / axfrBytes) * 100).toFixed(2)}% of the AXFR)`,
  );
  await pub.stop();
} finally {
  await store.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
}
