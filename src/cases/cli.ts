import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { output, withContext } from '../cli/context.js';
import { YojinError } from '../errors/index.js';
import { exportPostal, listNotices, outboxStatus, parseDsn, recordBounce } from '../notify/index.js';
import { runCycle } from './cycle.js';
import {
  annotateCase,
  closeCase,
  holdCase,
  listCases,
  markFixed,
  previewNotice,
  releaseCase,
  showCase,
} from './ops.js';
import { STAGE_NAMES } from './schedule.js';

const ACTOR = 'cli';

function caseId(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0)
    throw new YojinError('REQUEST_INVALID', `CASE must be a case number (got "${s}")`);
  return n;
}

const when = (d: Date | string | null) => (d ? new Date(d).toISOString().replace('.000Z', 'Z') : '-');

/** `yojin cases …`, `yojin notices …`, `yojin outbox …` */
export function registerCases(program: Command) {
  const cases = program.command('cases').description('subscriber and site-owner cases with staged notices');
  cases
    .command('run')
    .description(
      'run the case cycle once: attribute evidence, open/advance cases, tell site owners, send due notices',
    )
    .option('--no-send', 'prepare notices but leave them in the outbox')
    .option('--json', 'machine-readable output')
    .action(async (opts: { send: boolean }, cmd: Command) => {
      const rep = await withContext(cmd, (ctx) => runCycle(ctx, { send: opts.send }));
      output(cmd, rep, () =>
        [
          `attribution: ${rep.attribution.attributed} attributed, ${Object.values(rep.attribution.unattributed).reduce((a, b) => a + (b ?? 0), 0)} unattributed`,
          `evidence:    ${rep.evidence.linked} linked, ${rep.evidence.opened} case(s) opened`,
          `cases:       ${rep.cases.examined} due, ${rep.cases.notices} notice(s) queued, ${rep.cases.resolved} resolved, ${rep.cases.walledGarden} walled garden`,
          ...(rep.sites ? [`sites:       ${JSON.stringify(rep.sites)}`] : []),
          `outbox:      ${rep.outbox.sent} sent, ${rep.outbox.retried} to retry, ${rep.outbox.failed} failed, ${rep.outbox.bounced} bounced`,
        ].join('\n'),
      );
    });
  cases
    .command('list')
    .description('list cases, newest first')
    .option('--state <state>', 'open, watching, held, resolved or closed')
    .option('--measure <measure>', 'e.g. notify-infected')
    .option('--kind <kind>', 'subscriber or site')
    .option('--subscriber <id>', 'one subscriber')
    .option('--limit <n>', 'most rows', '100')
    .option('--json', 'machine-readable output')
    .action(
      async (
        opts: { state?: string; measure?: string; kind?: string; subscriber?: string; limit: string },
        cmd: Command,
      ) => {
        const rows = await withContext(cmd, (ctx) =>
          listCases(ctx.store, { ...opts, limit: Number(opts.limit) }),
        );
        output(
          cmd,
          rows,
          () =>
            rows
              .map(
                (c) =>
                  `${String(c.id).padStart(6)}  ${c.state.padEnd(8)} ${STAGE_NAMES[c.stage]?.padEnd(13)} ${c.measure.padEnd(17)} ${c.subscriber_id ?? c.site}  ${c.family ?? ''}  next ${when(c.next_action_at)}`,
              )
              .join('\n') || '(no cases)',
        );
      },
    );
  cases
    .command('show <case>')
    .description('one case with its evidence timeline and notices (audited)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, _o, cmd: Command) => {
      const d = await withContext(cmd, (ctx) => showCase(ctx, caseId(id), ACTOR));
      output(cmd, d, () => {
        const c = d.case;
        return [
          `case ${c.id}  ${c.kind} ${c.subscriber_id ?? c.site}  ${c.measure} (${c.legal_basis})`,
          `state ${c.state}, stage ${STAGE_NAMES[c.stage]}, family ${c.family ?? '-'}, opened ${when(c.opened_at)}, last evidence ${when(c.last_evidence_at)}, next action ${when(c.next_action_at)}`,
          ...(c.close_reason ? [`closed ${when(c.closed_at)}: ${c.close_reason}`] : []),
          'evidence:',
          ...d.evidence.map(
            (e) =>
              `  ${when(e.seen_at)}  ${e.addr}${e.port ? `:${e.port}` : ''}  ${e.kind} ${e.family ?? ''} (${e.source})${e.duplicate ? '  [duplicate]' : ''}`,
          ),
          'notices:',
          ...d.notices.map(
            (n) =>
              `  stage ${n.stage} ${n.channel.padEnd(7)} ${n.status.padEnd(8)} attempts ${n.attempts}  ${n.message_id ?? ''}${n.last_error ? `  (${n.last_error})` : ''}`,
          ),
          ...(c.notes.length ? ['notes:', ...c.notes.map((n) => `  ${n.at} ${n.actor}: ${n.text}`)] : []),
        ].join('\n');
      });
    });
  const simple = (
    name: string,
    desc: string,
    fn: (ctx: Parameters<Parameters<typeof withContext>[1]>[0], id: number, arg: string) => Promise<unknown>,
    arg?: string,
  ) => {
    const c = cases
      .command(`${name} <case>${arg ? ` [${arg}]` : ''}`)
      .description(desc)
      .option('--json', 'machine-readable output');
    c.action(async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const text = arg && typeof args[1] === 'string' ? args[1] : '';
      const r = (await withContext(command, (ctx) => fn(ctx, caseId(String(args[0])), text))) as {
        id: number;
        state: string;
      };
      output(command, r, () => `case ${r.id}: ${r.state}`);
    });
  };
  simple(
    'close',
    'close a case (with a reason)',
    (ctx, id, reason) => closeCase(ctx, id, ACTOR, reason || 'closed by operator'),
    'reason',
  );
  simple(
    'hold',
    'hold a case: no escalation until released',
    (ctx, id, reason) => holdCase(ctx, id, ACTOR, reason),
    'reason',
  );
  simple('release', 'release a held case', (ctx, id) => releaseCase(ctx, id, ACTOR));
  simple('annotate', 'add an operator note', (ctx, id, text) => annotateCase(ctx, id, ACTOR, text), 'text');
  simple('fixed', 'record "I fixed it" on behalf of the subscriber (starts watching)', (ctx, id) =>
    markFixed(ctx, id, ACTOR),
  );

  const notices = program.command('notices').description('notices: preview, postal export, bounces');
  notices
    .command('preview <case>')
    .description('render the next notice of a case (both languages) without sending it')
    .option('--stage <n>', '1 first notice, 2 reminder, 3 final')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { stage?: string }, cmd: Command) => {
      const p = await withContext(cmd, (ctx) =>
        previewNotice(ctx, caseId(id), ACTOR, opts.stage ? Number(opts.stage) : undefined),
      );
      output(cmd, p, () => `To: ${p.to ?? '(no e-mail)'}\nSubject: ${p.subject}\n\n${p.text}`);
    });
  notices
    .command('export-postal')
    .description('write pending postal notices to a CSV for the print shop and mark them sent')
    .requiredOption('--out <file>', 'CSV file to write')
    .option('--json', 'machine-readable output')
    .action(async (opts: { out: string }, cmd: Command) => {
      const r = await withContext(cmd, (ctx) => exportPostal(ctx, opts.out, ACTOR));
      output(cmd, r, () => `exported ${r.exported} postal notice(s) to ${opts.out}`);
    });
  notices
    .command('bounce [ref]')
    .description('record a bounce for a notice (id, idempotency key or Message-ID), or read a DSN with --dsn')
    .option('--reason <text>', 'why', 'bounced')
    .option('--dsn <file>', 'a delivery status notification (RFC 3464) as received')
    .option('--json', 'machine-readable output')
    .action(async (ref: string | undefined, opts: { reason: string; dsn?: string }, cmd: Command) => {
      let reason = opts.reason;
      if (opts.dsn) {
        const dsn = parseDsn(readFileSync(opts.dsn, 'utf8'));
        if (!dsn.isBounce || !dsn.messageId)
          throw new YojinError(
            'REQUEST_INVALID',
            `${opts.dsn} is not a failure DSN naming a Message-ID (action ${dsn.action ?? 'none'})`,
          );
        ref = dsn.messageId;
        reason = [dsn.status, dsn.diagnostic].filter(Boolean).join(' ') || 'DSN failed';
      }
      if (!ref)
        throw new YojinError('REQUEST_INVALID', 'give the notice (id, key or Message-ID) or --dsn FILE');
      const n = await withContext(cmd, (ctx) => recordBounce(ctx, ref!, reason, ACTOR));
      output(cmd, n, () => `notice ${n.idempotency_key} (case ${n.case_id}) marked bounced: ${reason}`);
    });
  notices
    .command('list')
    .description('notices, newest first')
    .option('--case <id>')
    .option('--status <status>', 'pending, sending, sent, failed, bounced')
    .option('--limit <n>', 'most rows', '100')
    .option('--json', 'machine-readable output')
    .action(async (opts: { case?: string; status?: string; limit: string }, cmd: Command) => {
      const rows = await withContext(cmd, (ctx) =>
        listNotices(ctx.store, {
          caseId: opts.case ? caseId(opts.case) : undefined,
          status: opts.status,
          limit: Number(opts.limit),
        }),
      );
      const shown = rows.map(({ payload: _p, ...n }) => n);
      output(
        cmd,
        shown,
        () =>
          shown
            .map(
              (n) =>
                `${n.idempotency_key}  ${n.status.padEnd(8)} attempts ${n.attempts}  ${when(n.sent_at)}${n.last_error ? `  ${n.last_error}` : ''}`,
            )
            .join('\n') || '(no notices)',
      );
    });

  const outbox = program.command('outbox').description('the notice outbox');
  outbox
    .command('status')
    .description('counts by status and channel, what is due, what is stuck')
    .option('--json', 'machine-readable output')
    .action(async (_o, cmd: Command) => {
      const s = await withContext(cmd, (ctx) => outboxStatus(ctx));
      output(cmd, s, () =>
        [
          `by status: ${
            Object.entries(s.by_status)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ') || '(empty)'
          }`,
          ...Object.entries(s.by_channel).map(
            ([ch, m]) =>
              `  ${ch}: ${Object.entries(m)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ')}`,
          ),
          `due now: ${s.due}${s.oldest_due_at ? ` (oldest ${s.oldest_due_at})` : ''}; claimed by a sender that did not finish: ${s.in_flight_expired}`,
        ].join('\n'),
      );
    });
}
