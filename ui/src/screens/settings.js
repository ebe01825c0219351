import { useState } from 'preact/hooks';
import { api, can } from '../api.js';
import { ErrorBox, Field, Loading, Section, Table, useApi } from '../components.js';
import { html } from '../html.js';
import { lang, t } from '../i18n.js';

// purposes and justifications come as {en, ja}: show the reader's language
const local = (v) => (v && typeof v === 'object' && !Array.isArray(v) ? (v[lang.get()] ?? v.en ?? JSON.stringify(v)) : v);

function Preview() {
  const [id, setId] = useState('');
  const [out, setOut] = useState(null);
  const [error, setError] = useState(null);
  async function load(e) {
    e.preventDefault();
    setError(null);
    try {
      const [ja, en] = await Promise.all(['ja', 'en'].map((lang) => api(`/api/v1/ui/cases/${id}/preview`, { query: { lang } })));
      setOut({ ja, en });
    } catch (err) {
      setError(err);
      setOut(null);
    }
  }
  return html`<${Section} id="preview" title=${t('templatePreview')}>
    <p class="muted">${t('auditedAccess')}</p>
    <form class="toolbar" onSubmit=${load}>
      <${Field} label=${t('caseId')}><input type="number" min="1" required value=${id} onInput=${(e) => setId(e.currentTarget.value)} /></${Field}>
      <button type="submit" class="primary">${t('preview')}</button>
    </form>
    <${ErrorBox} error=${error} />
    ${out
      ? html`<div class="grid2" data-testid="preview">
          ${['ja', 'en'].map((l) => html`<article class="notice-preview" lang=${l}>
            <h3>${l === 'ja' ? t('japanese') : t('english')} — ${out[l].template} (stage ${out[l].stage})</h3>
            <p><strong>${out[l].subject}</strong></p>
            <pre>${out[l].text}</pre>
          </article>`)}
        </div>`
      : null}
  </${Section}>`;
}

export function Settings({ role }) {
  const m = useApi('/api/v1/measures');
  const s = useApi('/api/v1/ui/settings');
  const labels = {
    schedule: 'cron',
    observe_days: 'observe_days',
    final_after_days: 'final_after_days',
    walled_garden: 'walled_garden',
    walled_garden_after_days: 'walled_garden_after_days',
    resolve_after_days: 'resolve_after_days',
    watch_days: 'watch_days',
    channels: 'channels',
  };
  return html`<${Section} id="measures" title=${t('measures')}>
      ${role !== 'admin' ? html`<p class="muted">${t('readOnly')}</p>` : null}
      <${Loading} state=${m}>${() => html`<${Table} testid="measures" rowKey="name" rows=${m.data} cols=${[
        ['name', t('measure')],
        ['legal_basis', t('legalBasis')],
        ['purpose', t('purpose'), (r) => local(r.purpose)],
        ['data', t('data')],
        ['retention_days', t('retention')],
        ['enabled', t('enabled')],
        ['default_consent', t('consent')],
      ]} />`}</${Loading}>
    </${Section}>
    <${Section} id="escalation" title=${t('escalation')}>
      <${Loading} state=${s}>${() => html`<dl class="kv">
        ${Object.entries(s.data.escalation).map(([k, v]) => html`<dt>${labels[k] ?? k}</dt><dd>${Array.isArray(v) ? v.join(', ') : String(v)}</dd>`)}
      </dl>`}</${Loading}>
    </${Section}>
    ${can(role, 'actOnCase') ? html`<${Preview} />` : null}`;
}
