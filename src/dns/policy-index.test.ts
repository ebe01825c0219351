import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { PolicyEntry } from '../policy/index.js';
import { ConsentSnapshot } from './consent.js';
import { PolicyIndex } from './policy-index.js';

const q = (name: string, wildcard: boolean, indicatorId: number, category = 'phishing'): PolicyEntry => ({
  trigger: 'qname',
  name,
  wildcard,
  measure: category === 'c2' ? 'block-c2' : 'warn-malicious-site',
  action: category === 'c2' ? 'nxdomain' : 'warn',
  category,
  indicatorId,
});
const ip = (name: string, indicatorId: number): PolicyEntry => ({
  trigger: 'ip',
  name,
  wildcard: false,
  measure: 'block-c2',
  action: 'nxdomain',
  category: 'c2',
  indicatorId,
});
const v4 = (s: string) => new Uint8Array(s.split('.').map(Number));

test('exact listings match only the name; wildcard listings match the name and every subdomain', () => {
  const idx = PolicyIndex.build(1, [
    q('host.example', false, 1),
    q('dom.example', true, 2, 'c2'),
    q('a.b.host.example', false, 3),
  ]);
  assert.equal(idx.matchName('host.example')?.indicatorId, 1);
  assert.equal(idx.matchName('www.host.example'), undefined);
  assert.equal(idx.matchName('dom.example')?.indicatorId, 2);
  assert.equal(idx.matchName('x.y.dom.example')?.measure, 'block-c2');
  assert.equal(idx.matchName('notdom.example'), undefined);
  assert.equal(idx.matchName('a.b.host.example')?.indicatorId, 3);
  assert.equal(idx.matchName('example'), undefined);
  assert.equal(idx.size, 3);
});

test('an exact listing wins over a wildcard parent; a name listed twice follows RPZ precedence', () => {
  const idx = PolicyIndex.build(1, [
    q('p.example', true, 1),
    q('c.p.example', false, 2),
    q('dup.example', false, 3),
    q('dup.example', true, 4),
    q('both.example', false, 5, 'phishing'), // host only: warn
    q('both.example', true, 6, 'c2'), // name and subdomains: nxdomain
    q('rev.example', false, 7, 'c2'), // host only: nxdomain
    q('rev.example', true, 8, 'phishing'), // name and subdomains: warn
  ]);
  assert.equal(idx.matchName('c.p.example')?.indicatorId, 2);
  assert.equal(idx.matchName('d.c.p.example')?.indicatorId, 1);
  assert.equal(idx.matchName('dup.example')?.indicatorId, 3, 'equal actions: the first listing');
  assert.equal(
    idx.matchName('sub.dup.example')?.indicatorId,
    4,
    'subdomains: only the wildcard listing applies',
  );
  assert.equal(idx.matchName('both.example')?.action, 'nxdomain', 'the stronger action wins at the name');
  assert.equal(idx.matchName('x.both.example')?.action, 'nxdomain');
  assert.equal(idx.matchName('rev.example')?.action, 'nxdomain');
  assert.equal(
    idx.matchName('x.rev.example')?.action,
    'warn',
    'a host-only listing never reaches subdomains',
  );
});

test('CIDR listings: longest prefix first, IPv4 and IPv6', () => {
  const idx = PolicyIndex.build(1, [
    ip('198.51.100.0/24', 1),
    ip('198.51.100.7/32', 2),
    ip('2001:db8::/48', 3),
  ]);
  assert.equal(idx.matchAddress(v4('198.51.100.7'))?.indicatorId, 2);
  assert.equal(idx.matchAddress(v4('198.51.100.8'))?.indicatorId, 1);
  assert.equal(idx.matchAddress(v4('198.51.101.8')), undefined);
  const a6 = new Uint8Array(16);
  a6.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0xff]);
  assert.equal(idx.matchAddress(a6)?.indicatorId, 3);
  a6[5] = 1;
  assert.equal(idx.matchAddress(a6), undefined);
});

test('withChanges returns a new index; the old one is unchanged (atomic swap)', async () => {
  const old = PolicyIndex.build(5, [
    q('a.example', false, 1),
    q('b.example', true, 2),
    ip('192.0.2.1/32', 3),
  ]);
  const next = old.withChanges({
    serial: 6,
    removed: [q('a.example', false, 1), q('b.example', true, 2), ip('192.0.2.1/32', 3)],
    added: [q('b.example', false, 2), q('c.example', false, 9), ip('192.0.2.2/32', 3)],
  });
  assert.equal(old.matchName('a.example')?.indicatorId, 1);
  assert.equal(old.matchName('x.b.example')?.indicatorId, 2);
  assert.equal(next.serial, 6);
  assert.equal(next.matchName('a.example'), undefined);
  assert.equal(next.matchName('x.b.example'), undefined);
  assert.equal(next.matchName('b.example')?.indicatorId, 2);
  assert.equal(next.matchName('c.example')?.indicatorId, 9);
  assert.equal(next.matchAddress(v4('192.0.2.1')), undefined);
  assert.equal(next.matchAddress(v4('192.0.2.2'))?.indicatorId, 3);
  assert.deepEqual([...(await next.compact()).entries()].map((e) => e.name).sort(), [
    '192.0.2.2/32',
    'b.example',
    'c.example',
  ]);
});

test('property: the packed index answers like a naive scan of the entries', () => {
  const label = fc.stringMatching(/^[a-c]{1,2}$/);
  const name = fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => ls.join('.'));
  fc.assert(
    fc.property(fc.array(fc.tuple(name, fc.boolean()), { maxLength: 30 }), name, (listed, query) => {
      const seen = new Set<string>();
      const entries = listed.filter(([n]) => !seen.has(n) && seen.add(n)).map(([n, w], i) => q(n, w, i + 1));
      const idx = PolicyIndex.build(1, entries);
      const exact = entries.find((e) => e.name === query);
      const labels = query.split('.');
      let expected = exact;
      for (let i = 1; !expected && i < labels.length; i++) {
        const parent = labels.slice(i).join('.');
        expected = entries.find((e) => e.name === parent && e.wildcard);
      }
      assert.equal(idx.matchName(query)?.indicatorId, expected?.indicatorId);
    }),
  );
});

test('consent snapshot: longest prefix, CGNAT port blocks, explicit choices over the default, unknown clients', () => {
  const s = new ConsentSnapshot({ unknownClientConsent: false });
  s.addAssignment('10.0.0.0/24', 'net');
  s.addAssignment('10.0.0.5/32', 'host');
  s.addAssignment('100.64.0.1/32', 'cg-a', [1024, 2048]);
  s.addAssignment('100.64.0.1/32', 'cg-b', [2048, 4096]);
  s.addAssignment('2001:db8:1::/56', 'v6');
  s.setChoice('host', 'warn-malicious-site', false);
  assert.equal(s.subscriberOf('10.0.0.5'), 'host');
  assert.equal(s.subscriberOf('10.0.0.6'), 'net');
  assert.equal(s.subscriberOf('::ffff:10.0.0.6'), 'net');
  assert.equal(s.subscriberOf('100.64.0.1', 3000), 'cg-b');
  assert.equal(s.subscriberOf('100.64.0.1', 80), undefined);
  assert.equal(s.subscriberOf('2001:db8:1:ff::1'), 'v6');
  assert.equal(s.subscriberOf('10.0.0.256'), undefined);
  assert.equal(s.subscriberOf('not an address'), undefined);
  s.addWalledGarden('net');
  const known = { known: true, walledGarden: false };
  assert.deepEqual(s.forClient('10.0.0.5'), { ...known, 'warn-malicious-site': false, 'block-c2': true });
  assert.deepEqual(s.forClient('10.0.0.6'), {
    ...known,
    walledGarden: true,
    'warn-malicious-site': true,
    'block-c2': true,
  });
  assert.deepEqual(s.forClient('192.0.2.1'), {
    known: false,
    walledGarden: false,
    'warn-malicious-site': false,
    'block-c2': false,
  });
});
