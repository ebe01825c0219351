import type { Command } from 'commander';
import { stringify as toToml } from 'smol-toml';
import { createContext } from '../../app/index.js';
import { appendAudit, verifyAudit } from '../../audit/index.js';
import { createToken, listTokens, ROLES, type Role, revokeToken } from '../../auth/index.js';
import { YojinError } from '../../errors/index.js';
import { createLogger } from '../../observability/index.js';
import { redact } from '../../store/index.js';
import { configFor, output, withContext } from '../context.js';

export function registerFoundation(program: Command) {
  program
    .command('migrate')
    .description('apply pending schema migrations to the store (serve does this on start)')
    .option('--json', 'machine-readable output')
    .action(async (_opts, cmd: Command) => {
      const config = configFor(cmd);
      const ctx = await createContext(config, {
        log: createLogger({ log: { ...config.log, level: 'warn' } }),
        migrate: false,
      });
      try {
        const { migrate } = await import('../../store/index.js');
        const report = await migrate(ctx.store);
        await ctx.measures.sync(ctx.store);
        output(cmd, { store: ctx.store.kind, ...report }, () =>
          report.applied.length
            ? `applied ${report.applied.length} migration(s) to ${ctx.store.kind}: ${report.applied.join(', ')}`
            : `${ctx.store.kind} store is up to date (${report.alreadyApplied} migrations)`,
        );
      } finally {
        await ctx.store.close();
      }
    });

  const config = program.command('config').description('show the effective configuration');
  config
    .command('print')
    .description('print the effective config (file + YOJIN_* env + flags, with defaults) as TOML')
    .option('--json', 'print as JSON')
    .action((_opts, cmd: Command) => {
      const c = configFor(cmd);
      const shown = { ...c, database: { ...c.database, url: c.database.url ? redact(c.database.url) : '' } };
      output(cmd, shown, () => toToml(shown));
    });

  const token = program.command('token').description('API tokens (bearer tokens for the HTTP API)');
  token
    .command('create')
    .description('create a token and print it (shown once)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .requiredOption('--name <name>', 'who or what uses it')
    .option('--json', 'machine-readable output')
    .action(async (opts: { role: string; name: string }, cmd: Command) => {
      if (!ROLES.includes(opts.role as Role)) {
        throw new YojinError(
          'REQUEST_INVALID',
          `--role must be one of ${ROLES.join(', ')} (got "${opts.role}")`,
        );
      }
      await withContext(cmd, async (ctx) => {
        const t = await createToken(ctx.store, opts.name, opts.role as Role);
        await appendAudit(
          ctx.store,
          {
            actor: 'cli',
            action: 'token.create',
            outcome: 'done',
            subject: `token:${t.id}`,
            details: { role: opts.role, name: opts.name },
          },
          ctx.clock,
        );
        output(cmd, { ...t, role: opts.role, name: opts.name }, () => t.token);
      });
    });
  token
    .command('list')
    .description('list tokens (never their secrets)')
    .option('--json', 'machine-readable output')
    .action(async (_opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const tokens = await listTokens(ctx.store);
        output(
          cmd,
          tokens,
          () =>
            tokens
              .map((t) => `${t.id}  ${t.role.padEnd(8)} ${t.name}${t.revoked_at ? '  (revoked)' : ''}`)
              .join('\n') || '(no tokens)',
        );
      });
    });
  token
    .command('revoke <id>')
    .description('revoke a token')
    .action(async (id: string, _opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        if (!(await revokeToken(ctx.store, id)))
          throw new YojinError('NOT_FOUND', `no active token with id ${id}`);
        await appendAudit(
          ctx.store,
          { actor: 'cli', action: 'token.revoke', outcome: 'done', subject: `token:${id}` },
          ctx.clock,
        );
        process.stdout.write(`revoked ${id}\n`);
      });
    });

  const audit = program
    .command('audit')
    .description('the tamper-evident audit log of every touch of protected data');
  audit
    .command('verify')
    .description('walk the hash chain and report the first broken link (exit 1 if broken)')
    .option('--json', 'machine-readable output')
    .action(async (_opts, cmd: Command) => {
      const report = await withContext(cmd, (ctx) => verifyAudit(ctx.store));
      output(cmd, report, () =>
        report.ok
          ? `audit chain intact: ${report.checked} records`
          : `audit chain BROKEN at record ${report.firstBroken!.seq}: ${report.firstBroken!.reason} (${report.checked} records before it are intact)`,
      );
      if (!report.ok) process.exitCode = 1;
    });
}
