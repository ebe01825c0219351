import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBox, Field, Loading, Section, Table, useApi } from '../components.js';
import { html } from '../html.js';
import { fmtNum, t } from '../i18n.js';

export function Audit() {
  const [f, setF] = useState({ actor: '', action: '', measure: '', subject: '', since: '', until: '' });
  const [applied, setApplied] = useState({});
  const [before, setBefore] = useState(undefined);
  const [verify, setVerify] = useState(null);
  const [error, setError] = useState(null);
  const q = { ...applied, before, limit: 50 };
  const log = useApi('/api/v1/audit', q);
  const iso = (v) => (v ? new Date(v).toISOString() : undefined);
  const text = (k) => html`<${Field} label=${t(k)}><input value=${f[k]} onInput=${(e) => setF({ ...f, [k]: e.currentTarget.value })} /></${Field}>`;
  return html`<${Section} id="verify" title=${t('verifyChain')}>
      <button type="button" class="primary" data-testid="verify" onClick=${async () => {
        setError(null);
        try {
          setVerify(await api('/api/v1/audit/verify', { method: 'POST' }));
        } catch (e) {
          setError(e);
        }
      }}>${t('verifyChain')}</button>
      <${ErrorBox} error=${error} />
      ${verify
        ? html`<p role="status" data-testid="verify-result" class=${verify.ok ? 'ok' : 'error'}>
            ${verify.ok ? t('chainOk') : t('chainBroken')} — ${t('checked')}: ${fmtNum(verify.checked)}
            ${verify.firstBroken ? html` (#${typeof verify.firstBroken === 'object' ? JSON.stringify(verify.firstBroken) : verify.firstBroken})` : null}
          </p>`
        : null}
    </${Section}>
    <${Section} id="log" title=${t('audit')}>
      <form class="toolbar" onSubmit=${(e) => {
        e.preventDefault();
        setBefore(undefined);
        setApplied({ actor: f.actor, action: f.action, measure: f.measure, subject: f.subject, since: iso(f.since), until: iso(f.until) });
      }}>
        ${text('actor')} ${text('action')} ${text('measure')}
        <${Field} label=${t('since')}><input type="datetime-local" value=${f.since} onInput=${(e) => setF({ ...f, since: e.currentTarget.value })} /></${Field}>
        <${Field} label=${t('until')}><input type="datetime-local" value=${f.until} onInput=${(e) => setF({ ...f, until: e.currentTarget.value })} /></${Field}>
        <button type="submit" class="primary">${t('filter')}</button>
      </form>
      <${Loading} state=${log}>${() => html`<${Table} testid="audit" rowKey="seq" rows=${log.data.records} cols=${[
        ['seq', '#'],
        ['at', t('at')],
        ['actor', t('actor')],
        ['action', t('action')],
        ['outcome', t('outcome')],
        ['measure', t('measure')],
        ['legalBasis', t('legalBasis')],
        ['subject', t('subject')],
      ]} />
      <div class="pager">
        <button type="button" disabled=${!before} onClick=${() => setBefore(undefined)}>${t('prev')}</button>
        <button type="button" disabled=${!log.data.next_before} onClick=${() => setBefore(log.data.next_before)}>${t('next')}</button>
      </div>`}</${Loading}>
    </${Section}>`;
}
