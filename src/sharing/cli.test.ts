import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../testing/cli.js';

test('yojin share: collection, member credentials, export of what a collection serves, similar cases', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'yojin-share-'));
  const g = ['--data-dir', dir];
  const col = await runCli([
    ...g,
    'share',
    'collection-add',
    'isac',
    '--indicators',
    '--max-tlp',
    'green',
    '--json',
  ]);
  assert.equal(col.code, 0, col.stderr);
  assert.equal(JSON.parse(col.stdout).content, 'indicators');
  const org = await runCli([...g, 'share', 'org', 'add', 'Example ISP', '--read', 'isac', '--json']);
  assert.equal(org.code, 0, org.stderr);
  const creds = JSON.parse(org.stdout);
  assert.match(creds.username, /^example-isp-[0-9a-f]{6}$/);
  assert.equal(creds.bearer, `${creds.username}.${creds.secret}`);
  const dup = await runCli([...g, 'share', 'org', 'add', 'Example ISP']);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /CONFLICT.*already exists/);
  const out = join(dir, 'isac.json');
  const exp = await runCli([...g, 'share', 'export', '--collection', 'isac', '--out', out]);
  assert.equal(exp.code, 0, exp.stderr);
  const bundle = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(bundle.type, 'bundle');
  assert.ok(Array.isArray(bundle.objects));
  const missing = await runCli([...g, 'share', 'export', '--collection', 'nope', '--out', out]);
  assert.match(missing.stderr, /NOT_FOUND.*no collection "nope"/);
  const q = join(dir, 'case.txt');
  writeFileSync(q, 'evil.example\nfamily: Emotet\n');
  const sim = await runCli([...g, 'share', 'similar', q]);
  assert.equal(sim.code, 0, sim.stderr);
  assert.match(sim.stdout, /no similar reports/);
});
