import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drain, getParser, readLines } from '../../index.js';

const fixture = new URL('./fixture.txt', import.meta.url).pathname;

test('feodo-txt: CRLF list of C2 addresses; a truncated address is reported by line', async () => {
  const { records, errors } = await drain(getParser('feodo-txt').parse(readLines(fixture)));
  assert.deepEqual(
    records.map((r) => [r.line, r.kind, r.category, r.value]),
    [
      [10, 'ip', 'c2', '100.38.242.113'],
      [11, 'ip', 'c2', '103.109.247.10'],
      [13, 'ip', 'c2', '97.107.134.115'],
    ],
  );
  assert.deepEqual(
    errors.map((e) => [e.line, e.text]),
    [[12, '103.109.247']],
  );
});
