import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drain, getParser, linesOf, readLines } from '../../index.js';

const fixture = new URL('./fixture.json', import.meta.url).pathname;
const parser = getParser('stix2');

test('stix2: indicators become records (OR gives several); AND, other objects and syntax errors are reported', async () => {
  const { records, errors } = await drain(parser.parse(readLines(fixture)));
  assert.deepEqual(
    records.map((r) => [r.line, r.kind, r.value, r.category]),
    [
      [2, 'ip', '198.51.100.23', 'c2'],
      [3, 'domain', 'login.example-bank.top', 'phishing'],
      [3, 'url', "http://kit.example.net/a'b/index.php", 'phishing'],
      [3, 'ip', '2001:db8::66', 'phishing'],
      [7, 'url', 'http://dl.example.org/payload2.exe', 'malware-distribution'],
    ],
  );
  assert.equal(records[0].seenAt?.toISOString(), '2014-05-08T09:00:00.000Z');
  assert.equal(records[0].attributes.stixId, 'indicator--33fe3b22-0201-47cf-85d0-97c02164528d');
  assert.equal(records[4].attributes.validUntil, '2026-02-05T00:00:00Z');
  assert.deepEqual(
    errors.map((e) => e.line),
    [4, 5, 6],
  );
  assert.match(errors[0].reason, /unsupported pattern: AND/);
  assert.match(errors[1].reason, /unsupported pattern: object path file:hashes/);
  assert.match(errors[2].reason, /unsupported pattern: expected \]/);
  assert.ok(errors[0].text.length <= 201);
});

test('stix2: a document that is not STIX is one error at line 1; envelopes and single objects are read', async () => {
  const notJson = await drain(parser.parse(linesOf('{"type": "bundle", "objects": [')));
  assert.equal(notJson.records.length, 0);
  assert.equal(notJson.errors[0].line, 1);
  assert.match(notJson.errors[0].reason, /not JSON/);
  const notStix = await drain(parser.parse(linesOf('{"hello": "world"}')));
  assert.match(notStix.errors[0].reason, /not a STIX bundle, envelope or object/);
  const ind = {
    type: 'indicator',
    id: 'indicator--1',
    pattern_type: 'stix',
    pattern: "[domain-name:value = 'c2.example.net']",
    labels: ['botnet'],
  };
  const single = await drain(parser.parse(linesOf(JSON.stringify(ind))));
  assert.deepEqual(
    single.records.map((r) => [r.line, r.value, r.category]),
    [[1, 'c2.example.net', 'botnet']],
  );
  const envelope = await drain(parser.parse(linesOf(JSON.stringify({ more: false, objects: [ind, ind] }))));
  assert.deepEqual(
    envelope.records.map((r) => r.line),
    [1, 2],
  );
});

test('stix2: CIDR values become cidr records; a bad value in an OR is rejected alone', async () => {
  const ind = {
    type: 'indicator',
    id: 'indicator--2',
    pattern_type: 'stix',
    pattern:
      "[ipv4-addr:value = '198.51.100.0/24' OR domain-name:value = 'domain bad.example' OR ipv6-addr:value = '2001:db8::/32']",
  };
  const { records, errors } = await drain(
    parser.parse(linesOf(JSON.stringify({ type: 'bundle', objects: [ind] }))),
  );
  assert.deepEqual(
    records.map((r) => [r.line, r.kind, r.value]),
    [
      [1, 'cidr', '198.51.100.0/24'],
      [1, 'cidr', '2001:db8::/32'],
    ],
  );
  assert.deepEqual(
    errors.map((e) => [e.line, e.text]),
    [[1, 'domain bad.example']],
  );
  assert.match(errors[0].reason, /domain-name:value value is not a host name/);
});
