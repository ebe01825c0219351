import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drain, getParser, readLines } from '../../index.js';

const fixture = new URL('./fixture.csv', import.meta.url).pathname;

test('phishtank-csv: phishing URLs with id, target and times; a short row is reported by line', async () => {
  const { records, errors } = await drain(getParser('phishtank-csv').parse(readLines(fixture)));
  assert.deepEqual(
    records.map((r) => r.line),
    [2, 3, 5],
  );
  assert.deepEqual(
    errors.map((e) => [e.line, e.reason]),
    [[4, 'expected 8 columns, found 5']],
  );
  const [a, b, c] = records;
  assert.equal(a.category, 'phishing');
  assert.equal(a.seenAt?.toISOString(), '2019-05-15T19:26:26.000Z');
  assert.equal(a.attributes.id, '6044296');
  assert.equal(a.attributes.verified, true);
  assert.equal(a.attributes.status, 'online');
  assert.equal(a.attributes.reference, 'http://www.phishtank.com/phish_detail.php?phish_id=6044296');
  // PhishTank's HTML-escaped ampersands are undone; the raw text is kept.
  assert.equal(
    b.value,
    'https://gloriaorenvoiceo.biowikies.com/servvppl/cc/segin/?country.x=US&locale.x=en_US',
  );
  assert.match(String(b.attributes.rawUrl), /&amp;/);
  // Quoted fields with commas (URL and target).
  assert.equal(c.value, 'https://signin.example-ebay.top/ws/eBayISAPI.dll?SignIn&ru=a,b');
  assert.equal(c.attributes.target, 'eBay, Inc.');
});
