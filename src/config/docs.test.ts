import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../testing/cli.js';
import { envTable } from './index.js';

test('every configuration key is documented in docs/configuration.md', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'configuration.md'), 'utf8');
  const missing = [...envTable().values()].map((l) => l.key).filter((k) => !doc.includes(`\`${k}\``));
  assert.deepEqual(missing, [], `document these keys: ${missing.join(', ')}`);
});
