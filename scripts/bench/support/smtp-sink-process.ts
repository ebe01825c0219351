// The notices benchmark's SMTP server, in a process of its own (forked with IPC): a real receiving
// MTA runs apart from the sender, so the receiver's parsing must not share the sender's event loop.
// Sends {url} once listening; answers 'count' with the distinct Message-IDs and all DATA accepted.
import { startSmtpSink } from '../../../src/notify/sink.js';

const sink = await startSmtpSink();
process.on('message', async (m: string) => {
  if (m === 'count') process.send!({ distinct: sink.messages.size, accepted: sink.accepted });
  if (m === 'close') {
    await sink.close();
    process.send!({ closed: true }, () => process.exit(0));
  }
});
process.send!({ url: sink.url });
