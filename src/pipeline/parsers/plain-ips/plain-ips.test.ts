import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drain, getParser, readLines } from '../../index.js';

const fixture = new URL('./fixture.txt', import.meta.url).pathname;

test('plain-ips: IPv4/IPv6 addresses and CIDRs; an impossible address is reported by line', async () => {
  const { records, errors } = await drain(getParser('plain-ips').parse(readLines(fixture)));
  assert.deepEqual(
    records.map((r) => [r.line, r.kind, r.value]),
    [
      [2, 'ip', '192.0.2.1'],
      [3, 'cidr', '198.51.100.0/24'],
      [4, 'ip', '2001:db8::1'],
      [6, 'cidr', '2001:db8:abcd::/48'],
      [7, 'cidr', '10.0.0.0/8'],
    ],
  );
  assert.deepEqual(
    errors.map((e) => e.line),
    [5],
  );
});
