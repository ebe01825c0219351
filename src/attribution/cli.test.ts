import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../testing/cli.js';
import { freshDatabaseUrl } from '../testing/stores.js';

const src = fileURLToPath(new URL('..', import.meta.url));
const assignmentsFx = (f: string) => join(src, 'pipeline', 'assignments', 'fixtures', f);
const evidenceFx = (f: string) => join(src, 'pipeline', 'evidence', 'fixtures', f);

// One end-to-end run of the CLI on the embedded store (or PostgreSQL when the suite has a server):
// subscribers → assignments → evidence → attribution. Few invocations: each one starts the store.
let dir: string;
let pg: Awaited<ReturnType<typeof freshDatabaseUrl>>;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'yojin-attr-cli-'));
  pg = await freshDatabaseUrl();
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await pg?.drop();
});

test('yojin subscribers/assignments/evidence import and attribution run (exit 3 on rejected lines)', async () => {
  const g = ['--data-dir', dir, ...(pg ? ['--database-url', pg.url] : [])];
  const yo = (...args: string[]) => runCli([...g, ...args]);

  const subs = await yo(
    'subscribers',
    'import',
    join(src, 'subscribers', 'fixtures', 'customers.csv'),
    '--json',
  );
  assert.equal(subs.code, 3, subs.stderr);
  assert.equal(JSON.parse(subs.stdout).imported, 3);
  assert.match(subs.stderr, /customers\.csv:4: e-mail address is not valid/);

  const r1 = await yo('assignments', 'import', assignmentsFx('radius-detail-1'), '--format', 'radius-detail');
  assert.equal(r1.code, 3);
  assert.match(r1.stderr, /radius-detail-1:15: Framed-IP-Address is not a valid/);
  assert.match(r1.stdout, /^3 interval\(s\) imported \(1 left open\)/);
  const ev = await yo(
    'evidence',
    'import',
    evidenceFx('event4_sinkhole.csv'),
    '--format',
    'shadowserver-sinkhole',
    '--json',
  );
  assert.equal(ev.code, 3);
  assert.deepEqual(
    JSON.parse(ev.stdout).errors.map((e: { line: number }) => e.line),
    [3],
  );

  const run = await yo('attribution', 'run', '--json');
  assert.equal(run.code, 0, run.stderr);
  // 198.51.100.10 at 07:30 → sub-a (its session is closed in the same file); 203.0.113.5 has no assignment here.
  assert.deepEqual(JSON.parse(run.stdout), {
    attributed: 1,
    unattributed: { 'no-assignment': 1 },
    subscribers: 1,
  });
});
