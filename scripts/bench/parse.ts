// Parse-only throughput of the feed parsers on a generated URLhaus CSV.
// Usage: npm run bench -- parse [LINES=1000000] [FORMAT=urlhaus-csv]

import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFile } from '../../src/pipeline/index.js';

const lines = Number(process.argv[2] ?? 1_000_000);
if (!Number.isInteger(lines) || lines <= 0) {
  console.error('usage: npm run bench -- parse [LINES]');
  process.exit(2);
}

const HEADER = `################################################################
# abuse.ch URLhaus Database Dump (CSV - online URLs only)      #
# Last updated: 2026-01-27 17:53:08 (UTC)                      #
#                                                              #
# Terms Of Use: https://urlhaus.abuse.ch/api/                  #
# For questions please contact urlhaus [at] abuse.ch           #
################################################################
#
# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
`;

async function generate(file: string, n: number) {
  const out = createWriteStream(file);
  out.write(HEADER);
  let buf = '';
  for (let i = 0; i < n; i++) {
    const id = 3_000_000 + i;
    const host =
      i % 3 === 0
        ? `${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}:8080`
        : `h${i}.example${i % 97}.com`;
    buf += `"${id}","2026-01-27 17:53:08","http://${host}/bins/${i}/x86.exe","online","2026-01-27 17:53:08","malware_download","elf,mirai","https://urlhaus.abuse.ch/url/${id}/","someone"\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

const dir = mkdtempSync(join(tmpdir(), 'yojin-bench-parse-'));
const file = join(dir, 'urlhaus.csv');
try {
  await generate(file, lines);
  const size = statSync(file).size;
  let peakRss = process.memoryUsage().rss;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  let records = 0;
  let rejected = 0;
  const c = collectFile(file, 'urlhaus-csv');
  for await (const item of c.items) {
    if ('reason' in item) rejected++;
    else records++;
    if ((records & 0xffff) === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const secs = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(`parse urlhaus-csv: ${lines.toLocaleString('en')} lines (${(size / 1e6).toFixed(1)} MB)`);
  console.log(`  records ${records}, rejected ${rejected}`);
  console.log(`  ${secs.toFixed(2)} s wall, ${Math.round(lines / secs).toLocaleString('en')} lines/s`);
  // CPU time as well: on a shared machine wall time measures the neighbours too.
  console.log(
    `  ${cpuSecs.toFixed(2)} s CPU, ${Math.round(lines / cpuSecs).toLocaleString('en')} lines per CPU-second`,
  );
  console.log(`  peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
