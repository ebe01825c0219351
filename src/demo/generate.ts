import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { substream } from '../util/rng.js';
import {
  dayLabel,
  dayStart,
  loopbackOf,
  makePlan,
  type Plan,
  subscriberEmail,
  subscriberId,
  v4Of,
  v6PrefixOf,
} from './plan.js';
import type { Scenario } from './scenario.js';
import { LineWriter } from './writer.js';

/** What the DNS replay should see for one query. */
export type Expect = 'warn' | 'block' | 'pass';

export interface GroundTruth {
  scenario: string;
  seed: number;
  start: string;
  days: number;
  /** One entry per subscriber and measure that must receive exactly `count` notices, in `language`. */
  notices: Array<{
    subscriber: string;
    email: string;
    language: 'ja' | 'en';
    measure: string;
    family: string | null;
    day: number;
    count: number;
  }>;
  /** Subscribers who must receive no notice at all. */
  quiet: number;
  /** Names the resolver must answer with the warning page (for consenting subscribers). */
  warned: string[];
  /** C&C names the resolver must block. */
  blocked: string[];
  /** Queries of listed names from subscribers who opted out: answered normally. */
  optedOut: Array<{ subscriber: string; client: string; name: string }>;
  /** Names delisted after a site owner's false-positive report, with when the report is filed. */
  delisted: Array<{ name: string; day: number; reporter: string; reason: string; reviewAfterHours: number }>;
  /** Monthly figures (YYYY-MM → metric → value) the report must show. */
  monthly: Record<string, Record<string, number>>;
  securityTxt: Array<{ site: string; path: string }>;
  /** Owners of compromised sites, reached through their security.txt contact. */
  siteNotices: Array<{ site: string; email: string; day: number; count: number }>;
}

export interface GenerateOptions {
  out: string;
  /** Background sinkhole rows spread over the days (benchmark scale); they open cases too. */
  evidence?: number;
  /** Background listings across the feeds (overrides the scenario's `indicators`). */
  indicators?: number;
  onProgress?: (what: string) => void;
}

export interface Manifest {
  scenario: string;
  days: Array<{ day: number; date: string; dir: string; files: Record<string, string> }>;
  counts: Record<string, number>;
}

const FAMILIES = ['mirai', 'emotet', 'qakbot', 'andromeda'];
const BENIGN = (k: number) => `www.shop${k}.example`;
const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
const ssTime = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
const DOW = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** FreeRADIUS detail record header: ctime(3) form, written in UTC. */
const ctime = (d: Date) =>
  `${DOW[d.getUTCDay()]} ${MON[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)} ${d.getUTCFullYear()}`;
const month = (d: Date) => d.toISOString().slice(0, 7);

/**
 * Writes the synthetic ISP of a scenario into `out` in the systems' own formats, one folder per day
 * (RADIUS detail, CGNAT log, feeds, Shadowserver reports, the DNS traffic to replay), plus
 * subscribers.csv, loopback.csv, site/ (security.txt), manifest.json and ground-truth.json.
 * Deterministic: the same scenario and options write the same bytes.
 */
export async function generate(
  s: Scenario,
  opts: GenerateOptions,
): Promise<{ manifest: Manifest; truth: GroundTruth }> {
  const out = opts.out;
  mkdirSync(out, { recursive: true });
  const plan = makePlan(s.subscribers);
  const n = s.subscribers;
  const r = substream(s.seed, 'subscribers');
  const lang: Array<'ja' | 'en'> = [];
  for (let i = 0; i < n; i++) lang.push(r.next() < (s.english ?? 0.3) ? 'en' : 'ja');
  // Incident participants are drawn first so the opted-out ones can be placed among phishing victims.
  const inc = substream(s.seed, 'incidents');
  const withV4 = (i: number) => v4Of(plan, i, 0) !== null;
  const v4Count = Math.min(n, plan.publicCount + plan.cgnatCapacity);
  const taken = new Set<number>();
  const drawInfected = (k: number) => {
    const xs = inc.sample(v4Count, k, taken).filter(withV4);
    for (const x of xs) taken.add(x);
    return xs;
  };
  const outbreaks = s.incidents
    .filter((x) => x.type === 'outbreak')
    .map((x) => ({ ...x, subs: drawInfected(x.infected) }));
  // An open resolver answers on port 53 of its address: only subscribers with a public address can
  // run one (behind CGNAT, port 53 of the outside address belongs to nobody).
  const drawPublic = (k: number) => {
    const xs = inc.sample(plan.publicCount, k, taken);
    for (const x of xs) taken.add(x);
    return xs;
  };
  const resolvers = s.incidents
    .filter((x) => x.type === 'open-resolvers')
    .map((x) => ({ ...x, subs: drawPublic(x.count) }));
  const waves = s.incidents
    .filter((x) => x.type === 'phishing-wave')
    .map((x, w) => ({
      ...x,
      names: Array.from({ length: x.sites }, (_, k) => `login-wave${w + 1}-${k + 1}.bank-secure.test`),
      victims: inc.sample(n, Math.min(x.victims, n)),
    }));
  const optedOut = new Set<number>();
  const wantOut = s.opted_out ?? 1;
  for (const wv of waves)
    for (const v of wv.victims) if (optedOut.size < wantOut && !optedOut.has(v)) optedOut.add(v);
  for (const x of inc.sample(n, Math.min(n, wantOut * 2 + 10))) if (optedOut.size < wantOut) optedOut.add(x);
  const fps = s.incidents.filter((x) => x.type === 'false-positive');
  const compromised = s.incidents.filter((x) => x.type === 'compromised-site');

  // Background infections (benchmark scale): about 20 sinkhole hits per infected subscriber.
  const bgEvidence = opts.evidence ?? 0;
  const bgInfected =
    bgEvidence > 0
      ? drawInfected(Math.max(1, Math.min(Math.ceil(bgEvidence / 20), v4Count - taken.size)))
      : [];

  const truth: GroundTruth = {
    scenario: s.name,
    seed: s.seed,
    start: s.start,
    days: s.days,
    notices: [],
    quiet: 0,
    warned: [],
    blocked: [],
    optedOut: [],
    delisted: fps.map((f) => ({
      name: f.site,
      day: f.day,
      reporter: f.reporter,
      reason:
        f.reason ??
        'This is our bakery’s own site; the listing is a mistake. / 当店の公式サイトであり、登録は誤りです。',
      reviewAfterHours: f.review_after_hours ?? 2,
    })),
    monthly: {},
    securityTxt: [],
    siteNotices: [],
  };
  const bump = (d: Date, metric: string, k = 1) => {
    truth.monthly[month(d)] ??= {};
    const m = truth.monthly[month(d)];
    m[metric] = (m[metric] ?? 0) + k;
  };

  // subscribers.csv and loopback.csv (the replay's client addresses, as a static assignment table)
  const subs = new LineWriter(join(out, 'subscribers.csv'));
  const loop = new LineWriter(join(out, 'loopback.csv'));
  await subs.line('id,email,language,name,consent:warn-malicious-site,consent:block-c2');
  await loop.line('subscriber,prefix,ports,valid_from,valid_until');
  for (let i = 0; i < n; i++) {
    await subs.line(
      `${subscriberId(i)},${subscriberEmail(i)},${lang[i]},Demo User ${i + 1},${optedOut.has(i) ? 'no' : ''},`,
    );
    await loop.line(`${subscriberId(i)},${loopbackOf(i)}/32,,,`);
  }
  await subs.close();
  await loop.close();

  for (const site of compromised) {
    const path = join(out, 'site', site.site, '.well-known', 'security.txt');
    mkdirSync(join(out, 'site', site.site, '.well-known'), { recursive: true });
    writeFileSync(
      path,
      `Contact: mailto:security@${site.site}\nExpires: ${iso(dayStart(s.start, s.days + 365))}\nPreferred-Languages: ja, en\nCanonical: http://${site.site}/.well-known/security.txt\n`,
    );
    truth.securityTxt.push({ site: site.site, path: `site/${site.site}/.well-known/security.txt` });
    truth.siteNotices.push({ site: site.site, email: `security@${site.site}`, day: site.day, count: 1 });
    bump(dayStart(s.start, site.day), 'site-owners-notified');
  }

  const manifest: Manifest = { scenario: s.name, days: [], counts: {} };
  const count = (k: string, v: number) => (manifest.counts[k] = (manifest.counts[k] ?? 0) + v);
  const bgIndicators = opts.indicators ?? s.indicators ?? 20;
  const bgNames: string[] = [];
  const tr = substream(s.seed, 'traffic');
  const er = substream(s.seed, 'evidence');
  const noticed = new Map<string, { day: number; family: string | null; days: number[] }>();
  const notice = (i: number, measure: string, family: string | null, d: number) => {
    const k = `${i}\u0000${measure}`;
    const cur = noticed.get(k);
    if (!cur) noticed.set(k, { day: d, family, days: [d] });
    else if (cur.days[cur.days.length - 1] !== d) cur.days.push(d);
  };

  for (let d = 0; d < s.days; d++) {
    const t0 = dayStart(s.start, d);
    const at = (sec: number) => new Date(t0.getTime() + sec * 1000);
    const dir = join(out, dayLabel(d));
    const files: Record<string, string> = {};
    const file = (key: string, rel: string) => {
      files[key] = `${dayLabel(d)}/${rel}`;
      return new LineWriter(join(dir, rel));
    };
    opts.onProgress?.(`${dayLabel(d)} (${t0.toISOString().slice(0, 10)})`);

    // RADIUS detail: every subscriber's session of the day (re-assigned daily), Start then Stop.
    const rad = file('radius-detail', `radius/detail-${t0.toISOString().slice(0, 10).replace(/-/g, '')}`);
    const cg = file('cgnat-csv', 'cgnat.csv');
    await cg.line('time,internal,external,ports,action');
    for (const stop of [false, true]) {
      for (let i = 0; i < n; i++) {
        const v4 = v4Of(plan, i, d);
        const when = stop ? at(86_340 + (i % 50)) : at(i % 50);
        const attrs = [
          `\tAcct-Status-Type = ${stop ? 'Stop' : 'Start'}`,
          `\tUser-Name = "${subscriberId(i)}"`,
          `\tAcct-Session-Id = "${(d * 16_777_216 + i).toString(16).padStart(10, '0')}"`,
          `\tNAS-IP-Address = 192.0.2.1`,
          ...(v4 ? [`\tFramed-IP-Address = ${v4.framed}`] : []),
          `\tDelegated-IPv6-Prefix = ${v6PrefixOf(i)}`,
          ...(stop ? ['\tAcct-Session-Time = 86340', '\tAcct-Terminate-Cause = Session-Timeout'] : []),
          `\tEvent-Timestamp = ${Math.floor(when.getTime() / 1000)}`,
        ];
        await rad.line(`${ctime(when)}\n${attrs.join('\n')}\n`);
        if (v4?.kind === 'cgnat') {
          // The port block follows the session: allocated after Start, released before Stop.
          const t = stop ? at(86_330 + (i % 50)) : at(5 + (i % 50));
          await cg.line(
            `${iso(t)},${v4.framed},${v4.outside},${v4.ports![0]}-${v4.ports![1]},${stop ? 'release' : 'allocate'}`,
          );
        }
      }
    }
    count('radius-records', rad.lines);
    await rad.close();
    count('cgnat-lines', cg.lines - 1);
    await cg.close();

    // Feeds of the day.
    const urlhaus = file('urlhaus-csv', 'feeds/urlhaus.csv');
    await urlhaus.line('################################################################');
    await urlhaus.line('# abuse.ch URLhaus Database Dump (CSV - online URLs only)      #');
    await urlhaus.line(`# Last updated: ${ssTime(at(3600))} (UTC)                      #`);
    await urlhaus.line('################################################################');
    await urlhaus.line('#');
    await urlhaus.line('# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter');
    // Each day's feeds are the full current lists, as the real dumps are: an entry that stops
    // appearing would expire. URLhaus ids are stable per entry.
    const uh = async (uid: number, url: string, tags: string) => {
      await urlhaus.line(
        `"${uid}","${ssTime(dayStart(s.start, 0))}","${url}","online","${ssTime(at(3600))}","malware_download","${tags}","https://urlhaus.abuse.ch/url/${uid}/","demo"`,
      );
    };
    const phish = file('openphish-txt', 'feeds/openphish.txt');
    const rpz = file('rpz', 'feeds/demo.rpz');
    await rpz.line('$TTL 300');
    await rpz.line(`@ IN SOA localhost. hostmaster.isp.example. ${d + 1} 3600 600 86400 300`);
    await rpz.line(' NS localhost.');
    // Background listings: split between URLhaus (dedicated malware hosts) and OpenPhish.
    for (let k = 0; k < bgIndicators; k++) {
      if (k % 2 === 0) {
        const host = `dl${k}.malware-host.example`;
        await uh(1_000_000 + k, `http://${host}/bins/${FAMILIES[k % 4]}.x86`, `elf,${FAMILIES[k % 4]}`);
        if (d === 0 && k < 2000) bgNames.push(host);
      } else {
        const host = `signin${k}.account-verify.test`;
        await phish.line(`https://${host}/login/index.html`);
        if (d === 0 && k < 2000) bgNames.push(host);
      }
    }
    // The name listed in error stays in the zone until its owner's report (the feed then drops it).
    for (const f of fps)
      if (d <= f.day) await rpz.line(`${f.site} CNAME . ; malware distribution (listed in error)`);
    const drop = file('spamhaus-drop', 'feeds/drop.txt');
    await drop.line(`; Spamhaus DROP List ${t0.toISOString().slice(0, 10).replace(/-/g, '/')} - (c) demo`);
    for (let k = 0; k < 16; k++) await drop.line(`203.0.113.${128 + k * 8}/29 ; SBL${String(900000 + k)}`);
    await drop.close();
    const feodo = file('feodo-csv', 'feeds/feodo.csv');
    await feodo.line('################################################################');
    await feodo.line('# abuse.ch Feodo Tracker Botnet C2 IP Blocklist (CSV)          #');
    await feodo.line('################################################################');
    await feodo.line('"first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"');
    for (let k = 0; k < Math.min(250, Math.max(4, bgIndicators / 10)); k++)
      await feodo.line(
        `"${ssTime(dayStart(s.start, 0))}","192.0.2.${k + 2}","443","online","${t0.toISOString().slice(0, 10)}","${k % 2 ? 'Emotet' : 'QakBot'}"`,
      );
    await feodo.close();
    if (d === 0) count('indicators-background', bgIndicators);
    for (const [x, o] of outbreaks.entries()) {
      if (o.day > d) continue;
      o.c2 ??= [`cc1.${o.family}-panel.test`, `cc2.${o.family}-panel.test`];
      const c2 = o.c2;
      for (const name of c2) await rpz.line(`${name} CNAME . ; botnet c2 ${o.family}`);
      await uh(3_000_000 + x, `http://${o.family}-drop.example/payload/${o.family}.exe`, `exe,${o.family}`);
      if (o.day === d) truth.blocked.push(...c2);
    }
    for (const w of waves.filter((x) => x.day <= d))
      for (const name of w.names) await phish.line(`https://${name}/signin/`);
    for (const [x, c] of compromised.entries())
      if (c.day <= d)
        await uh(3_500_000 + x, `http://${c.site}/wp-content/uploads/2026/invoice.zip`, 'zip,compromised');
    for (const w of [urlhaus, phish, rpz]) await w.close();

    // Shadowserver reports of the day: sinkhole hits of infected devices, open resolvers.
    const sink = file('shadowserver-sinkhole', 'evidence/event4_sinkhole.csv');
    await sink.line(
      '"timestamp","protocol","src_ip","src_port","src_asn","src_geo","src_region","src_city","src_hostname","src_naics","src_sector","device_vendor","device_type","device_model","dst_ip","dst_port","dst_asn","dst_geo","dst_region","dst_city","dst_hostname","dst_naics","dst_sector","public_source","infection","family","tag","application","version","event_id"',
    );
    const hit = async (i: number, family: string, sec: number) => {
      const v4 = v4Of(plan, i, d)!;
      const port = v4.ports ? v4.ports[0] + er.int(v4.ports[1] - v4.ports[0] + 1) : 49152 + er.int(16384);
      await sink.line(
        `"${ssTime(at(sec))}","tcp","${v4.outside}","${port}","64500","JP","TOKYO","CHIYODA",,,,,,,"192.0.2.200","80","64496","US","CALIFORNIA","SAN FRANCISCO",,,,,"${family}","${family}","",,,`,
      );
    };
    for (const o of outbreaks) {
      if (d < o.day || d >= o.day + (o.duration_days ?? 2)) continue;
      for (const i of o.subs) {
        for (let h = 0; h < 3; h++) await hit(i, o.family, 3600 * 8 + (i % 3000) + h * 1800);
        notice(i, 'notify-infected', o.family, d);
      }
    }
    if (bgInfected.length) {
      const perDay = Math.floor(bgEvidence / s.days) + (d < bgEvidence % s.days ? 1 : 0);
      for (let k = 0; k < perDay; k++) {
        const i = bgInfected[k % bgInfected.length];
        const fam = FAMILIES[i % 4];
        await hit(i, fam, 3600 * 9 + (k % 50_000));
        notice(i, 'notify-infected', fam, d);
      }
    }
    count('sinkhole-rows', sink.lines - 1);
    await sink.close();
    const orr = file('shadowserver-open-resolver', 'evidence/scan_dns_open_resolver.csv');
    await orr.line(
      '"timestamp","ip","protocol","port","hostname","tag","dns_version","asn","geo","region","city","naics","sic","min_amplification","sector","device_vendor","device_type","device_model"',
    );
    for (const o of resolvers.filter((x) => x.day === d))
      for (const i of o.subs) {
        await orr.line(
          `"${ssTime(at(6 * 3600 + (i % 600)))}","${v4Of(plan, i, d)!.outside}","udp","53",,"openresolver",,"64500","JP","TOKYO","MINATO",,,"2.9",,,,`,
        );
        notice(i, 'notify-vulnerable', null, d);
      }
    await orr.close();

    // DNS traffic of the day: client (loopback stand-in for the subscriber), name, what must happen.
    const q = file('dns-queries', 'dns-queries.csv');
    await q.line('time,client,name,expect');
    const query = async (i: number, sec: number, name: string, listed: 'warn' | 'block' | null) => {
      const out = optedOut.has(i) && listed === 'warn';
      const expect: Expect = listed && !out ? listed : 'pass';
      if (out) truth.optedOut.push({ subscriber: subscriberId(i), client: loopbackOf(i), name });
      if (expect === 'warn') {
        bump(t0, 'warnings-shown');
        if (!truth.warned.includes(name)) truth.warned.push(name);
      }
      if (expect === 'block') bump(t0, 'c2-blocked');
      await q.line(`${iso(at(sec))},${loopbackOf(i)},${name},${expect}`);
    };
    const browsing = s.browsing ?? 3;
    for (let i = 0; i < n && browsing > 0; i++)
      for (let k = 0; k < browsing; k++) {
        // Some users reach a listed site while browsing.
        if (bgNames.length && tr.next() < 0.05) await query(i, 36_000 + k * 60, tr.pick(bgNames), 'warn');
        else await query(i, 36_000 + k * 60, BENIGN(tr.int(500)), null);
      }
    for (const o of outbreaks)
      if (d >= o.day && d < o.day + (o.duration_days ?? 2))
        for (const i of o.subs) for (const name of o.c2!) await query(i, 30_000 + (i % 600), name, 'block');
    for (const w of waves.filter((x) => x.day === d))
      for (const [k, i] of w.victims.entries())
        await query(i, 50_000 + k, w.names[k % w.names.length], 'warn');
    for (const f of fps.filter((x) => x.day === d))
      await query(n - 1, 40_000, f.site, optedOut.has(n - 1) ? null : 'warn');
    count('dns-queries', q.lines - 1);
    await q.close();
    manifest.days.push({ day: d, date: t0.toISOString().slice(0, 10), dir: dayLabel(d), files });
  }

  for (const [k, v] of noticed) {
    const [i, measure] = k.split('\u0000');
    const idx = Number(i);
    const sentOn = noticeDays(v.days, s.days);
    truth.notices.push({
      subscriber: subscriberId(idx),
      email: subscriberEmail(idx),
      language: lang[idx],
      measure,
      family: v.family,
      day: v.day,
      count: sentOn.length,
    });
    // Per measure: site-owner cases (one per listed URL host) are counted by the report too.
    bump(dayStart(s.start, v.day), `cases-opened:${measure}`);
    for (const d of sentOn) bump(dayStart(s.start, d), `subscribers-notified:${measure}`);
  }
  truth.notices.sort(
    (a, b) => a.subscriber.localeCompare(b.subscriber) || a.measure.localeCompare(b.measure),
  );
  truth.quiet = n - new Set(truth.notices.map((x) => x.subscriber)).size;
  for (const f of truth.delisted) bump(dayStart(s.start, f.day), 'indicators-delisted');
  count('subscribers', n);
  count('ipv6-only-subscribers', Math.max(0, n - plan.publicCount - plan.cgnatCapacity));
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(out, 'ground-truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
  return { manifest, truth };
}

export type { Plan };

/**
 * The days notices go out for one case under the default [cases] schedule (evidence imported and the
 * cycle run at 20:00 each day): the first notice on the first evidence day, a reminder after
 * observe_days (7) if evidence continued after the notice, a final notice 7 days later likewise; the
 * case resolves after resolve_after_days (14) without evidence. Mirrors src/cases/schedule.ts `decide`.
 */
export function noticeDays(evidenceDays: number[], days: number): number[] {
  const sent = [evidenceDays[0]];
  let stageDay = evidenceDays[0];
  let k = 0;
  for (let t = stageDay + 1; t < days && sent.length < 3; t++) {
    while (k + 1 < evidenceDays.length && evidenceDays[k + 1] <= t) k++;
    const last = evidenceDays[k];
    if (t >= last + 14) break;
    if (t >= stageDay + 7 && last > stageDay) {
      sent.push(t);
      stageDay = t;
    }
  }
  return sent;
}
