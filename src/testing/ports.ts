import { type AddressInfo, createServer } from 'node:net';

/**
 * A loopback TCP port free at the time of asking, for a peer (named, unbound, a child yojin) that
 * must be told its port before it starts. Another process may take it in between; the peers here
 * start at once, so the window is small.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
