import assert from 'node:assert/strict';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import type { PolicyEntry } from '../policy/index.js';
import { ZoneState } from './state.js';
import { signMessage, splitTsig, type TsigKey, verifyMessage } from './tsig.js';

const e = (
  indicatorId: number,
  name: string,
  action: PolicyEntry['action'],
  wildcard = false,
): PolicyEntry => ({
  trigger: 'qname',
  name,
  wildcard,
  action,
  measure: action === 'warn' ? 'warn-malicious-site' : 'block-c2',
  category: action === 'warn' ? 'phishing' : 'c2',
  indicatorId,
});

test('zone state: stronger action wins per owner; removing it falls back to the weaker; journal steps chain', () => {
  const z = new ZoneState('rpz.test', 100);
  z.load({
    serial: 10,
    entries: [e(1, 'a.jp', 'warn'), e(2, 'a.jp', 'nxdomain', true), e(3, 'b.jp', 'warn')],
  });
  assert.equal(z.rankOf('a.jp'), 3);
  assert.equal(z.rankOf('*.a.jp'), 3);
  assert.equal(z.rankOf('b.jp'), 1);
  // Indicator 2 delisted (removed, nothing added), a new one added.
  const step = z.apply({
    serial: 12,
    removed: [e(2, 'a.jp', 'nxdomain', true)],
    added: [e(4, 'c.jp', 'drop')],
  });
  assert.deepEqual(
    step.changes.sort((x, y) => x.owner.localeCompare(y.owner)),
    [
      { owner: '*.a.jp', from: 3, to: -1 },
      { owner: 'a.jp', from: 3, to: 1 },
      { owner: 'c.jp', from: -1, to: 4 },
    ],
  );
  // An update that does not change what is published produces an empty step, still a serial.
  const same = z.apply({ serial: 13, removed: [e(3, 'b.jp', 'warn')], added: [e(3, 'b.jp', 'warn')] });
  assert.deepEqual(same.changes, []);
  assert.deepEqual(
    z.deltasSince(10)?.map((d) => [d.from, d.to]),
    [
      [10, 12],
      [12, 13],
    ],
  );
  assert.deepEqual(z.deltasSince(13), []);
  assert.equal(z.deltasSince(11), null);
});

test('zone state: the journal is bounded; older serials then need a full transfer', () => {
  const z = new ZoneState('rpz.test', 2);
  z.load({ serial: 1, entries: [] });
  z.apply({ serial: 2, removed: [], added: [e(1, 'a.jp', 'warn')] });
  z.apply({ serial: 3, removed: [], added: [e(2, 'b.jp', 'warn')] });
  z.apply({ serial: 4, removed: [], added: [e(3, 'c.jp', 'warn')] });
  assert.equal(z.deltasSince(1), null);
  assert.deepEqual(
    z.deltasSince(2)?.map((d) => d.to),
    [3, 4],
  );
});

test('TSIG: a signed message verifies; a changed byte is BADSIG, a skewed clock BADTIME, another key BADKEY', () => {
  const key: TsigKey = {
    name: 'k.example',
    algorithm: 'hmac-sha256',
    secret: Buffer.from('secret-secret-secret'),
  };
  const msg = dnsPacket.encode({
    id: 99,
    type: 'query',
    questions: [{ name: 'rpz.test', type: 'SOA', class: 'IN' }],
  });
  const { message, mac } = signMessage(msg, key, { time: 1_800_000_000 });
  assert.equal(mac.length, 32);
  const split = splitTsig(message);
  assert.ok(split);
  assert.deepEqual(split.unsigned, msg);
  assert.equal(verifyMessage(split, key, 1_800_000_010).ok, true);
  const bad = Buffer.from(message);
  bad[14] ^= 1; // inside the question name
  const r1 = verifyMessage(splitTsig(bad) as NonNullable<ReturnType<typeof splitTsig>>, key, 1_800_000_010);
  assert.equal(r1.ok ? 0 : r1.error, 16);
  const r2 = verifyMessage(split, key, 1_800_001_000);
  assert.equal(r2.ok ? 0 : r2.error, 18);
  const r3 = verifyMessage(split, { ...key, name: 'other.example' }, 1_800_000_010);
  assert.equal(r3.ok ? 0 : r3.error, 17);
});
