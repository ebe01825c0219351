import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { YojinError } from '../errors/index.js';

export type Lang = 'ja' | 'en';
export const LANGS: Lang[] = ['ja', 'en'];

/** The variables a template may use; anything else in `{{…}}` is refused when templates load. */
export const TEMPLATE_VARS = [
  'case_id',
  'subscriber_id',
  'family',
  'first_seen',
  'last_seen',
  'evidence_count',
  'link',
  'link_expires',
  'stage_label',
  'site',
  'date',
  'category',
  'urls',
] as const;
export type TemplateVars = Partial<Record<(typeof TEMPLATE_VARS)[number], string>>;

export interface Template {
  name: string;
  subject: string;
  body: string;
}

export interface Rendered {
  subject: string;
  text: string;
  lang: Lang;
  template: string;
}

/** Template files live in src/notify/templates; dist/ code finds them in the source tree (tsc copies no text files). */
function templateDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const d of [join(here, 'templates'), join(here, '..', '..', 'src', 'notify', 'templates')])
    if (existsSync(d)) return d;
  throw new Error(`notice templates not found near ${here}`);
}

/** Families named differently by different feeds, mapped to the template that covers them. */
const FAMILY_ALIASES: Record<string, string> = { qbot: 'qakbot', quakbot: 'qakbot', pinkslipbot: 'qakbot' };

export function familyKey(family: string | null | undefined): string {
  const f = (family ?? '').toLowerCase().trim();
  if (!f) return 'default';
  if (FAMILY_ALIASES[f]) return FAMILY_ALIASES[f];
  // Feeds write variants ("mirai-satori", "mirai.okiru"); the family prefix decides the removal steps.
  const head = f.split(/[^a-z0-9]/)[0];
  return FAMILY_ALIASES[head] ?? head;
}

function parse(name: string, text: string): Template {
  const m = /^Subject: (.*)\n---\n([\s\S]*)$/.exec(text.replace(/\r\n/g, '\n'));
  if (!m) throw new Error(`template ${name}: expected "Subject: …", a line "---", then the body`);
  for (const v of text.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g))
    if (!(TEMPLATE_VARS as readonly string[]).includes(v[1]))
      throw new Error(`template ${name}: unknown variable {{${v[1]}}} (known: ${TEMPLATE_VARS.join(', ')})`);
  return { name, subject: m[1], body: m[2] };
}

let cache: Map<string, Template> | undefined;

/** All templates, keyed `measure.family.lang`, validated (known variables only). */
export function loadTemplates(dir?: string): Map<string, Template> {
  if (cache && !dir) return cache;
  const out = new Map<string, Template>();
  const from = dir ?? templateDir();
  for (const f of readdirSync(from).filter((n) => n.endsWith('.txt'))) {
    const name = f.replace(/\.txt$/, '');
    out.set(name, parse(name, readFileSync(join(from, f), 'utf8')));
  }
  if (!dir) cache = out;
  return out;
}

/** The template for a measure, family and language: the family's own, else the measure's default. */
export function findTemplate(measure: string, family: string | null | undefined, lang: Lang): Template {
  const all = loadTemplates();
  const t = all.get(`${measure}.${familyKey(family)}.${lang}`) ?? all.get(`${measure}.default.${lang}`);
  if (!t)
    throw new YojinError(
      'CASE_NO_TEMPLATE',
      `no notice template for measure ${measure} (${lang}); add src/notify/templates/${measure}.default.${lang}.txt`,
    );
  return t;
}

/**
 * Substitutes variables. Values are data (a family name from a feed, a URL from a list), never
 * template text: `{{` in a value is not expanded again, control characters are dropped, and the
 * subject is kept to one line so a value cannot add mail headers.
 */
export function render(t: Template, vars: TemplateVars, lang: Lang): Rendered {
  const clean = (v: string | undefined, oneLine: boolean) => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: dropping control characters is the point
    const s = (v ?? '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
    return oneLine ? s.replace(/[\r\n]+/g, ' ').slice(0, 200) : s.slice(0, 20_000);
  };
  const sub = (text: string, oneLine: boolean) =>
    text.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, k: string) => clean(vars[k as keyof TemplateVars], oneLine));
  return { subject: sub(t.subject, true), text: sub(t.body, false), lang, template: t.name };
}

const STAGE_LABELS: Record<number, Record<Lang, string>> = {
  1: { ja: '', en: '' },
  2: { ja: '【再通知】', en: '[Reminder] ' },
  3: { ja: '【最終通知】', en: '[Final notice] ' },
};
export function stageLabel(stage: number, lang: Lang): string {
  return STAGE_LABELS[stage]?.[lang] ?? '';
}

/**
 * A bilingual notice: the subscriber's language first, then the other one, so that whoever reads it
 * can understand it (everything a subscriber reads is in Japanese and English).
 */
export function renderBilingual(
  measure: string,
  family: string | null | undefined,
  primary: Lang,
  vars: (lang: Lang) => TemplateVars,
): Rendered {
  const second: Lang = primary === 'ja' ? 'en' : 'ja';
  const a = render(findTemplate(measure, family, primary), vars(primary), primary);
  const b = render(findTemplate(measure, family, second), vars(second), second);
  return {
    subject: `${a.subject} / ${b.subject}`.slice(0, 400),
    text: `${a.text}\n------------------------------------------------------------\n\n${b.text}`,
    lang: primary,
    template: a.template,
  };
}
