import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isYojinError } from '../errors/index.js';
import {
  canonicalCidr,
  canonicalDomain,
  canonicalIp,
  canonicalUrl,
  classify,
  domainInfo,
  urlExpressions,
  urlHost,
} from './index.js';
import { SPEC_CANONICALISATION, SPEC_EXPRESSIONS } from './spec-examples.js';

const invalid = (fn: () => unknown) => assert.throws(fn, (e) => isYojinError(e, 'CANON_INVALID'));

describe('Safe Browsing URL canonicalisation', () => {
  for (const [input, expected] of SPEC_CANONICALISATION) {
    test(`spec: ${JSON.stringify(input)} → ${expected}`, () => {
      assert.equal(canonicalUrl(input), expected);
    });
  }

  test('IPv4 in hex, octal, short and mixed forms becomes a dotted quad', () => {
    assert.equal(canonicalUrl('http://0x7f.1/'), 'http://127.0.0.1/');
    assert.equal(canonicalUrl('http://0177.0.0.01/'), 'http://127.0.0.1/');
    assert.equal(canonicalUrl('http://0x7f000001/x'), 'http://127.0.0.1/x');
    assert.equal(canonicalUrl('http://1.2.3/'), 'http://1.2.0.3/');
    assert.equal(canonicalUrl('http://1.2.3.4./'), 'http://1.2.3.4/');
    // not an address: stays a host name
    assert.equal(canonicalUrl('http://1.2.3.256/'), 'http://1.2.3.256/');
    assert.equal(canonicalUrl('http://08.1.1.1/'), 'http://08.1.1.1/');
  });

  test('IPv6 literals are normalised; IPv4-mapped and NAT64 forms become IPv4', () => {
    assert.equal(canonicalUrl('http://[2001:0DB8:0000::1]:8080/a'), 'http://[2001:db8::1]/a');
    assert.equal(canonicalUrl('http://[::ffff:1.2.3.4]/'), 'http://1.2.3.4/');
    assert.equal(canonicalUrl('http://[64:ff9b::1.2.3.4]/'), 'http://1.2.3.4/');
    invalid(() => canonicalUrl('http://[zz::1]/'));
    invalid(() => canonicalUrl('http://[::1/'));
    // brackets outside a literal: found by the property test below (".[" became "http://[/")
    invalid(() => canonicalUrl('.['));
    invalid(() => canonicalUrl('http://a]b.example/'));
    invalid(() => canonicalUrl('http://%5B.example/'));
  });

  test('IDN hosts become punycode; non-ASCII paths are escaped as UTF-8', () => {
    assert.equal(canonicalUrl('http://例え.テスト/パス'), 'http://xn--r8jz45g.xn--zckzah/%E3%83%91%E3%82%B9');
    assert.equal(canonicalUrl('http://%E4%BE%8B%E3%81%88.jp/'), 'http://xn--r8jz45g.jp/');
    assert.equal(canonicalUrl('HTTP://User:Pw@Example.COM:80/a/./b/../c'), 'http://example.com/a/c');
  });

  test('unusable input is CANON_INVALID naming the reason', () => {
    invalid(() => canonicalUrl(''));
    invalid(() => canonicalUrl('   '));
    invalid(() => canonicalUrl('http://'));
    invalid(() => canonicalUrl('http:///path'));
    invalid(() => canonicalUrl('javascript:alert(1)'));
    invalid(() => canonicalUrl('http://a:b@/x'));
    invalid(() => canonicalUrl('http://host:abc/'));
    invalid(() => canonicalUrl(`http://x/${'a'.repeat(70_000)}`));
    assert.throws(() => canonicalUrl('http://'), /no host name/);
  });

  test('urlHost takes the host of a canonical URL', () => {
    assert.equal(urlHost('http://www.google.com/q?x'), 'www.google.com');
    assert.equal(urlHost('http://[2001:db8::1]/'), '[2001:db8::1]');
    assert.equal(urlHost('http://example.com?x'), 'example.com');
  });
});

describe('Safe Browsing expressions', () => {
  for (const [input, expected] of SPEC_EXPRESSIONS) {
    test(`spec: ${input}`, () => {
      assert.deepEqual(urlExpressions(input), expected);
    });
  }

  test('at most 6 paths: exact with query, exact, then 4 prefixes from the root', () => {
    assert.deepEqual(urlExpressions('http://h.com/a/b/c/d/e.html?x=1'), [
      'h.com/a/b/c/d/e.html?x=1',
      'h.com/a/b/c/d/e.html',
      'h.com/',
      'h.com/a/',
      'h.com/a/b/',
      'h.com/a/b/c/',
    ]);
    assert.deepEqual(urlExpressions('http://h.com/'), ['h.com/']);
    assert.deepEqual(urlExpressions('http://h.com/?q'), ['h.com/?q', 'h.com/']);
    assert.deepEqual(urlExpressions('http://[2001:db8::1]/x'), ['[2001:db8::1]/x', '[2001:db8::1]/']);
  });

  test('a five-component host yields four suffixes below it, never the TLD alone', () => {
    assert.deepEqual(
      urlExpressions('http://a.b.c.d.e/').map((e) => e.slice(0, -1)),
      ['a.b.c.d.e', 'b.c.d.e', 'c.d.e', 'd.e'],
    );
    assert.deepEqual(urlExpressions('http://localhost/'), ['localhost/']);
  });
});

describe('canonicalisation properties (fast-check)', () => {
  const urlish = fc.oneof(
    fc.webUrl({
      withQueryParameters: true,
      withFragments: true,
      authoritySettings: { withIPv4: true, withIPv6: true, withPort: true, withUserInfo: true },
    }),
    fc.string({ unit: 'grapheme', maxLength: 60 }).map((s) => `http://${s}`),
    fc
      .tuple(
        fc.constantFrom('http://', 'https://', '', 'HTTP://'),
        fc.stringMatching(/^[a-zA-Z0-9.%-]{1,20}$/),
        fc.array(
          fc.constantFrom('a', '.', '..', '', '%2e', '%25', '%2F', 'x y', '%', '#', '日本', '?', '%3F'),
          { maxLength: 8 },
        ),
      )
      .map(([s, h, segs]) => `${s}${h}/${segs.join('/')}`),
    fc.string({ maxLength: 40 }),
  );

  const tryCanon = (u: string) => {
    try {
      return canonicalUrl(u);
    } catch (e) {
      if (isYojinError(e, 'CANON_INVALID')) return null;
      throw e;
    }
  };

  test('idempotent: canonicalUrl(canonicalUrl(x)) === canonicalUrl(x)', () => {
    fc.assert(
      fc.property(urlish, (u) => {
        const c = tryCanon(u);
        if (c === null) return true;
        return canonicalUrl(c) === c;
      }),
      { numRuns: 3000 },
    );
  });

  test('≤ 30 expressions, no repeats, and the first is the canonical host+path+query', () => {
    fc.assert(
      fc.property(urlish, (u) => {
        const c = tryCanon(u);
        if (c === null) return true;
        const ex = urlExpressions(u);
        const hostPath = c.slice(c.indexOf('://') + 3);
        return (
          ex.length >= 1 &&
          ex.length <= 30 &&
          new Set(ex).size === ex.length &&
          ex[0] === hostPath &&
          ex.includes(`${urlHost(c)}/`)
        );
      }),
      { numRuns: 3000 },
    );
  });

  test('a URL and its canonical form have the same expressions', () => {
    fc.assert(
      fc.property(urlish, (u) => {
        const c = tryCanon(u);
        return c === null || urlExpressions(c).join(' ') === urlExpressions(u).join(' ');
      }),
      { numRuns: 2000 },
    );
  });

  test('the output only ever holds printable ASCII without raw "#" or spaces', () => {
    fc.assert(
      fc.property(urlish, (u) => {
        const c = tryCanon(u);
        return c === null || (/^[\x21-\x7e]+$/.test(c) && !c.includes('#'));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('domains, addresses, CIDRs, classify', () => {
  test('canonicalDomain: lower-case A-labels, trailing dot removed, validated', () => {
    assert.equal(canonicalDomain('WWW.Example.COM.'), 'www.example.com');
    assert.equal(canonicalDomain('例え.テスト'), 'xn--r8jz45g.xn--zckzah');
    assert.equal(canonicalDomain('ＥＸＡＭＰＬＥ．ｊｐ'), 'example.jp');
    assert.equal(canonicalDomain('_dmarc.example.com'), '_dmarc.example.com');
    for (const bad of [
      '',
      '.',
      'a..b',
      '-a.com',
      'a-.com',
      '*.example.com',
      'a b.com',
      '1.2.3.4',
      `${'x'.repeat(64)}.com`,
      'a/b',
    ])
      invalid(() => canonicalDomain(bad));
  });

  test('domainInfo: registrable domain and public suffix, private section included', () => {
    assert.deepEqual(domainInfo('a.b.example.co.jp'), {
      domain: 'a.b.example.co.jp',
      registrable: 'example.co.jp',
      publicSuffix: 'co.jp',
      isPrivateSuffix: false,
      isIp: false,
    });
    const blog = domainInfo('evil.blogspot.com');
    assert.equal(blog.registrable, 'evil.blogspot.com');
    assert.equal(blog.publicSuffix, 'blogspot.com');
    assert.equal(blog.isPrivateSuffix, true);
    assert.equal(domainInfo('x.y.github.io').registrable, 'y.github.io');
    assert.deepEqual(domainInfo('192.0.2.1'), {
      domain: '192.0.2.1',
      registrable: null,
      publicSuffix: null,
      isPrivateSuffix: false,
      isIp: true,
    });
    assert.equal(domainInfo('2001:DB8::1').domain, '2001:db8::1');
  });

  test('canonicalIp and canonicalCidr', () => {
    assert.equal(canonicalIp(' 192.000.002.010 '), '192.0.2.10');
    assert.equal(canonicalIp('2001:0DB8:0:0:0:0:0:1'), '2001:db8::1');
    assert.equal(canonicalIp('[2001:db8::1]'), '2001:db8::1');
    assert.equal(canonicalIp('::ffff:192.0.2.1'), '192.0.2.1');
    for (const bad of ['256.1.1.1', '1.2.3', 'fe80::1%eth0', 'host', '1.2.3.4/24'])
      invalid(() => canonicalIp(bad));
    assert.equal(canonicalCidr('192.0.2.7/24'), '192.0.2.0/24');
    assert.equal(canonicalCidr('10.1.2.3/8'), '10.0.0.0/8');
    assert.equal(canonicalCidr('0.0.0.0/0'), '0.0.0.0/0');
    assert.equal(canonicalCidr('2001:db8:abcd::1/33'), '2001:db8:8000::/33');
    assert.equal(canonicalCidr('192.0.2.7'), '192.0.2.7/32');
    for (const bad of ['192.0.2.0/33', '2001:db8::/129', 'x/8', '192.0.2.0/-1'])
      invalid(() => canonicalCidr(bad));
  });

  test('classify picks the kind and returns the canonical value', () => {
    assert.deepEqual(classify('192.0.2.7/24'), { kind: 'cidr', value: '192.0.2.0/24' });
    assert.deepEqual(classify('2001:db8::/32'), { kind: 'cidr', value: '2001:db8::/32' });
    assert.deepEqual(classify('192.0.2.7'), { kind: 'ip', value: '192.0.2.7' });
    assert.deepEqual(classify('[2001:db8::1]'), { kind: 'ip', value: '2001:db8::1' });
    assert.deepEqual(classify('Evil.Example.'), { kind: 'domain', value: 'evil.example' });
    assert.deepEqual(classify('evil.example/x.exe'), { kind: 'url', value: 'http://evil.example/x.exe' });
    assert.deepEqual(classify('HTTPS://evil.example'), { kind: 'url', value: 'https://evil.example/' });
    assert.deepEqual(classify('evil.example:8080'), { kind: 'url', value: 'http://evil.example/' });
    for (const bad of ['', 'not a thing', '-bad-.com']) invalid(() => classify(bad));
  });
});
