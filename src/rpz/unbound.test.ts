import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import ipaddr from 'ipaddr.js';
import { DnsResolver } from '../dns/index.js';
import { loadPolicy, type PolicyAction, type PolicyEntry } from '../policy/index.js';
import { testContext } from '../testing/context.js';
import { freePort } from '../testing/ports.js';
import { testBackends } from '../testing/stores.js';
import { SEED, SEED_CONFIG } from './fixtures/seed.js';
import { ACTION_RANK, exportZone } from './index.js';
import { addIndicator } from './testkit.js';

const ZONE = 'rpz.yojin.local';
const UPSTREAM_DEFAULT = '203.0.113.10';
/** What the fake upstream answers for names whose real address is a listed C&C address. */
const UPSTREAM_ADDRESSES: Record<string, string> = {
  'ipc2.example.com': '192.0.2.66',
  'ipnet.example.com': '198.51.100.9',
};

/** The upstream Unbound forwards to: every name exists, with a fixed address. */
async function fakeUpstream(): Promise<{ port: number; close(): void }> {
  const s = dgram.createSocket('udp4');
  s.on('message', (m, r) => {
    let q: dnsPacket.DecodedPacket;
    try {
      q = dnsPacket.decode(m);
    } catch {
      return;
    }
    const question = q.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase();
    const answers: dnsPacket.Answer[] =
      question.type === 'A'
        ? [
            {
              name: question.name,
              type: 'A',
              class: 'IN',
              ttl: 60,
              data: UPSTREAM_ADDRESSES[name] ?? UPSTREAM_DEFAULT,
            },
          ]
        : [];
    s.send(
      dnsPacket.encode({
        id: q.id,
        type: 'response',
        flags: dnsPacket.RECURSION_AVAILABLE | dnsPacket.RECURSION_DESIRED,
        questions: q.questions,
        answers,
      }),
      r.port,
      r.address,
    );
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return { port: s.address().port, close: () => s.close() };
}

interface Answer {
  rcode: string;
  addresses: string[];
}

function query(port: number, name: string, timeoutMs = 3000): Promise<Answer | 'no answer'> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      resolve('no answer');
    }, timeoutMs);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      const p = dnsPacket.decode(m) as dnsPacket.DecodedPacket & { rcode: string };
      const addresses = (p.answers ?? [])
        .filter((a) => a.type === 'A')
        .map((a) => String((a as { data: unknown }).data));
      resolve({ rcode: p.rcode, addresses });
    });
    s.send(
      dnsPacket.encode({
        id: 99,
        type: 'query',
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ name, type: 'A', class: 'IN' }],
      }),
      port,
      '127.0.0.1',
    );
  });
}

/** yojin's own policy for a name (and the address the upstream gives it): the strongest matching action. */
function policyAction(entries: PolicyEntry[], name: string, upstream: string): PolicyAction | null {
  let best: PolicyAction | null = null;
  const consider = (a: PolicyAction) => {
    if (best === null || ACTION_RANK[a] > ACTION_RANK[best]) best = a;
  };
  for (const e of entries) {
    if (e.trigger === 'qname' && (e.name === name || (e.wildcard && name.endsWith(`.${e.name}`))))
      consider(e.action);
  }
  if (best !== null) return best; // a QNAME trigger is applied before the answer is fetched
  const addr = ipaddr.parse(upstream);
  for (const e of entries) {
    if (e.trigger !== 'ip') continue;
    const [net, len] = ipaddr.parseCIDR(e.name);
    if (net.kind() === addr.kind() && addr.match(net, len)) consider(e.action);
  }
  return best;
}

function expected(action: PolicyAction | null, upstream: string): Answer | 'no answer' {
  switch (action) {
    case 'warn':
      return { rcode: 'NOERROR', addresses: ['192.0.2.80'] };
    case 'nxdomain':
      return { rcode: 'NXDOMAIN', addresses: [] };
    case 'nodata':
      return { rcode: 'NOERROR', addresses: [] };
    case 'drop':
      return 'no answer';
    default: // passthru or unlisted: the real answer
      return { rcode: 'NOERROR', addresses: [upstream] };
  }
}

/**
 * Names where two listings hit one owner (`both.example.jp` as phishing, `*.both.example.jp` as C&C).
 * The RPZ keeps the stronger action (docs/rpz.md); yojin's resolver applies the same precedence.
 */
const CONFLICT_NAMES = new Set(['both.example.jp', 'x.both.example.jp']);
const resolverConflictMismatches: string[] = [];
let compared = false;

test('Unbound loads the exported zone as an rpz: zone and answers as yojin policy and yojin resolver do', async () => {
  const [backend] = testBackends();
  // yojin's own resolver answers warn with the same address the zone's local data carries.
  const ctx = await testContext(backend, {
    ...SEED_CONFIG,
    dns: { ...SEED_CONFIG.dns, warning_address_v4: '192.0.2.80' },
  });
  for (const s of SEED) await addIndicator(ctx.store, s);
  const dir = mkdtempSync(join(tmpdir(), 'yojin-unbound-'));
  const upstream = await fakeUpstream();
  let unbound: ChildProcess | undefined;
  let resolver: DnsResolver | undefined;
  let log = '';
  try {
    const zoneFile = join(dir, 'rpz.zone');
    const out = createWriteStream(zoneFile);
    await exportZone(ctx.store, ctx.config, out);
    out.end();
    await finished(out);
    const port = await freePort();
    writeFileSync(
      join(dir, 'unbound.conf'),
      `server:
  interface: 127.0.0.1
  port: ${port}
  do-ip6: no
  do-daemonize: no
  chroot: ""
  username: ""
  directory: "${dir}"
  pidfile: "${dir}/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 1
  do-not-query-localhost: no
  module-config: "respip iterator"
  qname-minimisation: no
  access-control: 127.0.0.0/8 allow
forward-zone:
  name: "."
  forward-addr: 127.0.0.1@${upstream.port}
rpz:
  name: ${ZONE}
  zonefile: ${zoneFile}
  rpz-log: yes
`,
    );
    unbound = spawn('unbound', ['-d', '-c', join(dir, 'unbound.conf')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    unbound.stdout?.on('data', (d) => (log += d));
    unbound.stderr?.on('data', (d) => (log += d));
    for (let i = 0; ; i++) {
      if ((await query(port, 'ready.example.jp', 300)) !== 'no answer') break;
      if (i > 100) throw new Error(`unbound did not start:\n${log}`);
    }

    const { entries } = await loadPolicy(ctx.store, ctx.config);
    const sample = [
      'phish.example.jp',
      'malware-dist.example.jp',
      'deep.sub.malware-dist.example.jp',
      'cc.example.net',
      'spam.example.org',
      'tolerated.example.org',
      'sink.example.net',
      'both.example.jp',
      'x.both.example.jp',
      'ipc2.example.com',
      'ipnet.example.com',
      'url-only.example.jp',
      'old.example.jp',
      'fine.example.jp',
      'unlisted.example.jp',
      'sub.phish.example.jp', // host-only listing: subdomains are not covered
    ];
    // yojin's own policy resolver (src/dns), forwarding to the same upstream.
    resolver = new DnsResolver(ctx, { listen: '127.0.0.1:0', upstreams: [`127.0.0.1:${upstream.port}`] });
    const yojinPort = (await resolver.start()).port;
    const mismatches: string[] = [];
    for (const name of sample) {
      const up = UPSTREAM_ADDRESSES[name] ?? UPSTREAM_DEFAULT;
      const action = policyAction(entries, name, up);
      const want = expected(action, up);
      const wait = want === 'no answer' ? 1500 : 3000;
      const got = await query(port, name, wait);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches.push(
          `${name} (${action ?? 'unlisted'}): unbound ${JSON.stringify(got)}, policy says ${JSON.stringify(want)}`,
        );
      }
      const ours = await query(yojinPort, name, wait);
      if (JSON.stringify(ours) !== JSON.stringify(got)) {
        const line = `${name} (${action ?? 'unlisted'}): unbound ${JSON.stringify(got)}, yojin resolver ${JSON.stringify(ours)}`;
        (CONFLICT_NAMES.has(name) ? resolverConflictMismatches : mismatches).push(line);
      }
    }
    compared = true;
    assert.deepEqual(mismatches, [], log);
    // The sample covers every action, both trigger kinds, and unlisted names.
    const actions = new Set(
      sample.map((n) => policyAction(entries, n, UPSTREAM_ADDRESSES[n] ?? UPSTREAM_DEFAULT)),
    );
    for (const a of ['warn', 'nxdomain', 'nodata', 'passthru', 'drop', null])
      assert.ok(actions.has(a as PolicyAction | null), String(a));
  } finally {
    unbound?.kill('SIGKILL');
    await resolver?.stop();
    upstream.close();
    await ctx.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('yojin resolver agrees with the RPZ where two listings hit one owner', () => {
  assert.ok(compared, 'the comparison above ran');
  assert.deepEqual(resolverConflictMismatches, []);
});
