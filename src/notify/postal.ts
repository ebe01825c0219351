import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import type { AppContext } from '../app/index.js';
import { appendAudit } from '../audit/index.js';
import type { NoticeRow, PostalPayload } from './outbox.js';

const COLUMNS = [
  'idempotency_key',
  'case_id',
  'stage',
  'language',
  'name',
  'postal_address',
  'subject',
  'text',
];

function csvField(v: unknown): string {
  const s = String(v ?? '');
  // Leading = + - @ would be formulas in a spreadsheet; the print shop opens these files in one.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * Writes pending postal notices to a CSV for the print shop, then marks them sent. The file is
 * written and fsynced (under a temporary name, then renamed) before the rows are marked: a crash in
 * between exports them again next time, with the same idempotency_key so the print shop can drop
 * the repeat; nothing is lost.
 */
export async function exportPostal(
  ctx: AppContext,
  file: string,
  actor: string,
): Promise<{ exported: number }> {
  return ctx.store.transaction(async (tx) => {
    const r = await tx.query<NoticeRow>(
      `SELECT * FROM notifications WHERE channel = 'postal' AND status = 'pending' ORDER BY id FOR UPDATE SKIP LOCKED`,
    );
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, `\uFEFF${COLUMNS.join(',')}\r\n`);
      for (const n of r.rows) {
        const p = n.payload as PostalPayload;
        writeSync(
          fd,
          `${[n.idempotency_key, n.case_id, n.stage, p.lang, p.name, p.postal, p.subject, p.text].map(csvField).join(',')}\r\n`,
        );
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    const now = ctx.clock.now();
    if (r.rows.length) {
      await tx.query(
        `UPDATE notifications SET status = 'sent', sent_at = $2, attempts = attempts + 1 WHERE id = ANY($1)`,
        [r.rows.map((n) => n.id), now],
      );
      await appendAudit(
        tx,
        {
          actor,
          action: 'notice.export-postal',
          outcome: 'done',
          details: { count: r.rows.length, cases: r.rows.map((n) => Number(n.case_id)).slice(0, 1000) },
        },
        ctx.clock,
      );
    }
    return { exported: r.rows.length };
  });
}
