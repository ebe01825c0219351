import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { createContext } from '../app/index.js';
import { configFor, withContext } from '../cli/context.js';
import { createLogger } from '../observability/index.js';
import { exportZone } from './export.js';
import { startRpzPublisher } from './service.js';

export function registerRpz(program: Command) {
  const rpz = program
    .command('rpz')
    .description('RPZ publication: the policy as a Response Policy Zone for BIND, Unbound, PowerDNS, Knot');

  rpz
    .command('export')
    .description('write the policy as an RPZ zone file (stdout, or --out FILE written atomically)')
    .option('-o, --out <file>', 'write to FILE instead of stdout')
    .option('--zone <name>', 'zone name ($ORIGIN; default rpz.zone, rpz.yojin.local)')
    .addHelpText(
      'after',
      '\nExamples:\n  yojin rpz export --out /var/lib/bind/rpz.yojin.local.zone\n  yojin rpz export --zone rpz.example.jp | named-checkzone rpz.example.jp /dev/stdin',
    )
    .action(async (opts: { out?: string; zone?: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        if (!opts.out) {
          const report = await exportZone(ctx.store, ctx.config, process.stdout, { zone: opts.zone });
          process.stderr.write(summary(report));
          return;
        }
        // Written next to the target and renamed, so a resolver never loads half a zone.
        const tmp = `${opts.out}.tmp-${process.pid}`;
        const out = createWriteStream(tmp);
        const report = await exportZone(ctx.store, ctx.config, out, { zone: opts.zone });
        out.end();
        await finished(out);
        await rename(tmp, opts.out);
        process.stderr.write(summary(report, opts.out));
      });
    });

  rpz
    .command('serve')
    .description('run only the RPZ primary: SOA over UDP/TCP, AXFR/IXFR over TCP, NOTIFY, TSIG')
    .option('--rpz <host:port>', 'listen address (default rpz.listen, 127.0.0.1:5354)')
    .option('--notify <host:port...>', 'secondaries to NOTIFY (adds to rpz.notify)')
    .action(async (opts: { rpz?: string; notify?: string[] }, cmd: Command) => {
      const extra: Record<string, unknown> = {};
      if (opts.rpz) extra['rpz.listen'] = opts.rpz;
      const config = configFor(cmd, extra);
      if (opts.notify) config.rpz.notify = [...config.rpz.notify, ...opts.notify];
      const log = createLogger(config);
      const ctx = await createContext(config, { log });
      try {
        const pub = await startRpzPublisher(ctx);
        const a = pub.address;
        process.stdout.write(
          `yojin RPZ primary for ${config.rpz.zone} on ${a.host}:${a.port} (serial ${pub.state.serial}, ${pub.state.size} owners)\n`,
        );
        await new Promise<void>((resolve) => {
          const stop = () => void pub.stop().then(resolve);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      } finally {
        await ctx.store.close();
      }
    });
}

function summary(
  r: { zone: string; serial: number; owners: number; records: number; skipped: number },
  file?: string,
) {
  return `rpz: ${r.zone} serial ${r.serial}: ${r.owners} owners, ${r.records} records${r.skipped ? `, ${r.skipped} entries skipped (not valid DNS names)` : ''}${file ? ` → ${file}` : ''}\n`;
}
