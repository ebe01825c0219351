import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drain, getParser, readLines } from '../../index.js';

const fixture = new URL('./fixture.txt', import.meta.url).pathname;

test('plain-domains: names one per line, *. wildcards, IDN as written; a line with spaces is reported', async () => {
  const { records, errors } = await drain(getParser('plain-domains').parse(readLines(fixture)));
  assert.deepEqual(
    records.map((r) => [r.line, r.kind, r.value, r.wildcard ?? false]),
    [
      [2, 'domain', 'bad.example.com', false],
      [3, 'domain', 'wild.example.net', true],
      [5, 'domain', 'xn--80ak6aa92e.com', false],
      [6, 'domain', 'пример.рф', false],
    ],
  );
  assert.deepEqual(
    errors.map((e) => [e.line, e.reason]),
    [[4, 'more than one value on the line']],
  );
});
