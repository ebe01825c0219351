import { useEffect, useState } from 'preact/hooks';
import { api, can } from '../api.js';
import { Chart, Field, Loading, Section, Stat, Table, useApi } from '../components.js';
import { html } from '../html.js';
import { fmtNum, t } from '../i18n.js';

export const CATEGORIES = ['malware-distribution', 'phishing', 'c2', 'exploit', 'botnet', 'spam', 'hijacked-netblock', 'scanner', 'other'];
export const HEADLINE = ['indicators-listed', 'warnings-shown', 'c2-blocked', 'subscribers-notified', 'cases-opened', 'cases-resolved'];

export function currentMonth() {
  return new Date().toISOString().slice(0, 7);
}

/** Rows of {metric, <dim>, value} as a table: one row per dimension value, one column per metric. */
export function pivot(rows, dim) {
  const metrics = [...new Set(rows.map((r) => r.metric))];
  const by = new Map();
  for (const r of rows) {
    const row = by.get(r[dim]) ?? { [dim]: r[dim] };
    row[r.metric] = r.value;
    by.set(r[dim], row);
  }
  return { metrics, rows: [...by.values()] };
}

export function PivotTable({ rows, dim, label, testid }) {
  const p = pivot(rows, dim);
  return html`<${Table} testid=${testid} rowKey=${dim} rows=${p.rows}
    cols=${[[dim, label], ...p.metrics.map((m) => [m, t(m), (r) => fmtNum(r[m] ?? 0)])]} />`;
}

/** Active listings by category and by source: counts from /api/v1/indicators (total of a 1-row page). */
function useListingCounts(role) {
  const [state, setState] = useState(null);
  useEffect(() => {
    if (!can(role, 'readIndicators')) return;
    let live = true;
    (async () => {
      const count = (q) => api('/api/v1/indicators', { query: { status: 'active', limit: 1, ...q } }).then((r) => r.total);
      const sources = await api('/api/v1/sources');
      const [all, cats, srcs] = await Promise.all([
        count({}),
        Promise.all(CATEGORIES.map(async (c) => ({ category: c, value: await count({ category: c }) }))),
        Promise.all(sources.map(async (s) => ({ source: s.name, value: await count({ source: s.name }) }))),
      ]);
      if (live) setState({ all, cats: cats.filter((c) => c.value > 0), srcs: srcs.filter((s) => s.value > 0) });
    })().catch(() => live && setState({ error: true }));
    return () => {
      live = false;
    };
  }, [role]);
  return state;
}

export function Overview({ role }) {
  const [month, setMonth] = useState('');
  const rep = useApi('/api/v1/reports/monthly', { month: month || undefined });
  const listings = useListingCounts(role);
  return html`<div class="toolbar">
      <${Field} label=${t('month')}><input type="month" value=${month || rep.data?.month || ''} onChange=${(e) => e.currentTarget.value && setMonth(e.currentTarget.value)} /></${Field}>
    </div>
    <${Loading} state=${rep}>${() => {
      const r = rep.data;
      const months = [...new Set(r.trend.map((x) => x.month))].sort();
      const days = [...new Set(r.daily.map((x) => x.day))].sort();
      const series = (rows, keys, key, metrics) =>
        metrics.map((m) => ({ label: t(m), values: keys.map((k) => rows.find((x) => x[key] === k && x.metric === m)?.value ?? 0) }));
      return html`
        <div class="stats" data-testid="stats">
          ${HEADLINE.map((m) => html`<${Stat} testid=${`stat-${m}`} label=${t(m)} value=${fmtNum(r.totals[m] ?? 0)} />`)}
          <${Stat} label=${t('casesOpen')} value=${fmtNum(r.remediation.open)} />
          <${Stat} label=${t('medianRemediation')} value=${r.remediation.medianHours === null ? '—' : `${fmtNum(r.remediation.medianHours)} ${t('hours')}`} />
          <${Stat} label=${t('remediationRate')} value=${r.remediation.rate === null ? '—' : `${Math.round(r.remediation.rate * 100)}%`} />
          ${listings && !listings.error ? html`<${Stat} testid="stat-active" label=${t('activeListings')} value=${fmtNum(listings.all)} />` : null}
        </div>
        <div class="grid2">
          <${Section} id="s-trend" title=${t('trend')}>
            ${months.length ? html`<${Chart} title=${t('trend')} labels=${months} series=${series(r.trend, months, 'month', ['indicators-listed', 'warnings-shown', 'c2-blocked', 'subscribers-notified'])} />` : html`<p class="muted">${t('none')}</p>`}
          </${Section}>
          <${Section} id="s-daily" title=${`${t('daily')} (${r.month})`}>
            ${days.length ? html`<${Chart} title=${t('daily')} labels=${days.map((d) => d.slice(5))} series=${series(r.daily, days, 'day', ['indicators-listed', 'warnings-shown', 'c2-blocked', 'cases-opened'])} />` : html`<p class="muted">${t('none')}</p>`}
          </${Section}>
        </div>
        <div class="grid2">
          <${Section} id="s-measure" title=${t('byMeasure')}><${PivotTable} rows=${r.byMeasure} dim="measure" label=${t('measure')} /></${Section}>
          <${Section} id="s-family" title=${t('byFamily')}><${PivotTable} rows=${r.byFamily} dim="family" label=${t('family')} /></${Section}>
          <${Section} id="s-cat" title=${t('byCategory')}>
            ${listings?.cats?.length
              ? html`<${Chart} title=${t('activeListings')} labels=${listings.cats.map((c) => c.category)} series=${[{ label: t('activeListings'), values: listings.cats.map((c) => c.value) }]} height=${180} />`
              : null}
            <${PivotTable} rows=${r.byCategory} dim="category" label=${t('category')} />
          </${Section}>
          <${Section} id="s-src" title=${`${t('bySource')} — ${t('activeListings')}`}>
            ${listings?.srcs ? html`<${Table} rowKey="source" rows=${listings.srcs} cols=${[['source', t('source')], ['value', t('value'), (x) => fmtNum(x.value)]]} />` : html`<p class="muted">${can(role, 'readIndicators') ? t('loading') : t('roleCannot')}</p>`}
          </${Section}>
        </div>`;
    }}</${Loading}>`;
}
