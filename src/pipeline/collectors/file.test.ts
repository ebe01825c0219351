import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isYojinError } from '../../errors/index.js';
import { collectFile, drain } from '../index.js';

test('file collector: stdin (-) streams through the parser', async () => {
  const stdin = Readable.from([Buffer.from('https://a.example/x\nnope\n')]);
  const c = collectFile('-', 'openphish-txt', { stdin });
  const { records, errors } = await drain(c.items);
  assert.equal(records.length, 1);
  assert.equal(errors[0].line, 2);
  assert.equal(c.bytesRead(), 25);
  assert.equal(c.totalBytes, undefined);
});

test('file collector: a missing file is FEED_UNREADABLE before anything is parsed', () => {
  assert.throws(
    () => collectFile('/nonexistent/feed.csv', 'urlhaus-csv'),
    (e) => isYojinError(e, 'FEED_UNREADABLE'),
  );
  assert.throws(
    () => collectFile(tmpdir(), 'urlhaus-csv'),
    (e) => isYojinError(e, 'FEED_UNREADABLE'),
  );
});

test('file collector: a large generated feed parses with bounded heap growth', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'yojin-big-'));
  const file = join(dir, 'big.csv');
  const lines = 150_000; // ~22 MB of URLhaus rows
  const out = createWriteStream(file);
  let buf = '';
  for (let i = 0; i < lines; i++) {
    buf += `"${i}","2026-01-27 17:53:08","http://host${i}.example.com/path/${i}/payload.exe","online","","malware_download","elf,mirai","https://urlhaus.abuse.ch/url/${i}/","someone"\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  // Measure live memory, not garbage awaiting collection: collect before each sample, so the check is
  // about what parsing retains (a leak) and does not depend on when V8 happens to collect.
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  try {
    gc();
    const before = process.memoryUsage().heapUsed;
    const c = collectFile(file, 'urlhaus-csv');
    let records = 0;
    let peak = before;
    for await (const item of c.items) {
      if (!('reason' in item)) records++;
      if (records % 20_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
    }
    assert.equal(records, lines);
    assert.equal(c.bytesRead(), c.totalBytes);
    // Keeping the records would take ~100 MB (150k objects with strings and a Date each); streaming
    // keeps only the current chunk and batch alive: under 48 MB with room to spare.
    const growthMb = (peak - before) / 1024 / 1024;
    assert.ok(growthMb < 48, `heap grew ${growthMb.toFixed(1)} MB while parsing a ${lines}-line file`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
