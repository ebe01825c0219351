import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBox, Field, Loading, Section, Stat, useApi } from '../components.js';
import { html } from '../html.js';
import { fmtNum, lang, t } from '../i18n.js';
import { PivotTable } from './overview.js';

const METRICS = ['indicators-listed', 'indicators-delisted', 'warnings-shown', 'c2-blocked', 'warning-page-views', 'subscribers-notified', 'cases-opened', 'cases-resolved', 'site-owners-notified'];

/** The monthly report as a printable page; the CSV is fetched with the token (a bare link has none). */
export function Reports() {
  const [month, setMonth] = useState('');
  const [error, setError] = useState(null);
  const rep = useApi('/api/v1/reports/monthly', { month: month || undefined });
  const m = month || rep.data?.month || '';
  async function download(e) {
    e.preventDefault();
    setError(null);
    try {
      const res = await api('/api/v1/reports/monthly.csv', { query: { month: m || undefined }, raw: true });
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `yojin-report-${m || 'month'}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) {
      setError(err);
    }
  }
  return html`<div class="toolbar no-print">
      <${Field} label=${t('month')}><input type="month" value=${month || rep.data?.month || ''} onChange=${(e) => e.currentTarget.value && setMonth(e.currentTarget.value)} /></${Field}>
      <button type="button" onClick=${() => window.print()}>${t('print')}</button>
      <a class="button" href=${`/api/v1/reports/monthly.csv${m ? `?month=${m}` : ''}`} onClick=${download} data-testid="csv">${t('downloadCsv')}</a>
    </div>
    <${ErrorBox} error=${error} />
    <${Loading} state=${rep}>${() => {
      const r = rep.data;
      const months = [...new Set(r.trend.map((x) => x.month))].sort();
      return html`<article class="report" data-testid="report">
        <h2>${t('reportTitle')} — ${r.month}</h2>
        <p class="muted">${new Date().toLocaleDateString(lang.get() === 'ja' ? 'ja-JP' : 'en-GB')}</p>
        <div class="stats">${METRICS.map((m) => html`<${Stat} label=${t(m)} value=${fmtNum(r.totals[m] ?? 0)} />`)}</div>
        <${Section} id="r-rem" title=${t('remediation')}>
          <div class="stats">
            <${Stat} label=${t('casesOpen')} value=${fmtNum(r.remediation.open)} />
            <${Stat} label=${t('casesResolved')} value=${fmtNum(r.remediation.resolved)} />
            <${Stat} label=${t('medianRemediation')} value=${r.remediation.medianHours === null ? '—' : `${fmtNum(r.remediation.medianHours)} ${t('hours')}`} />
            <${Stat} label=${t('remediationRate')} value=${r.remediation.rate === null ? '—' : `${Math.round(r.remediation.rate * 100)}%`} />
          </div>
        </${Section}>
        <${Section} id="r-trend" title=${t('trend')}>
          <${PivotTable} rows=${months.flatMap((m) => r.trend.filter((x) => x.month === m))} dim="month" label=${t('month')} />
        </${Section}>
        <${Section} id="r-measure" title=${t('byMeasure')}><${PivotTable} rows=${r.byMeasure} dim="measure" label=${t('measure')} /></${Section}>
        <${Section} id="r-family" title=${t('byFamily')}><${PivotTable} rows=${r.byFamily} dim="family" label=${t('family')} /></${Section}>
        <${Section} id="r-cat" title=${t('byCategory')}><${PivotTable} rows=${r.byCategory} dim="category" label=${t('category')} /></${Section}>
      </article>`;
    }}</${Loading}>`;
}
