import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type SmtpSink, startSmtpSink } from '../notify/sink.js';

/**
 * The demo's mail server: a local SMTP sink (smtp-server, loopback only) that stores every notice it
 * accepts as an .eml file in mailbox/<recipient>/, so an operator can open them in any mail client.
 */
export async function startMailbox(dir: string): Promise<SmtpSink & { dir: string }> {
  mkdirSync(dir, { recursive: true });
  let n = 0;
  const sink = await startSmtpSink({
    onMessage: (m) => {
      for (const to of m.to) {
        const box = join(dir, to.toLowerCase().replace(/[^a-z0-9@._-]/g, '_'));
        mkdirSync(box, { recursive: true });
        writeFileSync(join(box, `${String(++n).padStart(6, '0')}.eml`), m.raw);
      }
    },
  });
  return Object.assign(sink, { dir });
}
