import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../clock/index.js';
import { BypassTable, clientKey } from './bypass.js';
import { blockedHost, continueTarget, isSafePath, safePathOf } from './host.js';
import { negotiateLang } from './i18n.js';
import { hostAndParents, requestExpressions } from './lookup.js';
import { RateLimiter } from './ratelimit.js';

test('Accept-Language negotiation picks the best of ja/en by q, then order; ?lang wins; ja by default', () => {
  assert.equal(negotiateLang(undefined, undefined), 'ja');
  assert.equal(negotiateLang(undefined, 'fr-FR,fr;q=0.9'), 'ja');
  assert.equal(negotiateLang(undefined, 'en-US,en;q=0.9,ja;q=0.8'), 'en');
  assert.equal(negotiateLang(undefined, 'ja;q=0.3, en;q=0.7'), 'en');
  assert.equal(negotiateLang(undefined, 'de, ja-JP, en'), 'ja');
  assert.equal(negotiateLang(undefined, 'en;q=0, ja;q=0.1'), 'ja');
  assert.equal(negotiateLang('en', 'ja'), 'en');
  assert.equal(negotiateLang('fr', 'en'), 'en', 'an unknown ?lang is ignored');
});

test('the blocked host comes from Host: lower case, no port, no trailing dot; addresses and junk are not names', () => {
  assert.equal(blockedHost('Bad.Example:8081'), 'bad.example');
  assert.equal(blockedHost('bad.example.'), 'bad.example');
  assert.equal(blockedHost('xn--r8jz45g.jp'), 'xn--r8jz45g.jp');
  for (const h of [
    undefined,
    '',
    '127.0.0.1',
    '127.0.0.1:80',
    '[::1]:8081',
    'a b',
    'evil.example@x',
    'x/y',
    'ex_ample..com',
    '-bad.example',
  ])
    assert.equal(blockedHost(h), undefined, String(h));
});

test('request targets: one leading slash, printable ASCII, no backslash', () => {
  for (const p of ['/', '/a/b?c=d&e=%2F', '/~user/file.exe', '/@x']) assert.equal(isSafePath(p), true, p);
  for (const p of ['', 'x', '//evil', '/\\evil', '/a\\b', '/a b', '/a\r\nb', '/\t', `/${'a'.repeat(2048)}`])
    assert.equal(isSafePath(p), false, JSON.stringify(p));
  assert.equal(safePathOf('/a b?x'), '/');
  assert.equal(safePathOf('/ok?bad query'), '/ok');
  assert.equal(continueTarget('bad.example', '/x?y'), 'http://bad.example/x?y');
  assert.equal(continueTarget('bad.example', '//evil.example'), undefined);
  assert.equal(continueTarget('evil.example@bad.example', '/'), undefined);
  assert.equal(continueTarget('bad.example:8080', '/'), undefined);
});

test('client keys: IPv4 as is (also when mapped), IPv6 by /64; bypasses expire', () => {
  assert.equal(clientKey('192.0.2.1'), '192.0.2.1');
  assert.equal(clientKey('::ffff:192.0.2.1'), '192.0.2.1');
  assert.equal(clientKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
  assert.equal(clientKey('fe80::1%eth0'), 'fe80::/64');
  assert.equal(clientKey('not-an-address'), undefined);
  const clock = new ManualClock('2026-11-01T00:00:00Z');
  const t = new BypassTable(clock);
  t.grant('192.0.2.1', 'Bad.Example', new Date('2026-11-01T00:10:00Z'));
  assert.equal(t.isBypassed('::ffff:192.0.2.1', 'bad.example.'), true);
  assert.equal(t.isBypassed('192.0.2.2', 'bad.example'), false);
  clock.advance(10 * 60_000);
  assert.equal(t.isBypassed('192.0.2.1', 'bad.example'), false);
  assert.equal(t.prune(), 0);
});

test('lookup expressions: host and parents; canonical Safe Browsing host/path combinations', () => {
  assert.deepEqual(hostAndParents('a.b.example'), ['a.b.example', 'b.example', 'example']);
  const e = requestExpressions('a.b.c.example', '/1/%7Eeve/2.html?x=y');
  for (const want of [
    'a.b.c.example/1/~eve/2.html?x=y',
    'a.b.c.example/1/~eve/2.html',
    'a.b.c.example/1/',
    'a.b.c.example/',
    'c.example/1/~eve/2.html',
    'b.c.example/',
  ])
    assert.ok(e.includes(want), `${want} in ${e.join(' ')}`);
  assert.deepEqual(requestExpressions('bad.example', '/%zz%'), requestExpressions('bad.example', '/%zz%'));
});

test('rate limiter: a fixed window per key', () => {
  const r = new RateLimiter(2, 1000);
  assert.equal(r.take('a', 0), true);
  assert.equal(r.take('a', 10), true);
  assert.equal(r.take('a', 20), false);
  assert.equal(r.take('b', 20), true);
  assert.equal(r.take('a', 1000), true);
});
