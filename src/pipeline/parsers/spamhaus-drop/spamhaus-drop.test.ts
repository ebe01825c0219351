import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drain, getParser, readLines } from '../../index.js';

const fixture = new URL('./fixture.txt', import.meta.url).pathname;

test('spamhaus-drop: hijacked netblocks with SBL ids; an invalid prefix is reported by line', async () => {
  const { records, errors } = await drain(getParser('spamhaus-drop').parse(readLines(fixture)));
  assert.deepEqual(
    records.map((r) => [r.line, r.kind, r.category, r.value, r.attributes.sblid]),
    [
      [5, 'cidr', 'hijacked-netblock', '1.10.16.0/20', 'SBL256894'],
      [6, 'cidr', 'hijacked-netblock', '1.19.0.0/16', 'SBL434604'],
      [8, 'cidr', 'hijacked-netblock', '2001:db8:100::/40', 'SBL600001'],
      [9, 'cidr', 'hijacked-netblock', '223.254.0.0/16', 'SBL212803'],
    ],
  );
  assert.equal(errors.length, 1);
  assert.equal(errors[0].line, 7);
  assert.match(errors[0].reason, /invalid prefix length/);
});
