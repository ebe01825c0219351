import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';

/**
 * The demo's web: one loopback HTTP server standing in for every site of the scenario. It serves
 * <dir>/<Host>/<path> (the compromised site's security.txt) and 404 for anything else, so the
 * site-owner worker (siteowners.connect_to = 127.0.0.1) finds contacts without leaving the machine.
 */
export async function startSites(dir: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]));
    if (!/^[a-z0-9.-]+$/.test(host) || path.includes('..')) {
      res.writeHead(400).end();
      return;
    }
    try {
      const body = await readFile(join(dir, host, path));
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const a = server.address();
  return {
    port: typeof a === 'object' && a ? a.port : 0,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
