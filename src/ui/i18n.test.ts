import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../testing/cli.js';

// The dashboard's strings live in ui/src/i18n.js (browser code, not importable under node): read it as
// text and check that Japanese and English have the same keys and that every t('key') exists.
const UI = join(REPO_ROOT, 'ui', 'src');
const src = readFileSync(join(UI, 'i18n.js'), 'utf8');
const block = (from: string, to?: string) => src.slice(src.indexOf(from), to ? src.indexOf(to) : undefined);
const keys = (b: string) => new Set([...b.matchAll(/^ {4}'?([\w-]+)'?:/gm)].map((m) => m[1]));

test('every dashboard string exists in Japanese and English, and every key used is defined', () => {
  const ja = keys(block('  ja: {', '  en: {'));
  const en = keys(block('  en: {'));
  assert.ok(ja.size > 100);
  assert.deepEqual(
    [...ja].filter((k) => !en.has(k)),
    [],
    'keys missing in English',
  );
  assert.deepEqual(
    [...en].filter((k) => !ja.has(k)),
    [],
    'keys missing in Japanese',
  );
  const used = new Set<string>();
  for (const f of readdirSync(UI, { recursive: true }) as string[]) {
    if (!f.endsWith('.js')) continue;
    for (const m of readFileSync(join(UI, f), 'utf8').matchAll(/\bt\('([\w-]+)'\)/g)) used.add(m[1]);
  }
  assert.ok(used.size > 50);
  assert.deepEqual(
    [...used].filter((k) => !ja.has(k)),
    [],
    'keys used but not defined',
  );
});
