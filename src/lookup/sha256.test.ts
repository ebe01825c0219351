import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { sha256Prefix32 } from './sha256.js';

const ref = (s: string) => createHash('sha256').update(s, 'utf8').digest().readUInt32BE(0);

test('sha256Prefix32 agrees with node:crypto at every padding boundary and on random strings', () => {
  assert.equal(sha256Prefix32('abc'), 0xba7816bf);
  assert.equal(sha256Prefix32(''), 0xe3b0c442);
  for (let n = 0; n <= 300; n++) {
    const s = 'x/'.repeat(n).slice(0, n);
    assert.equal(sha256Prefix32(s), ref(s), `length ${n}`);
  }
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 20 }), (a, b) => {
      return sha256Prefix32(a) === ref(a) && sha256Prefix32(b) === ref(b);
    }),
    { numRuns: 2000 },
  );
});
