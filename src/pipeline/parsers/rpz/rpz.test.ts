import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drain, type FeedRecord, getParser, linesOf, readLines } from '../../index.js';

const fixture = new URL('./fixture.rpz', import.meta.url).pathname;
const parser = getParser('rpz');

const brief = (r: FeedRecord) => [r.line, r.kind, r.value, r.policy, r.wildcard ?? false];

test('rpz: QNAME and rpz-ip triggers with their actions; bad rules reported by line, the rest parse', async () => {
  const { records, errors } = await drain(parser.parse(readLines(fixture)));
  assert.deepEqual(records.map(brief), [
    [9, 'domain', '0022a601.pphost.net', 'nxdomain', false],
    [10, 'domain', 'evil-wild.example', 'nodata', true],
    [11, 'domain', 'good.example.org', 'passthru', false],
    [12, 'domain', 'drop.example.com', 'drop', false],
    [13, 'domain', 'tcp.example.com', 'tcp-only', false],
    [14, 'domain', 'walled.example.com', 'local-data', false],
    [15, 'domain', 'walled.example.com', 'local-data', false],
    [16, 'domain', 'www.phish.example', 'local-data', false],
    [17, 'ip', '192.0.2.1', 'nxdomain', false],
    [18, 'cidr', '203.0.113.0/24', 'nxdomain', false],
    [19, 'ip', '2001:db8::1', 'nxdomain', false],
    [20, 'cidr', '2001:db8::/48', 'nxdomain', false],
    [23, 'domain', 'absolute.example.net', 'nxdomain', false],
    [25, 'domain', 'ok-after.example.com', 'nxdomain', false],
  ]);
  assert.deepEqual(
    errors.map((e) => e.line),
    [21, 22, 24],
  );
  assert.match(errors[0].reason, /rpz-nsdname triggers are not supported/);
  assert.match(errors[1].reason, /not a host name/);
  assert.match(errors[2].reason, /prefix length out of range/);
  // A trailing comment in abuse.ch's style names the threat.
  assert.equal(records[0].category, 'malware-distribution');
  assert.equal(records[0].attributes.comment, 'Malware download (2026-01-27)');
  assert.equal(records[5].attributes.rdata, 'A 192.0.2.10');
  assert.equal(records[7].attributes.rdata, 'CNAME walled-garden.isp.example.');
});

test('rpz: without $ORIGIN (urlhaus-filter style) relative owners are the triggers; SOA/NS at apex ignored', async () => {
  const zone = [
    '; Title: Online Malicious Domains RPZ Blocklist',
    '$TTL 30',
    '@ IN SOA localhost. root.localhost. 1752927088 86400 3600 604800 30',
    ' NS localhost.',
    '',
    '1.izumisv1.cc CNAME .',
    '123.ywxww.net CNAME .',
  ].join('\n');
  const { records, errors } = await drain(parser.parse(linesOf(zone)));
  assert.deepEqual(errors, []);
  assert.deepEqual(
    records.map((r) => [r.line, r.value, r.policy]),
    [
      [6, '1.izumisv1.cc', 'nxdomain'],
      [7, '123.ywxww.net', 'nxdomain'],
    ],
  );
});

test('rpz: owners outside the zone, unclosed parentheses and $INCLUDE are reported', async () => {
  const zone = [
    '$ORIGIN rpz.example.',
    '@ SOA ns. host. 1 2 3 4 5',
    'elsewhere.example.com. CNAME .',
    '$INCLUDE other.zone',
    'inherited.example.com CNAME .',
    '   CNAME rpz-passthru.',
    'open.example.com TXT ( "never closed"',
  ].join('\n');
  const { records, errors } = await drain(parser.parse(linesOf(zone)));
  assert.deepEqual(
    records.map((r) => [r.line, r.value, r.policy]),
    [
      [5, 'inherited.example.com', 'nxdomain'],
      [6, 'inherited.example.com', 'passthru'],
    ],
  );
  assert.deepEqual(
    errors.map((e) => e.line),
    [3, 4, 7],
  );
  assert.match(errors[0].reason, /outside the zone rpz\.example\./);
  assert.match(errors[1].reason, /\$INCLUDE is not supported/);
  assert.match(errors[2].reason, /unclosed "\("/);
});
