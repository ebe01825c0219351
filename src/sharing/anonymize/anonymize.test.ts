import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { CryptoPAn, coarsenTimestamp, commonPrefixBits, scrubText } from './index.js';

// The key of the sample trace in the original Crypto-PAn distribution.
const KEY = Buffer.from([
  21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16, 216, 152, 143, 131, 121, 121, 101, 39,
  98, 87, 76, 45, 42, 132, 34, 2,
]);
const pan = new CryptoPAn(KEY);
const bytes = (a: string) => Uint8Array.from(ipaddr.parse(a).toByteArray());

describe('Crypto-PAn', () => {
  test('matches the reference distribution sample trace (raw → sanitized) and published IPv6 vectors', () => {
    const cases: Array<[string, string]> = [
      ['128.11.68.132', '135.242.180.132'],
      ['129.118.74.4', '134.136.186.123'],
      ['130.132.252.244', '133.68.164.234'],
      ['192.102.249.13', '252.138.62.131'],
      ['24.0.250.221', '100.15.198.226'],
      ['64.14.118.196', '0.255.183.58'],
      ['2001:db8::1', '4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e'],
      ['::1', '78ff:f001:9fc0:20df:8380:b1f1:704:ed'],
    ];
    for (const [input, expected] of cases) assert.equal(pan.anonymize(input), expected, input);
  });

  test('property: a shared k-bit prefix stays exactly a shared k-bit prefix (IPv4)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        (a, b) => {
          const k = commonPrefixBits(a, b);
          return commonPrefixBits(pan.anonymizeBytes(a), pan.anonymizeBytes(b)) === k;
        },
      ),
      { numRuns: 300 },
    );
  });

  test('property: the same holds over 128-bit IPv6 addresses', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 0, max: 127 }),
        (a, flipAt) => {
          const b = Uint8Array.from(a);
          b[flipAt >> 3] ^= 0x80 >> (flipAt & 7); // differ first at bit flipAt
          return commonPrefixBits(pan.anonymizeBytes(a), pan.anonymizeBytes(b)) === flipAt;
        },
      ),
      { numRuns: 100 },
    );
  });

  test('deterministic per key, different across keys, one-to-one on a sample', () => {
    const other = new CryptoPAn(Buffer.alloc(32, 7));
    assert.equal(pan.anonymize('192.0.2.1'), pan.anonymize('192.0.2.1'));
    assert.notEqual(pan.anonymize('192.0.2.1'), other.anonymize('192.0.2.1'));
    const seen = new Set<string>();
    for (let i = 0; i < 256; i++) seen.add(pan.anonymize(`198.51.100.${i}`));
    assert.equal(seen.size, 256);
    assert.equal(
      commonPrefixBits(bytes(pan.anonymize('198.51.100.1')), bytes(pan.anonymize('198.51.100.2'))),
      30,
    );
    assert.match(pan.anonymize('2001:db8::1'), /:/);
  });
});

describe('free-text scrubbing', () => {
  test('e-mail addresses, subscriber ids and IPs are removed; times survive', () => {
    const text =
      'Subscriber u123456@isp.example (RADIUS user ab-987654) at 203.0.113.9 and 2001:db8:1::5 at 12:30:45 contacted C2';
    const out = scrubText(text, { cryptopan: pan, subscriberPatterns: [/ab-\d{6}/] });
    assert.doesNotMatch(out, /u123456|isp\.example|ab-987654|203\.0\.113\.9|2001:db8:1::5/);
    assert.match(out, /\[email\]/);
    assert.match(out, /\[subscriber\]/);
    assert.match(out, /12:30:45/);
    assert.equal(scrubText('seen at 203.0.113.9'), 'seen at [IP]');
  });

  test('timestamps are coarsened', () => {
    assert.equal(coarsenTimestamp('2026-11-23T07:31:22.123Z'), '2026-11-23T07:00:00.000Z');
    assert.equal(coarsenTimestamp('2026-11-23T07:31:22.123Z', 'day'), '2026-11-23T00:00:00.000Z');
  });
});
