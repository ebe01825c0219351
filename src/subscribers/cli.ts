import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { reportLineErrors } from '../attribution/cli.js';
import { output, withContext } from '../cli/context.js';
import { YojinError } from '../errors/index.js';
import { setConsent } from './consent.js';
import { importSubscribers, subscribersFromCsv } from './import.js';
import { viewSubscriber } from './view.js';

export function registerSubscribers(program: Command) {
  const subs = program
    .command('subscribers')
    .description('subscribers: contact data and consents (protected, audited)');
  subs
    .command('import <file>')
    .description(
      'import the customer-system CSV: id,email,language[,name,postal_address,phone][,consent:MEASURE…]',
    )
    .option('--json', 'machine-readable output')
    .action(async (file: string, _o, cmd: Command) => {
      if (!existsSync(file)) throw new YojinError('REQUEST_INVALID', `no such file: ${file}`);
      await withContext(cmd, async (ctx) => {
        const r = await importSubscribers(ctx, subscribersFromCsv(ctx, { path: file }), {
          actor: 'cli',
          via: 'import',
        });
        reportLineErrors(file, r.errors, r.errorCount);
        output(
          cmd,
          r,
          () =>
            `${r.imported} subscriber(s) imported, ${r.consentsChanged} consent choice(s) changed, ${r.errorCount} line(s) rejected`,
        );
      });
    });
  subs
    .command('show <id>')
    .description("show a subscriber's contact data and consents, for a measure (audited)")
    .requiredOption('--measure <measure>', 'the measure this view is for, e.g. notify-infected')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: { measure: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const s = await viewSubscriber(ctx, id, { measure: o.measure, actor: 'cli' });
        output(cmd, s, () =>
          [
            `${s.id} (${s.language})`,
            ...Object.entries(s.contact).map(([k, v]) => `  ${k}: ${v}`),
            ...s.consents.map(
              (c) => `  consent ${c.measure}: ${c.granted ? 'yes' : 'no'} (${c.via}, ${c.changed_at})`,
            ),
          ].join('\n'),
        );
      });
    });
  subs
    .command('consent <id> <measure> <choice>')
    .description('record a consent choice (yes|no) for a consent-based measure; the DNS policy follows')
    .action(async (id: string, measure: string, choice: string, _o, cmd: Command) => {
      if (!['yes', 'no'].includes(choice))
        throw new YojinError('REQUEST_INVALID', `choice must be yes or no (got "${choice}")`);
      await withContext(cmd, async (ctx) => {
        const r = await setConsent(ctx, id, measure, choice === 'yes', 'cli');
        process.stdout.write(`${id} ${measure}: ${choice}${r.changed ? '' : ' (unchanged)'}\n`);
      });
    });
}
