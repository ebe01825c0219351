import { SMTPServer } from 'smtp-server';

export interface SinkMessage {
  messageId: string;
  from: string;
  to: string[];
  raw: string;
  /** Times this Message-ID arrived: above 1 means a re-send the sink dropped, as a deduplicating MTA would. */
  count: number;
}

export interface SmtpSink {
  port: number;
  url: string;
  /** Unique messages by Message-ID. */
  messages: Map<string, SinkMessage>;
  /** Every DATA accepted, duplicates included. */
  accepted: number;
  /** Reject RCPT TO for these addresses with 550 (bounces at SMTP time). */
  rejectRecipients: Set<string>;
  close(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 (random port) that keeps what it accepts and deduplicates by
 * Message-ID — the receiver side of the outbox guarantee. Used by tests, the benchmark and exercises.
 */
export async function startSmtpSink(
  opts: { port?: number; onMessage?: (m: SinkMessage) => void } = {},
): Promise<SmtpSink> {
  const messages = new Map<string, SinkMessage>();
  const rejectRecipients = new Set<string>();
  const sink: SmtpSink = { port: 0, url: '', messages, accepted: 0, rejectRecipients, close: async () => {} };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address, _session, cb) {
      if (rejectRecipients.has(address.address.toLowerCase())) {
        const err = Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 });
        return cb(err);
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
        const messageId = /^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? `(none-${sink.accepted})`;
        sink.accepted++;
        const prev = messages.get(messageId);
        if (prev) prev.count++;
        else {
          const m: SinkMessage = {
            messageId,
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            count: 1,
          };
          messages.set(messageId, m);
          opts.onMessage?.(m);
        }
        cb();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const addr = server.server.address();
  sink.port = typeof addr === 'object' && addr ? addr.port : 0;
  sink.url = `smtp://127.0.0.1:${sink.port}`;
  sink.close = () => new Promise<void>((r) => server.close(() => r()));
  return sink;
}
