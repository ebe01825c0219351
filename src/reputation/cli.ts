import { createReadStream, statSync } from 'node:fs';
import { Transform } from 'node:stream';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { AppContext } from '../app/index.js';
import { output, withContext } from '../cli/context.js';
import { YojinError } from '../errors/index.js';
import { FORMATS, getParser, readLines } from '../pipeline/index.js';
import { ALLOW_KINDS, type AllowKind, addAllowlist, listAllowlist, removeAllowlist } from './allowlist.js';
import { check, type Verdict } from './check.js';
import { delistIndicator, listFpReports, relistIndicator, reviewFpReport } from './fp.js';
import { importFeed } from './import.js';
import { getIndicator, listIndicators } from './query.js';
import { listSources, updateSource } from './sources.js';
import type { ImportSummary } from './types.js';

/** Exit status of `yojin check` when nothing active matches (1 is an error, 2 a usage error). */
export const EXIT_NOT_LISTED = 3;

const SHOWN_REJECTS = 20;

export function formatSummary(s: ImportSummary): string {
  const lines = [
    `imported ${s.source} (${s.format}) in ${(s.durationMs / 1000).toFixed(1)} s: read ${s.read}, new ${s.new}, updated ${s.updated}, unchanged ${s.unchanged}, rejected ${s.rejectedCount}` +
      (s.derivedHosts ? ` (+${s.derivedHosts} host listings derived from URLs)` : ''),
  ];
  for (const r of s.rejected.slice(0, SHOWN_REJECTS)) lines.push(`  line ${r.line}: ${r.reason}`);
  if (s.rejectedCount > SHOWN_REJECTS)
    lines.push(`  … and ${s.rejectedCount - SHOWN_REJECTS} more rejected lines (--json lists up to 1000)`);
  return lines.join('\n');
}

export function formatVerdict(v: Verdict): string {
  const head = `${v.canonical} (${v.kind}): ${v.listed ? 'LISTED' : 'not listed'}`;
  if (v.matches.length === 0) return head;
  const rows = v.matches.map((m) => {
    const i = m.indicator;
    return `  ${i.status.padEnd(11)} ${i.kind} ${i.value}  [${m.how} ${m.via}]  category=${i.category} confidence=${i.confidence.toFixed(2)} scope=${i.scope} sources=${i.sources.join(',') || '-'}${i.expires_at ? ` expires=${i.expires_at}` : ''}  #${i.id}`;
  });
  return [head, ...rows].join('\n');
}

/** Opens the file (or stdin for "-") as a byte-counting stream, for the progress bar. */
function openInput(file: string): { stream: NodeJS.ReadableStream; size: number; read: () => number } {
  let read = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      read += chunk.length;
      cb(null, chunk);
    },
  });
  if (file === '-') return { stream: process.stdin.pipe(counter), size: 0, read: () => read };
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    throw new YojinError('REQUEST_INVALID', `cannot read ${file}: ${(err as Error).message}`);
  }
  const src = createReadStream(file, { highWaterMark: 256 * 1024 });
  src.on('error', (err) => counter.destroy(err));
  return { stream: src.pipe(counter), size, read: () => read };
}

export function registerReputation(program: Command) {
  program
    .command('import <file>')
    .description(`import a feed file ("-" for stdin) in its native format into the reputation list`)
    .requiredOption('-f, --format <format>', `one of ${FORMATS.join(', ')}`)
    .option('-s, --source <name>', 'source name (created on first import; default: the format name)')
    .option('--json', 'machine-readable summary')
    .addHelpText(
      'after',
      '\nA summary follows: read, new, updated, unchanged and rejected lines with their numbers and reasons.\n' +
        'Exit status is non-zero only if nothing could be read.\n\n' +
        'Example:\n  yojin import urlhaus.csv --format urlhaus-csv --source urlhaus',
    )
    .action(async (file: string, opts: { format: string; source?: string; json?: boolean }, cmd: Command) => {
      const parser = getParser(opts.format);
      const input = openInput(file);
      const summary = await withContext(cmd, async (ctx) => {
        const tty = process.stderr.isTTY && !opts.json && input.size > 0;
        const bar = tty
          ? new SingleBar({
              format: 'importing [{bar}] {percentage}% | {lines} lines | {rate} lines/s',
              stream: process.stderr,
              hideCursor: true,
            })
          : undefined;
        bar?.start(input.size, 0, { lines: 0, rate: 0 });
        try {
          return await importFeed(ctx, {
            source: opts.source ?? opts.format,
            format: opts.format,
            items: parser.parse(readLines(input.stream)),
            onProgress: (s) =>
              bar?.update(input.read(), {
                lines: s.read,
                rate: Math.round(s.read / Math.max(s.durationMs / 1000, 0.001)),
              }),
          });
        } finally {
          bar?.update(input.size);
          bar?.stop();
        }
      });
      output(cmd, summary, () => formatSummary(summary));
      if (summary.read - summary.rejectedCount <= 0) {
        process.stderr.write(`nothing could be read from ${file} as ${opts.format}\n`);
        process.exitCode = 1;
      }
    });

  program
    .command('check <value>')
    .description(
      'is a URL, domain or IP on the reputation list? which listing matches, through which expression',
    )
    .option('--json', 'machine-readable verdict')
    .addHelpText(
      'after',
      `\nExit status: 0 listed (an active listing matches), ${EXIT_NOT_LISTED} not listed, 1 error.\n\n` +
        'Examples:\n  yojin check http://evil.example/payload.exe\n  yojin check evil.example --json\n  yojin check 192.0.2.7',
    )
    .action(async (value: string, _opts, cmd: Command) => {
      const v = await withContext(cmd, (ctx) => check(ctx, value));
      output(cmd, v, () => formatVerdict(v));
      if (!v.listed) process.exitCode = EXIT_NOT_LISTED;
    });

  const ind = program.command('indicators').description('search and inspect the reputation list');
  ind
    .command('list')
    .description('search listings (newest first)')
    .option('-q, --query <text>', 'substring of the value')
    .option('--category <c>')
    .option('--status <s>', 'active, expired, allowlisted or delisted')
    .option('--source <name>')
    .option('--min-confidence <n>', 'lowest confidence (0..1)', Number)
    .option('--limit <n>', 'page size (default 50)', Number)
    .option('--offset <n>', 'skip this many', Number)
    .option('--json', 'machine-readable output')
    .action(async (o, cmd: Command) => {
      const r = await withContext(cmd, (ctx) =>
        listIndicators(ctx.store, {
          q: o.query,
          category: o.category,
          status: o.status,
          source: o.source,
          minConfidence: o.minConfidence,
          limit: o.limit,
          offset: o.offset,
        }),
      );
      output(cmd, r, () =>
        [
          ...r.items.map(
            (i) =>
              `#${i.id} ${i.status.padEnd(11)} ${i.category.padEnd(20)} ${i.confidence.toFixed(2)} ${i.scope.padEnd(7)} ${i.value}`,
          ),
          `(${r.items.length} of ${r.total})`,
        ].join('\n'),
      );
    });
  ind
    .command('show <idOrValue>')
    .description('one listing with its observations, history and change-log entries')
    .option('--json', 'machine-readable output')
    .action(async (idOrValue: string, _o, cmd: Command) => {
      const d = await withContext(cmd, (ctx) => getIndicator(ctx.store, idOrValue));
      output(cmd, d, () => JSON.stringify(d, null, 2));
    });
  ind
    .command('delist <id>')
    .description('delist a listing as a false positive (suppressed for reputation.suppression_days)')
    .requiredOption('--reason <text>', 'why')
    .action(async (id: string, o: { reason: string }, cmd: Command) => {
      await withContext(cmd, (ctx) => delistIndicator(ctx, Number(id), { actor: 'cli', reason: o.reason }));
      process.stdout.write(`delisted #${id}\n`);
    });
  ind
    .command('relist <id>')
    .description('undo a delisting (ends its suppression)')
    .requiredOption('--reason <text>', 'why')
    .action(async (id: string, o: { reason: string }, cmd: Command) => {
      const s = await withContext(cmd, (ctx) =>
        relistIndicator(ctx, Number(id), { actor: 'cli', reason: o.reason }),
      );
      process.stdout.write(`#${id} is now ${s}\n`);
    });

  const fp = program.command('fp').description('false-positive reports: review queue');
  fp.command('list')
    .description('reports (default: pending)')
    .option('--status <s>', 'pending, accepted or rejected', 'pending')
    .option('--json', 'machine-readable output')
    .action(async (o: { status: string }, cmd: Command) => {
      const r = await withContext(cmd, (ctx) => listFpReports(ctx, { status: o.status }));
      output(
        cmd,
        r,
        () =>
          r
            .map(
              (x) =>
                `#${x.id} ${x.created_at} ${x.status} ${x.value} (listing ${x.indicator_id ?? 'none'}): ${x.reason}`,
            )
            .join('\n') || '(no reports)',
      );
    });
  fp.command('review <id>')
    .description('accept (delist the listing) or reject a report')
    .requiredOption('--decision <d>', 'accept or reject')
    .requiredOption('--note <text>', 'why')
    .option('--reviewer <name>', 'who reviews', 'cli')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: { decision: string; note: string; reviewer: string }, cmd: Command) => {
      if (o.decision !== 'accept' && o.decision !== 'reject')
        throw new YojinError('REQUEST_INVALID', '--decision must be accept or reject');
      const r = await withContext(cmd, (ctx) =>
        reviewFpReport(ctx, Number(id), {
          decision: o.decision as 'accept' | 'reject',
          reviewer: o.reviewer,
          note: o.note,
        }),
      );
      output(cmd, r, () => `report #${r.id} ${r.status}`);
    });

  const al = program.command('allowlist').description('names and URLs that must never be listed');
  al.command('add <kind> <value>')
    .description(`add an entry; kind is ${ALLOW_KINDS.join(', ')}`)
    .requiredOption('--reason <text>', 'why')
    .option('--json', 'machine-readable output')
    .action(async (kind: string, value: string, o: { reason: string }, cmd: Command) => {
      if (!ALLOW_KINDS.includes(kind as AllowKind))
        throw new YojinError('REQUEST_INVALID', `kind must be one of ${ALLOW_KINDS.join(', ')}`);
      const r = await withContext(cmd, (ctx) =>
        addAllowlist(ctx, { kind: kind as AllowKind, value, reason: o.reason, actor: 'cli' }),
      );
      output(
        cmd,
        r,
        () =>
          `allowlisted ${r.entry.kind} ${r.entry.value} (#${r.entry.id}); ${r.affected} listing(s) taken out of force`,
      );
    });
  al.command('list')
    .option('--all', 'include removed entries')
    .option('--json', 'machine-readable output')
    .action(async (o: { all?: boolean }, cmd: Command) => {
      const r = await withContext(cmd, (ctx) => listAllowlist(ctx.store, o.all));
      output(
        cmd,
        r,
        () =>
          r
            .map(
              (e) =>
                `#${e.id} ${e.kind.padEnd(11)} ${e.value}  ${e.reason}${e.removed_at ? ' (removed)' : ''}`,
            )
            .join('\n') || '(empty)',
      );
    });
  al.command('remove <id>').action(async (id: string, _o, cmd: Command) => {
    const r = await withContext(cmd, (ctx) => removeAllowlist(ctx, Number(id), 'cli'));
    process.stdout.write(`removed #${r.entry.id}; ${r.restored} listing(s) re-scored\n`);
  });

  const src = program.command('sources').description('feed sources: reliability, TTLs, health');
  src
    .command('list')
    .option('--json', 'machine-readable output')
    .action(async (_o, cmd: Command) => {
      const r = await withContext(cmd, (ctx) => listSources(ctx.store));
      output(
        cmd,
        r,
        () =>
          r
            .map(
              (s) =>
                `#${s.id} ${s.name.padEnd(20)} reliability=${s.reliability} format=${s.format ?? '-'} ${JSON.stringify(s.health)}`,
            )
            .join('\n') || '(none)',
      );
    });
  src
    .command('set <name>')
    .description('change a source: --reliability, --ttl CATEGORY=DAYS (repeatable), --enabled/--disabled')
    .option('--reliability <r>', '0..1', Number)
    .option('--ttl <category=days...>', 'default TTL per category')
    .option('--disabled', 'disable the source')
    .option('--enabled', 'enable the source')
    .action(
      async (
        name: string,
        o: { reliability?: number; ttl?: string[]; disabled?: boolean; enabled?: boolean },
        cmd: Command,
      ) => {
        await withContext(cmd, async (ctx: AppContext) => {
          let ttl: Record<string, number> | undefined;
          if (o.ttl) {
            ttl = {};
            for (const t of o.ttl) {
              const [k, v] = t.split('=');
              if (!k || !/^\d+$/.test(v ?? ''))
                throw new YojinError('REQUEST_INVALID', `--ttl wants CATEGORY=DAYS, got ${t}`);
              ttl[k] = Number(v);
            }
          }
          if (o.reliability !== undefined && !(o.reliability >= 0 && o.reliability <= 1))
            throw new YojinError('REQUEST_INVALID', '--reliability is a number from 0 to 1');
          const s = await updateSource(ctx, name, {
            reliability: o.reliability,
            default_ttl_days: ttl,
            enabled: o.disabled ? false : o.enabled ? true : undefined,
          });
          process.stdout.write(
            `${s.name}: reliability=${s.reliability} ttl=${JSON.stringify(s.default_ttl_days)} enabled=${s.enabled}\n`,
          );
        });
      },
    );
}
