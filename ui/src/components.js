import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api } from './api.js';
import { html } from './html.js';
import { fmtDate, t } from './i18n.js';

/** Loads `path` (re-loads when deps change); returns {data, error, loading, reload}. */
export function useApi(path, query, deps = []) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!path) return setState({ data: null, error: null, loading: false });
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api(path, { query })
      .then((data) => live && setState({ data, error: null, loading: false }))
      .catch((error) => live && setState({ data: null, error, loading: false }));
    return () => {
      live = false;
    };
  }, [path, JSON.stringify(query ?? {}), n, ...deps]);
  return { ...state, reload: () => setN((x) => x + 1) };
}

export function ErrorBox({ error }) {
  if (!error) return null;
  const forbidden = error.status === 403;
  return html`<div class="error" role="alert">
    <strong>${forbidden ? t('forbidden') : t('error')}</strong>
    ${error.code ? html` <code>${error.code}</code>` : null}: ${error.message}
  </div>`;
}

export function Notice({ text }) {
  return text ? html`<div class="ok" role="status">${text}</div>` : null;
}

export function Loading({ state, children }) {
  if (state.error) return html`<${ErrorBox} error=${state.error} />`;
  if (state.loading && !state.data) return html`<p aria-busy="true">${t('loading')}</p>`;
  return children();
}

export function cell(v) {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? '✓' : '✗';
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v)) return fmtDate(v);
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * A table. `cols` is [key, label, render?]; without it the keys of the first row are used, so
 * screens showing what an API returns stay right when the API grows a field.
 */
export function Table({ rows, cols, caption, rowKey = 'id', testid }) {
  if (!rows || rows.length === 0) return html`<p class="muted">${t('none')}</p>`;
  const columns = cols ?? Object.keys(rows[0]).map((k) => [k, k]);
  return html`<div class="table-wrap"><table data-testid=${testid}>
    ${caption ? html`<caption>${caption}</caption>` : null}
    <thead><tr>${columns.map(([, label]) => html`<th scope="col">${label}</th>`)}</tr></thead>
    <tbody>
      ${rows.map(
        (r, i) => html`<tr key=${r[rowKey] ?? i}>
          ${columns.map(([k, , render]) => html`<td>${render ? render(r) : cell(r[k])}</td>`)}
        </tr>`,
      )}
    </tbody>
  </table></div>`;
}

export function Section({ title, children, id }) {
  return html`<section class="card" aria-labelledby=${id}><h2 id=${id}>${title}</h2>${children}</section>`;
}

export function Field({ label, children }) {
  return html`<label class="field"><span>${label}</span>${children}</label>`;
}

export function Stat({ label, value, testid }) {
  return html`<div class="stat" data-testid=${testid}><div class="stat-value">${value}</div><div class="stat-label">${label}</div></div>`;
}

const PALETTE = ['#1f5fbf', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#475569', '#be185d'];

/** A uPlot chart: x labels (strings) and named series; bars for few points, lines otherwise. */
export function Chart({ labels, series, title, height = 220 }) {
  const ref = useRef(null);
  useEffect(() => {
    if (!ref.current) return;
    const width = Math.max(280, ref.current.clientWidth || 600);
    const xs = labels.map((_, i) => i);
    // grouped bars would need per-series offsets; several series are drawn as lines instead
    const bars = labels.length <= 8 && series.length === 1;
    const opts = {
      title,
      width,
      height,
      legend: { live: false },
      scales: {
        // bars sit on whole indices: pad half a step so the first and last are not cut in half
        x: { time: false, range: bars ? [-0.5, labels.length - 0.5] : undefined },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        { values: (_u, ticks) => ticks.map((i) => (Number.isInteger(i) ? (labels[i] ?? '') : '')), stroke: '#222' },
        { stroke: '#222' },
      ],
      series: [
        { label: '' },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 2,
          fill: bars ? `${PALETTE[i % PALETTE.length]}33` : undefined,
          paths: bars ? uPlot.paths.bars({ size: [0.7 / Math.max(1, series.length), 80], align: 0 }) : undefined,
          points: { show: !bars },
        })),
      ],
    };
    const u = new uPlot(opts, [xs, ...series.map((s) => s.values)], ref.current);
    return () => u.destroy();
  }, [JSON.stringify(labels), JSON.stringify(series), title]);
  return html`<figure class="chart"><div ref=${ref} role="img" aria-label=${title}></div></figure>`;
}
