import { createSocket, type Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';

/**
 * The demo's "Internet": a tiny authoritative server on loopback the policy resolver forwards to, so
 * names that are not listed resolve (to documentation addresses) instead of failing.
 */
export async function startUpstream(): Promise<{ port: number; close(): Promise<void> }> {
  const sock = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    let q: dnsPacket.Packet;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = q.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase();
    // A stable address per name, so repeated queries look like a real site's answers.
    let h = 0;
    for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
    const answers: dnsPacket.Answer[] =
      question.type === 'A'
        ? [{ type: 'A', name: question.name, ttl: 300, data: `192.0.2.${(h % 50) + 100}` }]
        : question.type === 'AAAA'
          ? [
              {
                type: 'AAAA',
                name: question.name,
                ttl: 300,
                data: `2001:db8:beef::${(h % 4096).toString(16)}`,
              },
            ]
          : [];
    const reply = dnsPacket.encode({
      id: q.id,
      type: 'response',
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED,
      questions: q.questions,
      answers,
    });
    sock.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  return {
    port: sock.address().port,
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}

export interface QueryResult {
  rcode: string;
  answers: string[];
  /** Extended DNS Error (RFC 8914) info-code and text, when present. */
  ede?: { code: number; text: string };
}

/**
 * One UDP query from `client` (a 127/8 address standing in for a subscriber) to the resolver.
 * Binding the source address is what makes the resolver attribute the query to that subscriber.
 */
export async function queryFrom(
  client: string,
  port: number,
  name: string,
  type: 'A' | 'AAAA' = 'A',
  timeoutMs = 3000,
): Promise<QueryResult> {
  const sock: Socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, client, () => resolve());
  });
  const id = Math.floor(Math.random() * 65535);
  const msg = dnsPacket.encode({
    id,
    type: 'query',
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    additionals: [
      { type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: [] } as unknown as dnsPacket.Answer,
    ],
  });
  try {
    return await new Promise<QueryResult>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer from 127.0.0.1:${port} for ${name}`)),
        timeoutMs,
      );
      sock.on('message', (m) => {
        const p = dnsPacket.decode(m);
        if (p.id !== id) return;
        clearTimeout(timer);
        const answers = (p.answers ?? [])
          .filter((a) => a.type === 'A' || a.type === 'AAAA')
          .map((a) => String((a as { data: unknown }).data));
        let ede: QueryResult['ede'];
        for (const add of p.additionals ?? []) {
          if (add.type !== 'OPT') continue;
          for (const o of (add as unknown as { options: Array<{ code: number; data?: Buffer }> }).options ??
            [])
            if (o.code === 15 && o.data && o.data.length >= 2)
              ede = { code: o.data.readUInt16BE(0), text: o.data.subarray(2).toString('utf8') };
        }
        resolve({ rcode: (p as { rcode?: string }).rcode ?? 'NOERROR', answers, ede });
      });
      sock.send(msg, port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}
