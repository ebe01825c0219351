import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drain, getParser, linesOf, readLines } from '../../index.js';

const fixture = new URL('./fixture.csv', import.meta.url).pathname;
const parser = getParser('urlhaus-csv');

test('urlhaus-csv: rows map to malware-distribution URLs; the broken row is reported by line', async () => {
  const { records, errors } = await drain(parser.parse(readLines(fixture)));
  assert.deepEqual(
    records.map((r) => [r.line, r.value]),
    [
      [10, 'http://111.92.243.40:8080/02.08.2022.exe'],
      [11, 'http://189.28.180.30:26257/i'],
      [13, 'https://rent.example.net/load.ps1'],
    ],
  );
  assert.equal(errors.length, 1);
  assert.equal(errors[0].line, 12);
  assert.match(errors[0].reason, /unterminated quoted field/);
  assert.ok(errors[0].text.startsWith('"3764670"'));
  const first = records[0];
  assert.equal(first.kind, 'url');
  assert.equal(first.category, 'malware-distribution');
  assert.equal(first.seenAt?.toISOString(), '2026-01-27T17:53:08.000Z');
  assert.deepEqual(first.attributes.tags, ['censys', 'CobaltStrike']);
  assert.equal(first.attributes.reference, 'https://urlhaus.abuse.ch/url/3764679/');
  assert.equal(first.attributes.status, 'online');
  assert.deepEqual(records[1].attributes.tags, [], 'the literal None means no tags');
});

test('urlhaus-csv: a copy without the # header parses by the default column order', async () => {
  const text =
    '"1","2026-01-01 00:00:00","http://a.example/x","offline","","malware_download","exe","https://urlhaus.abuse.ch/url/1/","r"\n' +
    '"2","2026-01-01 00:00:00","http://b.example/y","online","","malware_download"\n';
  const { records, errors } = await drain(parser.parse(linesOf(text)));
  assert.equal(records.length, 1);
  assert.equal(records[0].attributes.status, 'offline');
  assert.deepEqual(
    errors.map((e) => [e.line, e.reason]),
    [[2, 'expected 9 columns, found 6']],
  );
});

test('urlhaus-csv: a URL column that is not a URL is rejected', async () => {
  const { errors } = await drain(
    parser.parse(linesOf('"1","2026-01-01 00:00:00","not a url","online","","malware_download","","",""')),
  );
  assert.match(errors[0].reason, /not an absolute URL/);
});
