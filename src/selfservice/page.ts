import type { SelfServiceView } from './service.js';

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const T = {
  ja: {
    title: 'セキュリティに関するお知らせ',
    state: {
      open: '対応中',
      watching: '確認中（対処済みのご連絡を受けて観察しています）',
      held: '保留中',
      resolved: '解決済み',
      closed: '終了',
    } as Record<string, string>,
    status: '状況',
    fixed: '対処しました',
    fixedHelp:
      '対処が終わったらボタンを押してください。しばらくの間、感染の兆候がないか確認し、兆候がなければ案件を終了します。',
    fixedDone: 'ご連絡ありがとうございます。確認期間に入りました。',
    consent: 'セキュリティ対策の設定',
    consentHelp: '次の対策は契約に基づきご提供しているもので、いつでも停止・再開できます。',
    on: '利用中',
    off: '停止中',
    stop: '停止する',
    start: '再開する',
    saved: '設定を変更しました。',
    other: 'English',
  },
  en: {
    title: 'Security notice',
    state: {
      open: 'open',
      watching: 'watching (you told us it is fixed; we are checking)',
      held: 'on hold',
      resolved: 'resolved',
      closed: 'closed',
    } as Record<string, string>,
    status: 'Status',
    fixed: 'I fixed it',
    fixedHelp:
      'Press the button when you have finished. We will check for signs of infection for a while and close the case if there are none.',
    fixedDone: 'Thank you. We are now checking.',
    consent: 'Security settings',
    consentHelp: 'These measures are part of your contract; you can turn them off and on again at any time.',
    on: 'on',
    off: 'off',
    stop: 'Turn off',
    start: 'Turn on',
    saved: 'Your setting was changed.',
    other: '日本語',
  },
};

/** The self-service page (server-rendered, no script): notice, steps, "I fixed it", consent switches. */
export function selfServicePage(v: SelfServiceView, token: string, done?: string): string {
  const t = T[v.lang];
  const base = `/self-service/${encodeURIComponent(token)}`;
  const other = v.lang === 'ja' ? 'en' : 'ja';
  const canFix = v.case.state === 'open';
  return `<!doctype html>
<html lang="${v.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer">
<title>${esc(t.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.6}
pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem;border-radius:6px}button{font-size:1rem;padding:.4rem 1rem}
.ok{background:#e7f6e7;padding:.5rem 1rem;border-radius:6px}</style></head>
<body>
<p style="text-align:right"><a href="${base}?lang=${other}">${esc(t.other)}</a></p>
<h1>${esc(t.title)}</h1>
${done === 'fixed' ? `<p class="ok">${esc(t.fixedDone)}</p>` : ''}${done === 'consent' ? `<p class="ok">${esc(t.saved)}</p>` : ''}
<p>${esc(t.status)}: <strong>${esc(t.state[v.case.state] ?? v.case.state)}</strong></p>
<h2>${esc(v.notice.subject)}</h2>
<pre>${esc(v.notice.text)}</pre>
${canFix ? `<form method="post" action="${base}/fixed?lang=${v.lang}"><p>${esc(t.fixedHelp)}</p><button type="submit">${esc(t.fixed)}</button></form>` : ''}
${
  v.consents.length
    ? `<h2>${esc(t.consent)}</h2><p>${esc(t.consentHelp)}</p><ul>${v.consents
        .map(
          (
            c,
          ) => `<li><form method="post" action="${base}/consent?lang=${v.lang}">${esc(c.purpose)} — <strong>${esc(c.granted ? t.on : t.off)}</strong>
<input type="hidden" name="measure" value="${esc(c.measure)}"><input type="hidden" name="granted" value="${c.granted ? 'false' : 'true'}">
<button type="submit">${esc(c.granted ? t.stop : t.start)}</button></form></li>`,
        )
        .join('\n')}</ul>`
    : ''
}
</body></html>`;
}

export function errorPage(message: string): string {
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>yojin</title></head><body><h1>リンクを開けません / This link cannot be opened</h1><p>${esc(message)}</p></body></html>`;
}
