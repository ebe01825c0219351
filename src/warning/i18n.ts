export const LANGS = ['ja', 'en'] as const;
export type Lang = (typeof LANGS)[number];

export function isLang(v: unknown): v is Lang {
  return v === 'ja' || v === 'en';
}

/**
 * The page language: an explicit `?lang=` wins, then the best of ja/en in Accept-Language (by q, then
 * order), then Japanese (the subscribers of a Japanese ISP).
 */
export function negotiateLang(query: unknown, acceptLanguage: string | undefined): Lang {
  if (isLang(query)) return query;
  let best: { lang: Lang; q: number } | undefined;
  for (const part of (acceptLanguage ?? '').split(',').slice(0, 32)) {
    const [tag, ...params] = part.trim().toLowerCase().split(';');
    const primary = tag.split('-')[0];
    if (!isLang(primary)) continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m) q = Number(m[1]);
    }
    if (!(q > 0)) continue;
    if (!best || q > best.q) best = { lang: primary, q };
  }
  return best?.lang ?? 'ja';
}
