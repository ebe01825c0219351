import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../testing/cli.js';
import { SPEC_CANONICALISATION, SPEC_EXPRESSIONS } from './spec-examples.js';

// Each runCli spawns the whole CLI (seconds on a busy CI box), so each spawn checks several things.
describe('yojin canon (CLI)', () => {
  test('canon url URL prints the canonical URL', async () => {
    const r = await runCli(['canon', 'url', 'http://www.GOOgle.com:8080/a/../b#frag']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'http://www.google.com/b\n');
  });

  test('canon url on stdin: the spec table line by line; a bad line is named, the rest still prints, exit 1', async () => {
    // Inputs with a raw CR/LF cannot travel as one line; the unit tests cover those.
    const rows = SPEC_CANONICALISATION.filter(([i]) => !/[\r\n]/.test(i));
    const lines = rows.map(([i]) => i);
    lines.splice(3, 0, 'http://'); // line 4 is bad
    const cwd = mkdtempSync(join(tmpdir(), 'yojin-canon-'));
    const r = await runCli(['canon', 'url'], { input: `${lines.join('\n')}\r\n\n`, cwd });
    assert.equal(r.code, 1);
    assert.deepEqual(
      r.stdout.split('\n').slice(0, -1),
      rows.map(([, o]) => o),
    );
    assert.match(
      r.stderr,
      /^error \[CANON_INVALID\]: line 4: not a valid URL: "http:\/\/" \(no host name\)$/m,
    );
    assert.match(r.stderr, /^1 line\(s\) could not be canonicalised$/m);
    assert.deepEqual(readdirSync(cwd), [], 'no store was opened');
  });

  test('canon expressions on stdin prints space-separated expressions per input', async () => {
    const r = await runCli(['canon', 'expressions'], {
      input: `${SPEC_EXPRESSIONS.map(([u]) => u).join('\n')}\n`,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout.trimEnd().split('\n'),
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
