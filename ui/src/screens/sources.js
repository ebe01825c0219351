import { useState } from 'preact/hooks';
import { api, can } from '../api.js';
import { Loading, Section, Table, useApi } from '../components.js';
import { html } from '../html.js';
import { fmtDate, t } from '../i18n.js';
import { useAction } from './indicators.js';

// sources.health: `pull` from the scheduled collector (src/pipeline/collectors/health.ts) and
// `last_import*` from every import (file, API or pull).
function health(h) {
  const pull = h?.pull ?? {};
  const last = h?.last_import ?? null;
  const error = pull.last_result === 'failed' ? `${pull.last_error ?? 'failed'} (${pull.failures ?? 1}×)` : null;
  return {
    at: pull.last_attempt_at ?? h?.last_import_at ?? null,
    result: pull.last_result ?? null,
    error,
    counts: last ? Object.entries(last).filter(([k]) => k !== 'format').map(([k, v]) => `${k} ${v}`).join(' · ') : null,
  };
}

function Reliability({ s, write, onSave }) {
  const [v, setV] = useState(String(s.reliability));
  if (!write) return String(s.reliability);
  return html`<form class="inline" onSubmit=${(e) => {
    e.preventDefault();
    onSave(Number(v));
  }}>
    <input type="number" min="0" max="1" step="0.05" value=${v} aria-label=${`${t('reliability')} ${s.name}`} onInput=${(e) => setV(e.currentTarget.value)} />
    <button type="submit">${t('save')}</button>
  </form>`;
}

export function Sources({ role }) {
  const l = useApi('/api/v1/sources');
  const act = useAction();
  const write = can(role, 'writeIndicators');
  const patch = async (id, body) => {
    await act.run(() => api(`/api/v1/sources/${id}`, { method: 'PATCH', body }), t('saved'));
    l.reload();
  };
  return html`<${Section} id="sources" title=${t('sources')}>
    ${act.view}
    <${Loading} state=${l}>${() => html`<${Table} testid="sources" rows=${l.data} cols=${[
      ['name', t('name')],
      ['kind', t('kind')],
      ['format', t('format')],
      ['enabled', t('status'), (s) => html`<span class=${s.enabled ? 'pill ok' : 'pill off'}>${s.enabled ? t('enabled') : t('disabled')}</span>`],
      ['reliability', t('reliability'), (s) => html`<${Reliability} s=${s} write=${write} onSave=${(r) => patch(s.id, { reliability: r })} />`],
      ['last', t('lastPull'), (s) => html`${fmtDate(health(s.health).at)}${health(s.health).result ? html` <span class="muted">(${health(s.health).result})</span>` : null}`],
      ['counts', t('counts'), (s) => health(s.health).counts ?? '—'],
      ['errors', t('errors'), (s) => (health(s.health).error ? html`<span class="bad">${health(s.health).error}</span>` : '—')],
      ...(write
        ? [['toggle', t('action'), (s) => html`<button type="button" onClick=${() => patch(s.id, { enabled: !s.enabled })}>${s.enabled ? t('disable') : t('enable')}</button>`]]
        : []),
    ]} />`}</${Loading}>
  </${Section}>`;
}
