import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drain, getParser, linesOf, readLines } from '../../index.js';

const fixture = new URL('./fixture.ndjson', import.meta.url).pathname;
const parser = getParser('spamhaus-drop-json');

test('spamhaus-drop-json: NDJSON netblocks, metadata line consumed; a broken object is reported', async () => {
  const { records, errors } = await drain(parser.parse(readLines(fixture)));
  assert.deepEqual(
    records.map((r) => [r.line, r.value, r.attributes.sblid, r.attributes.rir]),
    [
      [1, '1.10.16.0/20', 'SBL256894', 'apnic'],
      [2, '1.19.0.0/16', 'SBL434604', 'apnic'],
      [4, '223.254.0.0/16', 'SBL212803', 'apnic'],
    ],
  );
  assert.ok(records.every((r) => r.kind === 'cidr' && r.category === 'hijacked-netblock'));
  assert.deepEqual(
    errors.map((e) => [e.line, e.reason]),
    [[3, 'not a JSON object']],
  );
});

test('spamhaus-drop-json: a missing metadata line or a wrong count means a truncated download', async () => {
  const cut = await drain(parser.parse(linesOf('{"cidr":"192.0.2.0/24","sblid":"SBL1","rir":"arin"}\n')));
  assert.equal(cut.records.length, 1);
  assert.match(cut.errors[0].reason, /no trailing metadata record/);
  const wrong = await drain(
    parser.parse(
      linesOf('{"cidr":"192.0.2.0/24","sblid":"SBL1","rir":"arin"}\n{"type":"metadata","records":2}\n'),
    ),
  );
  assert.deepEqual(
    wrong.errors.map((e) => [e.line, e.reason]),
    [[2, 'metadata says 2 records but 1 were read']],
  );
});
