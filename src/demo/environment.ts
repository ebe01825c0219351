import { join } from 'node:path';
import { startUpstream } from './dns.js';
import { startMailbox } from './mailbox.js';
import { startSites } from './site.js';

/**
 * Everything around yojin that a demo needs, all on loopback: the SMTP sink (mailbox of .eml files),
 * an upstream DNS server for unlisted names, and the scenario's web sites. `config` is the config
 * overlay that points yojin at them.
 */
export async function startEnvironment(dir: string) {
  const mailbox = await startMailbox(join(dir, 'mailbox'));
  const upstream = await startUpstream();
  const sites = await startSites(join(dir, 'files', 'site'));
  const config = {
    smtp: { url: mailbox.url, from: 'ISP Security <security@isp.example>' },
    siteowners: {
      scheme: 'http',
      http_port: sites.port,
      connect_to: '127.0.0.1',
      rdap_default_url: `http://rdap.example:${sites.port}/rdap/`,
      timeout_ms: 2000,
    },
  };
  return {
    mailbox,
    upstream,
    sites,
    config,
    upstreams: [`127.0.0.1:${upstream.port}`],
    async close() {
      await sites.close();
      await upstream.close();
      await mailbox.close();
    },
  };
}
