import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { Forwarder } from './index.js';

/** The bytes of one upstream query the forwarder sends for `question` (the capturing upstream never answers). */
async function queryBytes(question: Parameters<Forwarder['resolve']>[0], dnssecOk: boolean, cd: boolean) {
  const upstream = createSocket('udp4');
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
  const fwd = new Forwarder([{ host: '127.0.0.1', port: upstream.address().port, family: 4 }], 2000);
  const got = once(upstream, 'message');
  const pending = fwd.resolve(question, dnssecOk, cd).catch(() => {});
  const [msg] = (await got) as [Buffer];
  fwd.close();
  await pending;
  upstream.close();
  return msg;
}

test('the upstream query built around the client question bytes is the one dns-packet would encode', async () => {
  for (const [name, type, dnssecOk, cd] of [
    ['MiXeD.Example.org', 'A', false, false],
    ['example.org', 'AAAA', true, false],
    ['x.y.z.example', 'TXT', true, true],
  ] as const) {
    // the question section as a client sends it
    const clientQuery = dnsPacket.encode({ id: 1, type: 'query', questions: [{ name, type, class: 'IN' }] });
    const wire = clientQuery.subarray(12);
    const fromWire = await queryBytes({ name, type, class: 'IN', wire }, dnssecOk, cd);
    const decoded = await queryBytes({ name, type, class: 'IN' }, dnssecOk, cd);
    // all but the random message id
    assert.deepEqual(fromWire.subarray(2), decoded.subarray(2), `${name}/${type}`);
    const p = dnsPacket.decode(fromWire);
    assert.equal(p.questions?.[0]?.name, name);
    assert.equal(p.questions?.[0]?.type, type);
  }
});
