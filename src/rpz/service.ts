import { Gauge } from 'prom-client';
import type { AppContext } from '../app/index.js';
import { YojinError } from '../errors/index.js';
import { currentSerial, loadPolicy, policyChangesSince } from '../policy/index.js';
import type { Service } from '../serve/index.js';
import { parseHostPort } from '../util/hostport.js';
import { Notifier } from './notify.js';
import { RpzPrimary } from './server.js';
import { zoneSettings } from './settings.js';
import { ZoneState } from './state.js';
import { tsigKeyFrom } from './tsig.js';

export interface RpzPublisher {
  state: ZoneState;
  primary: RpzPrimary;
  notifier: Notifier;
  /** Where it listens. */
  address: { host: string; port: number };
  /** Checks the change log now; resolves to true when the serial moved (NOTIFY has been started). */
  refresh(): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * Starts the RPZ primary on `listen` (default rpz.listen): loads the policy, answers transfers,
 * polls the change log every rpz.poll_ms and, when the serial moves, applies the delta and NOTIFYs
 * the secondaries. If the store is unreachable it keeps serving the last zone (fail-static).
 */
export async function startRpzPublisher(ctx: AppContext, listen?: string): Promise<RpzPublisher> {
  const r = ctx.config.rpz;
  const key = tsigKeyFrom(r);
  if (key && key.secret.length === 0) {
    throw new YojinError(
      'CONFIG_INVALID_VALUE',
      'rpz.tsig_key_name is set but rpz.tsig_secret is empty: set the base64 secret (tsig-keygen prints one)',
      {
        problems: [{ key: 'rpz.tsig_secret', problem: 'is empty' }],
      },
    );
  }
  const settings = zoneSettings(ctx.config);
  const log = ctx.log.child({ component: 'rpz' });
  const state = new ZoneState(settings.origin, r.journal_max_changes);
  state.load(await loadPolicy(ctx.store, ctx.config));
  const now = () => Math.floor(ctx.clock.now().getTime() / 1000);
  const primary = new RpzPrimary({ settings, state, key, allowTransfer: r.allow_transfer, log, now });
  const { host, port } = parseHostPort(listen ?? r.listen);
  const address = await primary.listen(host, port);
  const notifier = new Notifier({
    origin: settings.origin,
    soa: {
      mname: settings.ns,
      rname: settings.contact,
      refresh: settings.refresh,
      retry: settings.retry,
      expire: settings.expire,
      minimum: settings.minimum,
    },
    targets: r.notify,
    retryMs: r.notify_retry_ms,
    attempts: r.notify_attempts,
    key,
    log,
    now,
  });
  log.info(
    { zone: settings.origin, serial: state.serial, owners: state.size, skipped: state.skipped },
    'rpz zone loaded',
  );

  let failing = false;
  // Gauges read at scrape time from the live state; registered once per metrics registry.
  const reg = ctx.metrics.registry;
  if (!reg.getSingleMetric('yojin_rpz_serial')) {
    new Gauge({
      name: 'yojin_rpz_serial',
      help: 'Change-log serial of the RPZ zone being served',
      registers: [reg],
      collect() {
        this.set(state.serial);
      },
    });
    new Gauge({
      name: 'yojin_rpz_owners',
      help: 'Owner names in the RPZ zone being served',
      registers: [reg],
      collect() {
        this.set(state.size);
      },
    });
    new Gauge({
      name: 'yojin_rpz_transfers',
      help: 'Zone transfers answered since start, by kind (axfr, ixfr, refused, tsig_failure)',
      labelNames: ['kind'],
      registers: [reg],
      collect() {
        const st = primary.stats;
        this.set({ kind: 'axfr' }, st.axfr);
        this.set({ kind: 'ixfr' }, st.ixfr);
        this.set({ kind: 'refused' }, st.refused);
        this.set({ kind: 'tsig_failure' }, st.tsigFailures);
      },
    });
    new Gauge({
      name: 'yojin_rpz_fail_static',
      help: '1 while the change log cannot be read and the last zone is served',
      registers: [reg],
      collect() {
        this.set(failing ? 1 : 0);
      },
    });
  }
  ctx.readiness.push({
    name: 'rpz',
    check: async () =>
      failing
        ? {
            ok: false,
            detail: `RPZ fail-static: serving serial ${state.serial}; the change log cannot be read`,
          }
        : { ok: true, detail: `RPZ serial ${state.serial}, ${state.size} owners` },
  });

  let running: Promise<boolean> | null = null;
  const doRefresh = async (): Promise<boolean> => {
    const serial = await currentSerial(ctx.store);
    if (serial === state.serial) return false;
    const delta = await policyChangesSince(ctx.store, state.serial, ctx.config);
    if (delta === null) {
      state.load(await loadPolicy(ctx.store, ctx.config));
      log.info({ serial: state.serial }, 'rpz zone reloaded in full (delta not available)');
    } else {
      const step = state.apply(delta);
      log.info({ from: step.from, to: step.to, changes: step.changes.length }, 'rpz zone updated');
    }
    void notifier.notify(state.serial);
    return true;
  };
  const refresh = () => {
    running ??= doRefresh().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => {
    refresh().then(
      () => {
        if (failing) log.info('rpz: store reachable again');
        failing = false;
      },
      (err) => {
        if (!failing) log.warn({ err }, 'rpz: cannot read the change log; serving the last zone');
        failing = true;
      },
    );
  }, r.poll_ms);
  timer.unref();
  // Secondaries may have missed changes while we were down: tell them our serial once at start.
  void notifier.notify(state.serial);
  return {
    state,
    primary,
    notifier,
    address,
    refresh,
    async stop() {
      clearInterval(timer);
      notifier.close();
      await running?.catch(() => undefined);
      await primary.close();
    },
  };
}

/** The `yojin serve` service (rpz.enabled; address rpz.listen, `serve --rpz`). */
export function rpzService(ctx: AppContext): Service | null {
  if (!ctx.config.rpz.enabled) return null;
  let pub: RpzPublisher | undefined;
  return {
    name: 'rpz',
    async start() {
      pub = await startRpzPublisher(ctx);
      const a = pub.address;
      return `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}  (RPZ ${pub.state.size} owners, serial ${pub.state.serial}; AXFR/IXFR over TCP${ctx.config.rpz.tsig_key_name ? ', TSIG' : ''})`;
    },
    async stop() {
      await pub?.stop();
    },
  };
}
