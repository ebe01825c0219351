import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { AppContext } from '../app/index.js';

export interface Fetched {
  status: number;
  contentType: string;
  body: string;
  url: string;
}

/**
 * GET with the [siteowners] knobs: connect_to pins every connection to one address (exercises and
 * tests point it at 127.0.0.1 while the Host header and TLS name stay the site's), ports per scheme.
 * Bodies are capped (security.txt and RDAP answers are small). No redirects are followed across hosts.
 */
export function siteFetch(ctx: AppContext, url: string, maxBytes = 256 * 1024): Promise<Fetched> {
  const cfg = ctx.config.siteowners;
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  const lookup: LookupFunction | undefined = cfg.connect_to
    ? (_h, opts, cb) => {
        const family = cfg.connect_to.includes(':') ? 6 : 4;
        if ((opts as { all?: boolean }).all)
          (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
            { address: cfg.connect_to, family },
          ]);
        else cb(null, cfg.connect_to, family);
      }
    : undefined;
  return new Promise((resolve, reject) => {
    const req = lib.get(
      url,
      { lookup, timeout: cfg.timeout_ms, headers: { 'user-agent': 'yojin-siteowners/0.1', accept: '*/*' } },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) req.destroy(new Error(`response from ${url} larger than ${maxBytes} bytes`));
          else chunks.push(c);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
            url,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout fetching ${url}`)));
    req.on('error', reject);
  });
}

export function siteUrl(ctx: AppContext, scheme: 'https' | 'http', host: string, path: string): string {
  const cfg = ctx.config.siteowners;
  const port = scheme === 'https' ? cfg.https_port : cfg.http_port;
  const def = scheme === 'https' ? 443 : 80;
  const h = host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${h}${port === def ? '' : `:${port}`}${path}`;
}
