/**
 * The policy DNS resolver: the server, its chain, and the policy/consent holder that keeps the
 * in-memory snapshots current.
 *
 * Hot swap: every `refresh_interval_s` the change-log serial is polled; when it moved, the delta
 * (policyChangesSince) is applied to a NEW index which then replaces the reference in one assignment
 * — queries in flight keep the index they started with, so none fails during a swap. A delta the
 * store cannot give (serial unknown or pruned) means a full rebuild, swapped the same way. Every
 * `FULL_RELOAD_EVERY` polls a full rebuild also runs, which heals changes committed out of serial
 * order by concurrent writers.
 *
 * Fail-static: when the store cannot be reached, the last policy and consent snapshot stay in force;
 * `yojin_dns_policy_fail_static` is 1 and /readyz reports the DNS policy not ready until a poll succeeds.
 */
import type { AppContext } from '../app/index.js';
import { currentSerial, loadPolicy, policyChangesSince } from '../policy/index.js';
import { parseHostPort } from '../util/hostport.js';
import { bypasses, startBypassSync } from '../warning/index.js';
import { ActivityCounter } from './activity.js';
import type { PolicyAnswerConfig } from './answers.js';
import { AnswerCache } from './cache.js';
import { buildChain, type ChainDeps } from './chain.js';
import { ConsentSnapshot, loadConsentSnapshot } from './consent.js';
import { Forwarder, parseUpstream } from './forward.js';
import { DnsMetrics } from './metrics.js';
import { PolicyIndex } from './policy-index.js';
import { AnswerReuse } from './reuse.js';
import { DnsServer } from './server.js';

const FULL_RELOAD_EVERY = 120;

export interface ResolverOptions {
  /** HOST:PORT to listen on (default: config dns.listen). Port 0 picks a free port. */
  listen?: string;
  /** Upstreams (default: config dns.upstreams). */
  upstreams?: string[];
}

export class PolicyHolder {
  index: PolicyIndex = PolicyIndex.build(0, []);
  consent: ConsentSnapshot;
  failStatic = false;
  lastError?: string;
  loaded = false;
  private polls = 0;
  private lastConsentLoad = 0;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly ctx: AppContext,
    private readonly metrics: DnsMetrics,
  ) {
    this.consent = ConsentSnapshot.everyone(ctx.config.dns.unknown_client_consent);
  }

  /** Loads policy and consent from the store (full rebuild). */
  async loadFull(reason: string): Promise<void> {
    const snap = await loadPolicy(this.ctx.store, this.ctx.config);
    const index = await PolicyIndex.buildAsync(snap.serial, snap.entries);
    this.index = index; // the atomic swap
    this.metrics.swaps.inc({ kind: 'full' });
    await this.reloadConsent(reason);
    this.loaded = true;
    this.published();
  }

  private async reloadConsent(reason: string) {
    this.consent = await loadConsentSnapshot(this.ctx, reason);
    this.lastConsentLoad = Date.now();
  }

  private published() {
    this.metrics.serial.set(this.index.serial);
    this.metrics.entries.set(this.index.size);
    this.metrics.failStatic.set(this.failStatic ? 1 : 0);
  }

  /** One poll: apply what changed since the serial in force. Never throws (fail-static). */
  refresh(): Promise<void> {
    // Polls never overlap: a slow store makes the next poll wait, not pile up.
    this.running ??= this.doRefresh().finally(() => (this.running = undefined));
    return this.running;
  }

  private async doRefresh(): Promise<void> {
    try {
      this.polls++;
      if (!this.loaded || this.polls % FULL_RELOAD_EVERY === 0) {
        await this.loadFull('periodic');
      } else {
        const serial = await currentSerial(this.ctx.store);
        let consentMoved = false;
        if (serial !== this.index.serial) {
          // a consent choice or a walled garden entered/lifted: the snapshot now, not at the next periodic load
          consentMoved = await clientPolicyMoved(this.ctx, this.index.serial, serial);
          const delta = await policyChangesSince(this.ctx.store, this.index.serial, this.ctx.config);
          if (delta === null) await this.loadFull('serial-unknown');
          else {
            let next = this.index.withChanges(delta);
            if (next.wantsCompaction) next = await next.compact();
            this.index = next; // the atomic swap
            this.metrics.swaps.inc({ kind: 'delta' });
          }
        }
        if (consentMoved) await this.reloadConsent('consent-changed');
        else if (Date.now() - this.lastConsentLoad >= this.ctx.config.dns.consent_refresh_interval_s * 1000)
          await this.reloadConsent('periodic');
      }
      if (this.failStatic)
        this.ctx.log.info({ serial: this.index.serial }, 'dns: store reachable again; policy current');
      this.failStatic = false;
      this.lastError = undefined;
    } catch (err) {
      if (!this.failStatic)
        this.ctx.log.warn(
          { err: (err as Error).message, serial: this.index.serial },
          'dns: store unreachable; serving the last policy (fail-static)',
        );
      this.failStatic = true;
      this.lastError = (err as Error).message;
    }
    this.published();
  }

  start(intervalS: number) {
    this.timer = setInterval(() => void this.refresh(), intervalS * 1000);
    this.timer.unref();
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

/** Whether a consent choice or a walled garden changed between two change-log serials. */
async function clientPolicyMoved(ctx: AppContext, from: number, to: number): Promise<boolean> {
  const r = await ctx.store.query<{ moved: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM change_log WHERE serial > $1 AND serial <= $2
        AND entity IN ('consent', 'walled-garden')) AS moved`,
    [from, to],
  );
  return r.rows[0].moved;
}

/** The names walled-garden clients still resolve: the configured ones and the hosts of our own pages. */
function walledGardenExempt(ctx: AppContext): Set<string> {
  const c = ctx.config;
  const names = new Set(c.dns.walled_garden_exempt.map((n) => n.toLowerCase().replace(/\.$/, '')));
  for (const url of [c.cases.walled_garden_url, c.selfservice.base_url, c.http.public_url]) {
    if (!url) continue;
    try {
      names.add(new URL(url).hostname.toLowerCase());
    } catch {
      // not a URL: config validation reports it where it is used
    }
  }
  return names;
}

/** A running resolver. */
export class DnsResolver {
  readonly metrics: DnsMetrics;
  readonly holder: PolicyHolder;
  readonly cache: AnswerCache;
  private server?: DnsServer;
  private bypassSync?: { stop(): void };
  private readonly activity: ActivityCounter;
  private forwarder?: Forwarder;
  address?: { host: string; port: number };

  constructor(
    private readonly ctx: AppContext,
    private readonly opts: ResolverOptions = {},
  ) {
    const c = ctx.config.dns;
    this.activity = new ActivityCounter(ctx);
    this.metrics = new DnsMetrics(ctx.metrics);
    this.holder = new PolicyHolder(ctx, this.metrics);
    this.cache = new AnswerCache(c.cache_size, c.cache_max_ttl);
    ctx.readiness.push({
      name: 'dns-policy',
      check: async () => {
        const h = this.holder;
        if (!h.loaded) return { ok: false, detail: 'DNS policy not loaded yet' };
        if (h.failStatic)
          return {
            ok: false,
            detail: `DNS fail-static: serving policy serial ${h.index.serial}; store unreachable (${h.lastError ?? 'unknown'})`,
          };
        return { ok: true, detail: `DNS policy serial ${h.index.serial}, ${h.index.size} listings` };
      },
    });
  }

  async start(): Promise<{ host: string; port: number }> {
    const c = this.ctx.config.dns;
    await this.holder.loadFull('start');
    const upstreams = (this.opts.upstreams ?? c.upstreams).map(parseUpstream);
    if (upstreams.length === 0)
      this.ctx.log.warn(
        'dns: no upstream resolvers configured (dns.upstreams / --upstream): unlisted names get SERVFAIL',
      );
    this.forwarder = new Forwarder(upstreams, c.upstream_timeout_ms);
    this.forwarder.onUpstreamError = (upstream, reason) =>
      this.metrics.upstreamErrors.inc({ upstream, reason });
    const answers: PolicyAnswerConfig = {
      warningV4: c.warning_address_v4,
      warningV6: c.warning_address_v6,
      warningUrl: c.warning_url,
      ttl: c.warn_ttl,
      contact: c.edns_contact,
      organisation: c.edns_organisation,
      language: c.edns_language,
    };
    const deps: ChainDeps = {
      policy: () => this.holder.index,
      consent: () => this.holder.consent,
      cache: this.cache,
      forwarder: this.forwarder,
      metrics: this.metrics,
      answers,
      // the warning page's "continue anyway" grants (recorded there, possibly by another process)
      isBypassed: (client, qname) => bypasses.isBypassed(client, qname),
      activity: this.activity,
      walledGardenExempt: walledGardenExempt(this.ctx),
    };
    this.activity.start();
    this.bypassSync = startBypassSync(this.ctx.store, {
      intervalMs: this.ctx.config.warning.bypass_sync_seconds * 1000,
      clock: this.ctx.clock,
      onError: (err) => this.ctx.log.warn({ err }, 'dns: could not refresh warning-page bypasses'),
    });
    const reuse = new AnswerReuse({ ...deps, clock: () => this.cache.clock() }, c.cache_size);
    this.server = new DnsServer(buildChain(deps), this.metrics, {
      tcpIdleTimeoutMs: c.tcp_idle_timeout_ms,
      reuse,
      onBug: (err) => this.ctx.log.error({ err }, 'dns: internal error while answering (answered SERVFAIL)'),
    });
    const { host, port } = parseHostPort(this.opts.listen ?? c.listen);
    this.address = await this.server.listen(host, port);
    this.holder.start(c.refresh_interval_s);
    return this.address;
  }

  /** Writes the answers counted so far to the daily report figures (also done every minute and on stop). */
  flushActivity() {
    return this.activity.flush();
  }

  async stop(): Promise<void> {
    this.bypassSync?.stop();
    await this.activity.stop().catch(() => {});
    await this.holder.stop();
    await this.server?.close();
    this.forwarder?.close();
  }
}
