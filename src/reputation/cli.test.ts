import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PGliteStore } from '../store/index.js';
import { runCli } from '../testing/cli.js';
import { freshDatabaseUrl, testBackends } from '../testing/stores.js';

const FIX = join(import.meta.dirname, 'fixtures');

// CLI tests spawn bin/yojin.js (dist/): build first (`npm test` does; alone: npx tsc -p tsconfig.build.json).
async function targets() {
  const dir = mkdtempSync(join(tmpdir(), 'yojin-rep-cli-'));
  // Start the data dir from the migrated test template: initdb in a fresh dir costs seconds per run.
  const mem = await testBackends()[0].open();
  const dump = await (mem as unknown as PGliteStore).dump();
  await mem.dispose();
  await (await PGliteStore.open(dir, { loadDataDir: dump })).close();
  const out: Array<{ name: string; args: string[]; cleanup(): Promise<void> }> = [
    {
      name: 'pglite',
      args: ['--data-dir', dir],
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    },
  ];
  const pg = await freshDatabaseUrl();
  if (pg) out.push({ name: 'postgres', args: ['--database-url', pg.url], cleanup: () => pg.drop() });
  return out;
}

for (const t of await targets()) {
  describe(`yojin import / check on ${t.name}`, () => {
    after(() => t.cleanup());

    test('import prints a summary with rejected line numbers; check answers with exit status', async () => {
      const imp = await runCli([
        ...t.args,
        'import',
        join(FIX, 'urlhaus-small.csv'),
        '--format',
        'urlhaus-csv',
        '--source',
        'urlhaus',
      ]);
      assert.equal(imp.code, 0, imp.stderr);
      assert.match(imp.stdout, /read 7, new 5, updated 0, unchanged 0, rejected 2/);
      assert.match(imp.stdout, /line 10: .*not an absolute URL/);
      assert.match(imp.stdout, /line 12: id is not a number/);

      const listed = await runCli([
        ...t.args,
        'check',
        'http://EVIL-dedicated.example/payload/a.exe',
        '--json',
      ]);
      assert.equal(listed.code, 0, listed.stderr);
      const v = JSON.parse(listed.stdout);
      assert.equal(v.listed, true);
      assert.deepEqual(v.matches.map((m: { how: string }) => m.how).sort(), ['host', 'url-expression']);
      assert.equal(v.matches[0].indicator.category, 'malware-distribution');

      const human = await runCli([...t.args, 'check', 'http://victim.blogspot.com/other']);
      assert.equal(human.code, 3);
      assert.match(human.stdout, /not listed/);

      const junk = await runCli([...t.args, 'import', '-', '--format', 'plain-ips'], {
        input: 'not-an-ip\nalso bad\n',
      });
      assert.equal(junk.code, 1);
      assert.match(junk.stderr, /nothing could be read/);
      assert.match(junk.stdout, /line 1: /);
    });
  });
}
