import { stringify } from 'yaml';
import type { EmailPayload, Lang } from '../notify/index.js';
import { renderBilingual } from '../notify/index.js';

export interface ReportedUrl {
  id: number;
  url: string;
  category: string;
  first_seen: Date;
  last_seen: Date;
  sources: string[];
}

const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');

/**
 * The machine-readable part of an X-ARF report (x-arf.org, v0.2 container; malware-attack or fraud
 * schema): a YAML document, one per report, for the URL that is the report's source.
 */
export function xarfYaml(opts: {
  reporter: string;
  url: ReportedUrl;
  date: Date;
  occurrences: number;
}): string {
  const u = new URL(opts.url.url);
  const phishing = opts.url.category === 'phishing';
  return stringify({
    'Reported-From': opts.reporter,
    Category: phishing ? 'fraud' : 'abuse',
    'Report-Type': phishing ? 'phishing' : 'malware-attack',
    Service: u.protocol.replace(':', ''),
    Version: '0.2',
    'User-Agent': 'yojin 0.1',
    Date: rfc2822(opts.date),
    'Source-Type': 'uri',
    Source: opts.url.url,
    Port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
    Occurrences: opts.occurrences,
    'First-Seen': opts.url.first_seen.toISOString(),
    'Last-Seen': opts.url.last_seen.toISOString(),
    'Schema-URL': phishing
      ? 'http://www.x-arf.org/schema/fraud_0.1.4.json'
      : 'http://www.x-arf.org/schema/abuse_malware-attack_0.1.4.json',
    Attachment: 'application/json',
  });
}

/**
 * The whole report as an outbox e-mail: a human-readable part (both languages, the site's preferred
 * one first), the X-ARF YAML as report.txt and the evidence as evidence.json; headers X-ARF: YES and
 * Auto-Submitted: auto-generated as the X-ARF specification asks.
 */
export function xarfEmail(opts: {
  caseId: number;
  host: string;
  to: string;
  reporter: string;
  urls: ReportedUrl[];
  lang: Lang;
  date: Date;
}): EmailPayload {
  const first = opts.urls[0];
  const rendered = renderBilingual('notify-site-owner', null, opts.lang, () => ({
    case_id: String(opts.caseId),
    site: opts.host,
    date: opts.date.toISOString().slice(0, 10),
    category: [...new Set(opts.urls.map((u) => u.category))].join(', '),
    urls: opts.urls
      .map(
        (u) =>
          `  ${u.url.replace(/^http/, 'hxxp')}  (${u.category}; ${u.first_seen.toISOString().slice(0, 10)} – ${u.last_seen.toISOString().slice(0, 10)})`,
      )
      .join('\n'),
  }));
  return {
    kind: 'email',
    to: opts.to,
    subject: rendered.subject,
    text: rendered.text,
    lang: opts.lang,
    template: rendered.template,
    headers: { 'X-ARF': 'YES', 'Auto-Submitted': 'auto-generated' }, // nodemailer writes the name as X-Arf; header names are case-insensitive (RFC 5322)
    attachments: [
      {
        filename: 'report.txt',
        contentType: 'text/plain; charset=utf-8',
        content: xarfYaml({
          reporter: opts.reporter,
          url: first,
          date: opts.date,
          occurrences: opts.urls.length,
        }),
      },
      {
        filename: 'evidence.json',
        contentType: 'application/json',
        content: JSON.stringify({ site: opts.host, urls: opts.urls }, null, 2),
      },
    ],
  };
}
