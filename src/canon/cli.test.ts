import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../testing/cli.js';
import { SPEC_CANONICALISATION, SPEC_EXPRESSIONS } from './spec-examples.js';

describe('yojin canon (CLI)', () => {
  test('canon url URL prints the canonical URL', async () => {
    const r = await runCli(['canon', 'url', 'http://www.GOOgle.com:8080/a/../b#frag']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'http://www.google.com/b\n');
  });

  test('canon url reads stdin, one URL per line, and agrees with the spec table', async () => {
    // Inputs with a raw CR/LF/tab cannot travel as one line; the unit tests cover those.
    const rows = SPEC_CANONICALISATION.filter(([i]) => !/[\r\n]/.test(i));
    const r = await runCli(['canon', 'url'], { input: `${rows.map(([i]) => i).join('\n')}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout.split('\n').slice(0, -1),
      rows.map(([, o]) => o),
    );
  });

  test('a bad line is named on stderr, the rest still prints, exit code 1 at the end', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'yojin-canon-'));
    const r = await runCli(['canon', 'url'], { input: 'http://a.example/x\nhttp://\nB.example\r\n', cwd });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'http://a.example/x\nhttp://b.example/\n');
    assert.match(
      r.stderr,
      /^error \[CANON_INVALID\]: line 2: not a valid URL: "http:\/\/" \(no host name\)$/m,
    );
    assert.match(r.stderr, /1 line\(s\) could not be canonicalised/);
    // no store was opened (no .yojin directory appeared)
    assert.deepEqual(readdirSync(cwd), []);
  });

  test('canon expressions prints space-separated expressions per input', async () => {
    const [one, many] = await Promise.all([
      runCli(['canon', 'expressions', SPEC_EXPRESSIONS[0][0]]),
      runCli(['canon', 'expressions'], { input: `${SPEC_EXPRESSIONS.map(([u]) => u).join('\n')}\n` }),
    ]);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(one.stdout, `${SPEC_EXPRESSIONS[0][1].join(' ')}\n`);
    assert.equal(many.code, 0, many.stderr);
    assert.deepEqual(
      many.stdout.trimEnd().split('\n'),
      SPEC_EXPRESSIONS.map(([, e]) => e.join(' ')),
    );
  });

  test('an invalid argument fails with exit code 1 and a clear message', async () => {
    const r = await runCli(['canon', 'expressions', 'javascript:alert(1)']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /CANON_INVALID.*"javascript:" is not followed by "\/\/host"/);
  });
});
