import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isYojinError } from '../errors/index.js';
import { CATEGORIES, drain, FORMATS, getParser, lineParser, linesOf, readLines } from './index.js';

async function all(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of it) out.push(l);
  return out;
}

test('readLines: BOM dropped, CRLF and LF, no final newline, multi-byte characters split across chunks', async () => {
  const bytes = Buffer.from('\uFEFFa\r\nb\nпример.рф\r\nlast', 'utf8');
  // One byte per chunk: every boundary (inside the BOM, inside CRLF, inside a character) is exercised.
  const chunks = [...bytes].map((b) => Buffer.from([b]));
  assert.deepEqual(await all(readLines(Readable.from(chunks))), ['a', 'b', 'пример.рф', 'last']);
  assert.deepEqual(await all(linesOf('x\n\ny\n')), ['x', '', 'y']);
  assert.deepEqual(await all(linesOf('')), []);
});

test('readLines: gzip is recognised by its magic bytes, from a path or a stream', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'yojin-lines-'));
  const file = join(dir, 'feed.txt'); // no .gz: the content decides
  writeFileSync(file, gzipSync('192.0.2.1\r\n192.0.2.2\n'));
  assert.deepEqual(await all(readLines(file)), ['192.0.2.1', '192.0.2.2']);
  const gz = gzipSync('one\ntwo');
  assert.deepEqual(await all(readLines(Readable.from([gz.subarray(0, 1), gz.subarray(1)]))), ['one', 'two']);
});

test('readLines: a corrupt gzip stream fails the read with an error, not a hang', async () => {
  const gz = gzipSync('a\n'.repeat(1000));
  const broken = Buffer.concat([gz.subarray(0, 20), Buffer.alloc(50, 7)]);
  await assert.rejects(all(readLines(Readable.from([broken]))));
});

test('getParser: every listed format resolves; an unknown one is FEED_UNKNOWN_FORMAT naming the formats', () => {
  assert.equal(FORMATS.length, 12);
  for (const f of FORMATS) assert.equal(getParser(f).format, f);
  assert.throws(
    () => getParser('csv'),
    (err) => isYojinError(err, 'FEED_UNKNOWN_FORMAT') && err.message.includes('urlhaus-csv'),
  );
  assert.ok(CATEGORIES.includes('hijacked-netblock'));
});

test('lineParser: any exception in a unit rejects that line only, with its number and clipped text', async () => {
  const p = lineParser('test', () => ({
    parseLine(line) {
      if (line.startsWith('x')) throw new TypeError('boom');
      return { kind: 'domain', value: line, category: 'other', attributes: {} };
    },
  }));
  const long = `x${'y'.repeat(500)}`;
  const { records, errors } = await drain(p.parse(linesOf(`a.example\n${long}\nb.example`)));
  assert.deepEqual(
    records.map((r) => [r.line, r.value]),
    [
      [1, 'a.example'],
      [3, 'b.example'],
    ],
  );
  assert.equal(errors[0].line, 2);
  assert.equal(errors[0].reason, 'boom');
  assert.ok(errors[0].text.length <= 201);
});

test('each parser gets fresh state per parse: a header seen in one input does not leak into the next', async () => {
  const p = getParser('urlhaus-csv');
  await drain(p.parse(linesOf('# id,url\n"1","http://a.example/"')));
  const { records, errors } = await drain(
    p.parse(linesOf('"2","2026-01-01 00:00:00","http://b.example/","online","","malware_download","","",""')),
  );
  assert.equal(errors.length, 0);
  assert.equal(records[0].value, 'http://b.example/');
});
