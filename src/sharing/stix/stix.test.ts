import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CryptoPAn } from '../anonymize/index.js';
import {
  addressSco,
  classifyTlp,
  indicatorObject,
  indicatorPattern,
  type SharingRules,
  sanitizeOutbound,
  scoId,
  stixId,
  TLP_MARKING_IDS,
  tlpOf,
} from './index.js';

const rules: SharingRules = {
  indicatorTlp: 'green',
  clearCategories: ['phishing'],
  victimTlp: 'amber',
  defaultTlp: 'amber',
  subscriberPatterns: [/\bsub-\d{6}\b/],
  cryptopan: new CryptoPAn(Buffer.alloc(32, 3)),
  coarsen: 'hour',
};

const row = {
  id: 7,
  kind: 'url' as const,
  value: "http://evil.example/it's\\here",
  category: 'malware-distribution',
  status: 'active',
  confidence: 0.83,
  first_seen: new Date('2026-11-01T00:00:00Z'),
  last_seen: new Date('2026-11-02T00:00:00Z'),
  expires_at: new Date('2026-12-01T00:00:00Z'),
  updated_at: new Date('2026-11-02T00:00:00Z'),
  attributes: { family: 'Emotet' },
};

describe('STIX objects', () => {
  test('patterns escape quotes and backslashes and pick the address type', () => {
    assert.equal(indicatorPattern('url', "http://a/'\\"), "[url:value = 'http://a/\\'\\\\']");
    assert.equal(indicatorPattern('cidr', '2001:db8::/32'), "[ipv6-addr:value = '2001:db8::/32']");
    assert.equal(indicatorPattern('ip', '192.0.2.1'), "[ipv4-addr:value = '192.0.2.1']");
    assert.equal(indicatorPattern('domain', 'evil.example'), "[domain-name:value = 'evil.example']");
  });

  test('ids are deterministic UUIDv5; SCO ids follow STIX §2.9', () => {
    assert.equal(stixId('indicator', 'url:x'), stixId('indicator', 'url:x'));
    assert.notEqual(stixId('indicator', 'url:x'), stixId('indicator', 'url:y'));
    assert.match(
      stixId('indicator', 'url:x'),
      /^indicator--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    // the deterministic id of domain-name "example.com" as the STIX 2.1 specification gives it
    assert.equal(
      scoId('domain-name', { value: 'example.com' }),
      'domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7',
    );
    assert.equal(scoId('ipv4-addr', { value: '198.51.100.3' }), addressSco('198.51.100.3').id);
  });

  test('an indicator carries pattern, validity from expiry, confidence 0–100, labels and its TLP marking', () => {
    const o = indicatorObject(row, 'identity--x', 'green', new Date('2026-11-02T00:00:00Z'));
    assert.equal(o.pattern_type, 'stix');
    assert.equal(o.valid_from, '2026-11-01T00:00:00.000Z');
    assert.equal(o.valid_until, '2026-12-01T00:00:00.000Z');
    assert.equal(o.confidence, 83);
    assert.deepEqual(o.labels, ['malware-distribution', 'family:Emotet']);
    assert.deepEqual(o.object_marking_refs, [TLP_MARKING_IDS.green]);
    assert.equal(o.revoked, undefined);
    assert.equal(
      indicatorObject({ ...row, status: 'delisted' }, 'identity--x', 'green', new Date()).revoked,
      true,
    );
  });
});

describe('automatic TLP and outbound sanitising', () => {
  test('anything identifying a subscriber is RED and never leaves', () => {
    const o = { type: 'note', id: 'note--1', content: 'customer sub-123456 infected' };
    assert.equal(classifyTlp(o, rules).tlp, 'red');
    assert.equal(sanitizeOutbound(o, rules), undefined);
    assert.equal(
      classifyTlp({ type: 'sighting', id: 'sighting--1', x_yojin_subscriber_id: 'S1' }, rules).tlp,
      'red',
    );
    // a person who is not our subscriber (e.g. a threat actor persona) is personal data: AMBER at most
    assert.equal(
      classifyTlp({ type: 'identity', id: 'identity--1', identity_class: 'individual', name: 'A' }, rules)
        .tlp,
      'amber',
    );
  });

  test('victim organisations are AMBER; indicators GREEN or CLEAR by category; own stricter marking wins', () => {
    assert.equal(
      classifyTlp(
        { type: 'identity', id: 'identity--2', identity_class: 'organization', x_yojin_victim: true },
        rules,
      ).tlp,
      'amber',
    );
    assert.equal(
      classifyTlp({ type: 'indicator', id: 'indicator--1', labels: ['malware-distribution'] }, rules).tlp,
      'green',
    );
    assert.equal(
      classifyTlp({ type: 'indicator', id: 'indicator--1', labels: ['phishing'] }, rules).tlp,
      'clear',
    );
    const marked = {
      type: 'indicator',
      id: 'indicator--1',
      labels: ['phishing'],
      object_marking_refs: [TLP_MARKING_IDS['amber+strict']],
    };
    assert.equal(classifyTlp(marked, rules).tlp, 'amber+strict');
    assert.equal(
      tlpOf({ object_marking_refs: ['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da'] }),
      'green',
      'TLP 1.0 GREEN',
    );
  });

  test('observed addresses are anonymised prefix-preservingly, text scrubbed, times coarsened; indicators untouched', () => {
    const sco = sanitizeOutbound(addressSco('203.0.113.77'), rules)!;
    assert.notEqual(sco.object.value, '203.0.113.77');
    assert.equal(sco.object.value, rules.cryptopan.anonymize('203.0.113.77'));
    const sighting = sanitizeOutbound(
      {
        type: 'sighting',
        id: 'sighting--1',
        description: 'seen from 203.0.113.77, ask noc@isp.example',
        first_seen: '2026-11-01T10:42:13.000Z',
        sighting_of_ref: 'indicator--1',
      },
      rules,
    )!;
    assert.doesNotMatch(String(sighting.object.description), /203\.0\.113\.77|noc@isp/);
    assert.equal(sighting.object.first_seen, '2026-11-01T10:00:00.000Z');
    const ind = sanitizeOutbound(
      indicatorObject({ ...row, kind: 'ip', value: '203.0.113.77' }, 'identity--x', 'green', new Date()),
      rules,
    )!;
    assert.match(String(ind.object.pattern), /203\.0\.113\.77/, 'attacker infrastructure is shared as is');
  });
});
