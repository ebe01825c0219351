import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drain, getParser, readLines } from '../../index.js';

const fixture = new URL('./fixture.txt', import.meta.url).pathname;

test('plain-urls: URLs one per line, # comments (whole line or trailing); a relative path is reported', async () => {
  const { records, errors } = await drain(getParser('plain-urls').parse(readLines(fixture)));
  assert.deepEqual(
    records.map((r) => [r.line, r.kind, r.value]),
    [
      [2, 'url', 'http://bad.example.com/dropper.exe'],
      [3, 'url', 'https://login.example-bank.top/signin'],
      [5, 'url', 'http://198.51.100.7:8080/x#frag'],
    ],
  );
  assert.deepEqual(
    errors.map((e) => e.line),
    [4],
  );
});
