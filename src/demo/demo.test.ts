import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { getParser, isLineError, readLines } from '../pipeline/index.js';
import { REPO_ROOT, runCli } from '../testing/cli.js';
import { generate, noticeDays } from './generate.js';
import { makePlan, v4Of } from './plan.js';
import { loadScenario, parseScenario } from './scenario.js';

const tmp = mkdtempSync(join(tmpdir(), 'yojin-demo-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const BASE = `name: t
seed: 1
start: "2026-11-02"
days: 3
subscribers: 10
`;

function hashes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

describe('scenario files', () => {
  test('every scenario in scenarios/ is valid', () => {
    const dir = join(REPO_ROOT, 'scenarios');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 2);
    for (const f of files) assert.ok(loadScenario(join(dir, f)).incidents.length > 0, f);
  });

  test('mistakes are named with their place in the file', () => {
    const bad = (text: string, re: RegExp) =>
      assert.throws(
        () => parseScenario(text, 'x.yaml'),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, 'DEMO_SCENARIO_INVALID');
          assert.match(e.message, re);
          return true;
        },
      );
    bad(
      `${BASE}incidents:\n  - type: earthquake\n    day: 1\n`,
      /\/incidents\/0\/type must be one of outbreak/,
    );
    bad(
      `${BASE}incidents:\n  - type: outbreak\n    day: 5\n    family: mirai\n    infected: 1\n`,
      /\/incidents\/0\/day is 5 but the scenario has only 3 days/,
    );
    bad(
      `${BASE}incidents:\n  - type: outbreak\n    day: 1\n    family: mirai\n    infected: 50\n`,
      /need 50 subscribers but there are only 10/,
    );
    bad(
      `${BASE}incidents:\n  - type: false-positive\n    day: 1\n    site: bakery.com\n    reporter: a@b.example\n`,
      /\/incidents\/0\/site/,
    );
    bad(BASE.replace('seed: 1\n', ''), /seed/);
    bad('name: [unclosed', /not valid YAML/);
  });
});

describe('the generator', () => {
  const scenario = () =>
    parseScenario(`${BASE.replace('subscribers: 10', 'subscribers: 600')}indicators: 30
incidents:
  - { type: outbreak, day: 0, family: mirai, infected: 5 }
  - { type: phishing-wave, day: 1, sites: 2, victims: 5 }
  - { type: open-resolvers, day: 2, count: 2 }
  - { type: false-positive, day: 1, site: bakery.example, reporter: owner@bakery.example }
`);

  test('is deterministic: the same seed writes the same bytes, another seed other bytes', async () => {
    await generate(scenario(), { out: join(tmp, 'a'), evidence: 200 });
    await generate(scenario(), { out: join(tmp, 'b'), evidence: 200 });
    const a = hashes(join(tmp, 'a'));
    assert.deepEqual(a, hashes(join(tmp, 'b')));
    const other = { ...scenario(), seed: 2 };
    await generate(other, { out: join(tmp, 'c'), evidence: 200 });
    assert.notEqual(
      a.get('day-000/evidence/event4_sinkhole.csv'),
      hashes(join(tmp, 'c')).get('day-000/evidence/event4_sinkhole.csv'),
    );
  });

  test('writes feeds the real parsers read without a rejected line', async () => {
    const day0 = join(tmp, 'a', 'day-000', 'feeds');
    for (const [file, format] of [
      ['urlhaus.csv', 'urlhaus-csv'],
      ['openphish.txt', 'openphish-txt'],
      ['feodo.csv', 'feodo-csv'],
      ['drop.txt', 'spamhaus-drop'],
      ['demo.rpz', 'rpz'],
    ]) {
      let records = 0;
      for await (const item of getParser(format).parse(readLines(join(day0, file)))) {
        assert.ok(!isLineError(item), `${file}: ${JSON.stringify(item)}`);
        records++;
      }
      assert.ok(records > 0, file);
    }
  });

  test('the ground truth counts every notice once and keeps the opted-out subscriber among the victims', () => {
    const truth = JSON.parse(readFileSync(join(tmp, 'a', 'ground-truth.json'), 'utf8'));
    assert.equal(
      truth.notices.filter((n: { measure: string }) => n.measure === 'notify-vulnerable').length,
      2,
    );
    // 5 outbreak + the background infected (200 rows / 20 per subscriber)
    assert.equal(
      truth.notices.filter((n: { measure: string }) => n.measure === 'notify-infected').length,
      15,
    );
    assert.equal(truth.optedOut.length >= 1, true);
    assert.deepEqual(
      truth.delisted.map((d: { name: string }) => d.name),
      ['bakery.example'],
    );
    const sinkRows =
      readFileSync(join(tmp, 'a', 'day-000', 'evidence', 'event4_sinkhole.csv'), 'utf8')
        .trim()
        .split('\n').length - 1;
    assert.ok(sinkRows >= 15);
  });
});

describe('expected notices follow the case schedule', () => {
  test('first notice; a reminder a week later only if evidence continued; nothing after resolution', () => {
    assert.deepEqual(noticeDays([1], 30), [1]);
    assert.deepEqual(noticeDays([1, 2, 3], 14), [1, 8]);
    assert.deepEqual(noticeDays([1, 2, 3], 8), [1], 'the reminder day is past the end of the scenario');
    assert.deepEqual(noticeDays([0, 1, 9, 10], 30), [0, 7, 14]);
    assert.deepEqual(
      noticeDays([0, 1, 20], 30),
      [0, 7],
      'resolved on day 15 (14 quiet days), before the later evidence',
    );
  });
});

describe('the address plan', () => {
  test('no two subscribers hold the same address (and CGNAT port block) on a day; addresses move daily', () => {
    for (const n of [10, 600, 40_000]) {
      const plan = makePlan(n);
      for (const d of [0, 1, 7]) {
        const seen = new Set<string>();
        for (let i = 0; i < n; i++) {
          const v = v4Of(plan, i, d);
          if (!v) continue;
          const k = `${v.outside}:${v.ports?.[0] ?? ''}`;
          assert.ok(!seen.has(k), `n=${n} day ${d}: ${k} twice`);
          seen.add(k);
        }
      }
      assert.notEqual(
        v4Of(plan, 0, 0)!.outside + v4Of(plan, 0, 0)!.ports,
        v4Of(plan, 0, 1)!.outside + v4Of(plan, 0, 1)!.ports,
      );
    }
    assert.ok(makePlan(40_000).blockSize < 2048, 'port blocks shrink so every CGNAT subscriber fits');
  });
});

describe('yojin demo (CLI)', () => {
  test('demo generate --out writes the files and says what it wrote', async () => {
    const out = join(tmp, 'cli');
    const r = await runCli([
      'demo',
      'generate',
      '--out',
      out,
      '--subscribers',
      '50',
      '--days',
      '2',
      '--evidence',
      '40',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const counts = JSON.parse(r.stdout);
    assert.equal(counts.subscribers, 50);
    assert.equal(counts['sinkhole-rows'] >= 40, true);
    assert.ok(readdirSync(join(out, 'day-001', 'radius')).length === 1);
  });

  test('demo review without ground truth says what to run', async () => {
    const r = await runCli([
      '--data-dir',
      join(tmp, 'store'),
      'demo',
      'review',
      '--files',
      join(tmp, 'nowhere'),
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no ground-truth\.json .*yojin demo generate/);
  });

  test('demo --exit replays the small scenario and prints where to look', async () => {
    const dir = join(tmp, 'run');
    const r = await runCli(
      [
        'demo',
        '--exit',
        '--days',
        '2',
        '--dir',
        dir,
        '--http',
        '127.0.0.1:0',
        '--dns',
        '127.0.0.1:0',
        '--day-delay',
        '0',
      ],
      { env: { YOJIN_WARNING_LISTEN: '127.0.0.1:0', YOJIN_RPZ_LISTEN: '127.0.0.1:0' } },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /dig @127\.0\.0\.1 -p \d+ -b 127\.10\.\d+\.\d+ \S+/);
    assert.match(r.stdout, /0 unexpected answers/);
    assert.ok(readdirSync(join(dir, 'mailbox')).length > 0);
    const rev = await runCli([
      '--data-dir',
      join(dir, 'store'),
      'demo',
      'review',
      '--files',
      join(dir, 'files'),
      '--json',
    ]);
    assert.equal(rev.code, 0, rev.stderr);
    assert.equal(JSON.parse(rev.stdout).ok, true);
  });
});
