import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { output, withContext } from '../cli/context.js';
import { YojinError } from '../errors/index.js';
import {
  ASSIGNMENT_FORMATS,
  DHCP_SUBSCRIBER_FIELDS,
  importAssignments,
  type LineError,
} from '../pipeline/assignments/index.js';
import { EVIDENCE_FORMATS, importEvidence } from '../pipeline/evidence/index.js';
import { attributePending } from './attribute.js';

/** Exit status of an import that rejected some lines but imported the rest. */
export const EXIT_PARTIAL = 3;

function fileInput(file: string) {
  if (!existsSync(file)) throw new YojinError('REQUEST_INVALID', `no such file: ${file}`);
  return { path: file };
}

/** Lines that could not be imported go to stderr (stdout carries only the result). */
export function reportLineErrors(file: string, errors: LineError[], errorCount: number) {
  for (const e of errors) process.stderr.write(`${file}:${e.line}: ${e.message}\n`);
  if (errorCount > errors.length) process.stderr.write(`… and ${errorCount - errors.length} more\n`);
  if (errorCount > 0) process.exitCode = EXIT_PARTIAL;
}

export function registerAttribution(program: Command) {
  const assignments = program
    .command('assignments')
    .description('assignment logs: who held which address (and port block) when');
  assignments
    .command('import <file>')
    .description('import an assignment log (streamed; unusable lines reported with their numbers, exit 3)')
    .requiredOption('--format <format>', ASSIGNMENT_FORMATS.join(' | '))
    .option('--source <label>', 'label stored with the rows (default: the format)')
    .option(
      '--subscriber-field <field>',
      `DHCP formats: ${DHCP_SUBSCRIBER_FIELDS.join(' | ')} (default: [attribution] dhcp_subscriber_field)`,
    )
    .option('--year <year>', 'cgnat-syslog: year of RFC 3164 timestamps (default: this year)', (v) =>
      Number(v),
    )
    .option('--json', 'machine-readable output')
    .action(
      async (
        file: string,
        o: { format: string; source?: string; subscriberField?: string; year?: number },
        cmd: Command,
      ) => {
        await withContext(cmd, async (ctx) => {
          const r = await importAssignments(ctx, fileInput(file), {
            format: o.format,
            source: o.source,
            subscriberField: o.subscriberField,
            year: o.year,
            actor: 'cli',
          });
          reportLineErrors(file, r.errors, r.errorCount);
          output(cmd, r, () =>
            r.format === 'mape-rules'
              ? `${r.rules} MAP-E rule(s) stored, ${r.errorCount} line(s) rejected`
              : `${r.imported} interval(s) imported (${r.open} left open), ${r.closed} earlier open interval(s) closed, ${r.errorCount} line(s) rejected`,
          );
        });
      },
    );

  const evidence = program.command('evidence').description('evidence of infected or vulnerable devices');
  evidence
    .command('import <file>')
    .description('import evidence for a measure (the measure must permit it; audited)')
    .requiredOption('--format <format>', EVIDENCE_FORMATS.join(' | '))
    .option('--measure <measure>', 'notify-infected | notify-vulnerable (default by format)')
    .option('--source <label>', 'source for records that name none')
    .option('--json', 'machine-readable output')
    .action(async (file: string, o: { format: string; measure?: string; source?: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const r = await importEvidence(ctx, fileInput(file), {
          format: o.format,
          measure: o.measure,
          source: o.source,
          actor: 'cli',
        });
        reportLineErrors(file, r.errors, r.errorCount);
        output(
          cmd,
          r,
          () => `${r.imported} evidence row(s) imported for ${r.measure}, ${r.errorCount} line(s) rejected`,
        );
      });
    });

  const attribution = program.command('attribution').description('attribute evidence to subscribers');
  attribution
    .command('run')
    .description('attribute pending evidence once (cases run / serve do this on their schedule)')
    .option('--limit <n>', 'at most this many evidence rows', (v) => Number(v))
    .option('--measure <measure>', 'only this measure')
    .option('--json', 'machine-readable output')
    .action(async (o: { limit?: number; measure?: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const r = await attributePending(ctx, { limit: o.limit, measure: o.measure, actor: 'cli' });
        output(cmd, r, () =>
          [
            `${r.attributed} evidence row(s) attributed to ${r.subscribers} subscriber(s)`,
            ...Object.entries(r.unattributed).map(([k, v]) => `  unattributed, ${k}: ${v}`),
          ].join('\n'),
        );
      });
    });
}
