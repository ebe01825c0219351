import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { appendAudit } from '../audit/index.js';
import { addUser, ROLES, type Role } from '../auth/index.js';
import { output, withContext } from '../cli/context.js';
import { rollupFromStore } from './activity.js';
import { monthlyReport, reportCsv } from './monthly.js';

export function registerReports(program: Command) {
  program
    .command('report')
    .description('monthly activity report (figures as ACTIVE published them), as text, JSON or CSV')
    .option('--month <YYYY-MM>', 'the month (default: this month)')
    .option('--csv', 'CSV output')
    .option('--json', 'machine-readable output')
    .action(async (o: { month?: string; csv?: boolean }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const month = o.month ?? ctx.clock.now().toISOString().slice(0, 7);
        if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new Error(`--month must be YYYY-MM (got ${month})`);
        await rollupFromStore(ctx.store, new Date(`${month}-01T00:00:00Z`));
        const r = await monthlyReport(ctx.store, month);
        if (o.csv) {
          process.stdout.write(reportCsv(r));
          return;
        }
        output(cmd, r, () =>
          [
            `yojin activity report ${month}`,
            ...Object.entries(r.totals).map(([k, v]) => `  ${k.padEnd(24)} ${v}`),
            `  ${'cases resolved'.padEnd(24)} ${r.remediation.resolved}`,
            `  ${'median time to remedy'.padEnd(24)} ${r.remediation.medianHours === null ? '-' : `${r.remediation.medianHours} h`}`,
          ].join('\n'),
        );
      });
    });

  const user = program.command('user').description('dashboard users (username/password sign-in)');
  user
    .command('add <username>')
    .description('add a dashboard user; the password is read from standard input')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--language <ja|en>', 'dashboard language', 'ja')
    .action(async (username: string, o: { role: string; language: 'ja' | 'en' }, cmd: Command) => {
      const password = readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '';
      await withContext(cmd, async (ctx) => {
        const u = await addUser(ctx.store, username, o.role as Role, password, o.language);
        await appendAudit(
          ctx.store,
          {
            actor: 'cli',
            action: 'user.add',
            outcome: 'done',
            subject: `user:${u.username}`,
            details: { role: u.role },
          },
          ctx.clock,
        );
        process.stdout.write(`user ${u.username} (${u.role}) added\n`);
      });
    });
}
