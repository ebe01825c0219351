import { getDomain, getPublicSuffix } from 'tldts';
import type { AppContext } from '../app/index.js';
import { siteFetch } from './fetch.js';

interface RdapEntity {
  roles?: string[];
  vcardArray?: [string, Array<[string, Record<string, unknown>, string, unknown]>];
  entities?: RdapEntity[];
}

/** The e-mail addresses of entities with role "abuse" (RFC 9083 §5.1), searched through nested entities. */
export function abuseEmails(doc: { entities?: RdapEntity[] }): string[] {
  const out: string[] = [];
  const walk = (es: RdapEntity[] | undefined) => {
    for (const e of es ?? []) {
      if (e.roles?.includes('abuse'))
        for (const prop of e.vcardArray?.[1] ?? [])
          if (prop[0] === 'email' && typeof prop[3] === 'string') out.push(prop[3]);
      walk(e.entities);
    }
  };
  walk(doc.entities);
  return [...new Set(out)];
}

/** RDAP base URL for a domain's TLD: `[siteowners] rdap_base_urls`, else rdap_default_url. */
export function rdapBase(ctx: AppContext, domain: string): string {
  const cfg = ctx.config.siteowners;
  const tld = (getPublicSuffix(domain) ?? domain.split('.').pop() ?? '').split('.').pop() ?? '';
  const base = (cfg.rdap_base_urls as Record<string, string>)[tld] ?? cfg.rdap_default_url;
  return base.endsWith('/') ? base : `${base}/`;
}

/** The registrar's abuse contact of a host's registrable domain, from RDAP. */
export async function rdapAbuseContact(
  ctx: AppContext,
  host: string,
): Promise<{ email: string | null; url: string; error?: string }> {
  const domain = getDomain(host, { allowPrivateDomains: false }) ?? host;
  const url = `${rdapBase(ctx, domain)}domain/${encodeURIComponent(domain)}`;
  try {
    const res = await siteFetchRdap(ctx, url);
    if (res.status !== 200) return { email: null, url, error: `RDAP answered ${res.status}` };
    const emails = abuseEmails(JSON.parse(res.body));
    return {
      email: emails[0] ?? null,
      url,
      ...(emails.length ? {} : { error: 'no abuse entity with an e-mail' }),
    };
  } catch (err) {
    return { email: null, url, error: String((err as Error).message ?? err) };
  }
}

// RDAP servers are real hosts named in the config: resolved normally, never pinned by connect_to.
function siteFetchRdap(ctx: AppContext, url: string) {
  return siteFetch(
    { ...ctx, config: { ...ctx.config, siteowners: { ...ctx.config.siteowners, connect_to: '' } } },
    url,
  );
}
