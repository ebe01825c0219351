import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drain, getParser, readLines } from '../../index.js';

const fixture = new URL('./fixture.txt', import.meta.url).pathname;

test('openphish-txt: one phishing URL per line; a line without a scheme is reported', async () => {
  const { records, errors } = await drain(getParser('openphish-txt').parse(readLines(fixture)));
  assert.deepEqual(
    records.map((r) => [r.line, r.kind, r.category, r.value]),
    [
      [1, 'url', 'phishing', 'https://api.msuto.com/'],
      [2, 'url', 'phishing', 'http://send-usdt-9999.netlify.app/'],
      [3, 'url', 'phishing', 'https://dau-ug-koreatyujdjhdjuuej6664746637-chi.vercel.app/?naps'],
      [5, 'url', 'phishing', 'http://www.undianshopee-2021.blogspot.com/'],
    ],
  );
  assert.equal(errors.length, 1);
  assert.equal(errors[0].line, 4);
  assert.match(errors[0].reason, /not an absolute URL/);
});
