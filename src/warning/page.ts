import { createHash } from 'node:crypto';
import type { Config } from '../config/index.js';
import { allowsContinue, describeCategory } from './categories.js';
import type { Lang } from './i18n.js';
import type { Listing } from './lookup.js';
import { MESSAGES, type Messages } from './messages.js';
import type { ReportFields, ReportProblem } from './report.js';

type WarningConfig = Config['warning'];

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Inline styles only (no external resources: the browser may not reach anything else, and nothing
 * of the blocked site must load). Colours keep at least 7:1 contrast (WCAG AAA) for text.
 */
const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP","Yu Gothic",sans-serif;font-size:1rem;line-height:1.7;color:#1a1a1a;background:#fff}
a{color:#0b4ea2}
a:focus,button:focus,textarea:focus,input:focus{outline:3px solid #1a1a1a;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
header{background:#8b0000;color:#fff;padding:.75rem 1rem;display:flex;justify-content:space-between;flex-wrap:wrap;gap:.5rem}
header a{color:#fff}
header p{margin:0;font-weight:bold}
main{max-width:44rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;line-height:1.3;color:#8b0000;margin:1rem 0}
h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:2px solid #ddd}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dt{font-weight:bold}dd{margin:0;overflow-wrap:anywhere}
code{font-size:1rem;background:#f2f2f2;padding:0 .2rem}
.note{background:#fff4ce;border-left:4px solid #7a5a00;padding:.5rem 1rem}
.errors{border:2px solid #8b0000;padding:.5rem 1rem}
label{display:block;font-weight:bold;margin-top:.75rem}
textarea,input[type=text]{width:100%;font:inherit;padding:.4rem;border:1px solid #555}
button{font:inherit;margin-top:1rem;padding:.5rem 1.5rem;background:#0b4ea2;color:#fff;border:0;cursor:pointer}
.continue{color:#5c0000}
footer{border-top:1px solid #ddd;margin-top:2rem;padding:1rem;font-size:.9rem;text-align:center}
`;

/** The Content-Security-Policy that lets exactly this style block run and nothing else load. */
export const CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Layout {
  lang: Lang;
  cfg: WarningConfig;
  title: string;
  /** Link that shows the same page in the other language. */
  switchHref?: string;
  body: string;
}

function org(cfg: WarningConfig, lang: Lang) {
  return lang === 'ja' ? cfg.organisation_ja : cfg.organisation_en;
}

function layout({ lang, cfg, title, switchHref, body }: Layout): string {
  const t = MESSAGES[lang];
  const other: Lang = lang === 'ja' ? 'en' : 'ja';
  const sw = switchHref
    ? `<nav aria-label="${esc(t.switchLabel)}"><a href="${esc(switchHref)}" hreflang="${other}" lang="${other}">${esc(MESSAGES[other].langName)}</a></nav>`
    : '';
  const about = cfg.public_url ? ` · <a href="${esc(cfg.public_url)}">${esc(cfg.public_url)}</a>` : '';
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#main">${esc(t.skip)}</a>
<header><p>${esc(org(cfg, lang))}</p>${sw}</header>
<main id="main">
${body}
</main>
<footer><p>${esc(t.footer(org(cfg, lang)))}${about}</p></footer>
</body>
</html>
`;
}

function contactBlock(t: Messages, cfg: WarningConfig, lang: Lang): string {
  const name = lang === 'ja' ? cfg.contact_name_ja : cfg.contact_name_en;
  const hours = lang === 'ja' ? cfg.contact_hours_ja : cfg.contact_hours_en;
  const rows: string[] = [];
  if (cfg.contact_phone)
    rows.push(
      `<dt>${esc(t.phone)}</dt><dd><a href="tel:${esc(cfg.contact_phone.replace(/[^0-9+]/g, ''))}">${esc(cfg.contact_phone)}</a></dd>`,
    );
  if (hours) rows.push(`<dt>${esc(t.hours)}</dt><dd>${esc(hours)}</dd>`);
  if (cfg.contact_url)
    rows.push(`<dt>${esc(t.web)}</dt><dd><a href="${esc(cfg.contact_url)}">${esc(cfg.contact_url)}</a></dd>`);
  if (cfg.contact_email)
    rows.push(
      `<dt>${esc(t.email)}</dt><dd><a href="mailto:${esc(cfg.contact_email)}">${esc(cfg.contact_email)}</a></dd>`,
    );
  return `<section aria-labelledby="h-contact"><h2 id="h-contact">${esc(t.contactHeading)}</h2>
<p>${esc(t.contactIntro(name))}</p>${rows.length ? `<dl>${rows.join('')}</dl>` : ''}</section>`;
}

export interface WarningPageModel {
  lang: Lang;
  cfg: WarningConfig;
  host: string;
  /** The request target (path and query) the browser asked for. */
  target: string;
  listing?: Listing;
  switchHref: string;
  continueHref?: string;
  formToken: string;
  form?: { fields: ReportFields; problems: ReportProblem[] };
  bypassActive: boolean;
}

const minutes = (s: number) => Math.max(1, Math.round(s / 60));

/** The warning itself: what was stopped and why, what to do, whom to ask, report, continue. */
export function warningPage(m: WarningPageModel): string {
  const { lang, cfg } = m;
  const t = MESSAGES[lang];
  const cat = describeCategory(m.listing?.category, lang);
  const displayUrl = `http://${m.host}${m.target.length > 200 ? `${m.target.slice(0, 200)}…` : m.target}`;
  const matchNote = m.listing ? t.match[m.listing.match](m.listing.value) : t.notListed;
  const advice = [...t.advice];
  if (!allowsContinue(m.listing?.category)) advice.push(t.adviceInfected);
  const helpdesk = lang === 'ja' ? cfg.contact_name_ja : cfg.contact_name_en;
  const optOut = cfg.opt_out_url
    ? `${esc(t.optOut)}<a href="${esc(cfg.opt_out_url)}">${esc(cfg.opt_out_url)}</a>`
    : esc(t.optOutViaHelpdesk(helpdesk));
  const f = m.form;
  const problems = f?.problems.length
    ? `<div class="errors" role="alert" id="report-errors"><p><strong>${esc(t.problemsHeading)}</strong></p><ul>${f.problems
        .map((p) => `<li>${esc(t.problems[p])}</li>`)
        .join('')}</ul></div>`
    : '';
  const v = (s: string | undefined) => esc(s ?? '');
  const cont = m.continueHref
    ? `<p>${esc(t.continueText(minutes(cfg.bypass_ttl_seconds)))}</p>
<p><a class="continue" href="${esc(m.continueHref)}" rel="nofollow">${esc(t.continueLink(m.host))}</a></p>
<p>${esc(t.continueExpiry(minutes(cfg.continue_ttl_seconds)))}</p>`
    : `<p>${esc(t.noContinue)}</p>`;
  const body = `<h1>${esc(t.h1)}</h1>
<p>${esc(t.lead(org(cfg, lang)))}</p>
${m.bypassActive ? `<p class="note" role="status">${esc(t.bypassActive)}</p>` : ''}
<section aria-labelledby="h-facts"><h2 id="h-facts">${esc(t.factsHeading)}</h2>
<dl>
<dt>${esc(t.siteLabel)}</dt><dd><code>${esc(m.host)}</code></dd>
<dt>${esc(t.urlLabel)}</dt><dd><code>${esc(displayUrl)}</code></dd>
<dt>${esc(t.categoryLabel)}</dt><dd>${esc(cat.label)}</dd>
</dl>
<p>${esc(cat.why)}</p>
<p>${esc(matchNote)}</p>
</section>
<section aria-labelledby="h-advice"><h2 id="h-advice">${esc(t.adviceHeading)}</h2>
<ul>${advice.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>
</section>
${contactBlock(t, cfg, lang)}
<section aria-labelledby="h-why"><h2 id="h-why">${esc(t.whyHeading)}</h2>
<p>${esc(t.why(minutes(cfg.bypass_ttl_seconds)))}</p>
<p>${optOut}</p>
</section>
<section aria-labelledby="h-report"><h2 id="h-report">${esc(t.reportHeading)}</h2>
<p>${esc(t.reportIntro)}</p>
${problems}
<form method="post" action="/__yojin/report" accept-charset="utf-8">
<input type="hidden" name="token" value="${esc(m.formToken)}">
<input type="hidden" name="lang" value="${lang}">
<input type="hidden" name="to" value="${esc(m.target)}">
<label for="reason">${esc(t.reasonLabel)}${esc(t.required)}</label>
<textarea id="reason" name="reason" rows="4" maxlength="2000" required${f?.problems.some((p) => p.startsWith('reason')) ? ' aria-invalid="true" aria-describedby="report-errors"' : ''}>${v(f?.fields.reason)}</textarea>
<label for="reporter">${esc(t.reporterLabel)}${esc(t.optional)}</label>
<input type="text" id="reporter" name="reporter" maxlength="100" autocomplete="name" value="${v(f?.fields.reporter)}">
<label for="contact">${esc(t.contactLabel)}${esc(t.optional)}</label>
<input type="text" id="contact" name="contact" maxlength="200" autocomplete="email" value="${v(f?.fields.contact)}"${f?.problems.some((p) => p.startsWith('contact')) ? ' aria-invalid="true" aria-describedby="report-errors"' : ''}>
<button type="submit">${esc(t.submit)}</button>
</form>
</section>
<section aria-labelledby="h-continue"><h2 id="h-continue">${esc(t.continueHeading)}</h2>
${cont}
</section>`;
  return layout({ lang, cfg, title: t.title, switchHref: m.switchHref, body });
}

/** Reached by address, not by a blocked name: say what this server is. */
export function servicePage(lang: Lang, cfg: WarningConfig, switchHref: string): string {
  const t = MESSAGES[lang];
  const body = `<h1>${esc(t.serviceH1)}</h1>
<p>${esc(t.serviceText(org(cfg, lang)))}</p>
${contactBlock(t, cfg, lang)}`;
  return layout({ lang, cfg, title: t.serviceH1, switchHref, body });
}

/** A short page with a heading, a message and optionally a link back. */
export function messagePage(
  lang: Lang,
  cfg: WarningConfig,
  title: string,
  paragraphs: string[],
  back?: { href: string; label: string },
): string {
  const t = MESSAGES[lang];
  const body = `<h1>${esc(title)}</h1>
${paragraphs.map((p) => `<p>${esc(p)}</p>`).join('\n')}
${back ? `<p><a href="${esc(back.href)}">${esc(back.label)}</a></p>` : ''}
${contactBlock(t, cfg, lang)}`;
  return layout({ lang, cfg, title, body });
}
