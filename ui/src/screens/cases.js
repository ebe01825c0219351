import { useState } from 'preact/hooks';
import { api, can } from '../api.js';
import { Field, Loading, Section, Stat, Table, useApi } from '../components.js';
import { html } from '../html.js';
import { fmtNum, t } from '../i18n.js';
import { useAction } from './indicators.js';

const STATES = ['open', 'watching', 'held', 'resolved', 'closed'];

function CaseDetail({ id, role, onClose, onChanged }) {
  const d = useApi(`/api/v1/cases/${id}`);
  const act = useAction();
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const ops = can(role, 'actOnCase');
  const post = async (op, body) => {
    await act.run(() => api(`/api/v1/cases/${id}/${op}`, { method: 'POST', body }));
    d.reload();
    onChanged();
  };
  return html`<${Section} id="case-detail" title=${`${t('detail')} #${id}`}>
    <button type="button" class="close" onClick=${onClose}>${t('close')}</button>
    ${act.view}
    <${Loading} state=${d}>${() => {
      const c = d.data.case;
      const closed = c.state === 'closed' || c.state === 'resolved';
      return html`<dl class="kv">
          <dt>${t('state')}</dt><dd data-testid="case-state"><span class=${`pill ${c.state}`}>${c.state}</span></dd>
          <dt>${t('measure')}</dt><dd>${c.measure} <span class="muted">(${c.legal_basis})</span></dd>
          <dt>${t('subscriber')}</dt><dd>${c.subscriber_id ?? c.site ?? '—'}</dd>
          <dt>${t('family')}</dt><dd>${c.family ?? '—'}</dd>
          <dt>${t('stage')}</dt><dd>${c.stage}</dd>
        </dl>
        ${ops
          ? html`<div class="toolbar">
              <${Field} label=${t('reason')}><input value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} /></${Field}>
              ${c.state === 'held'
                ? html`<button type="button" onClick=${() => post('release')}>${t('release')}</button>`
                : html`<button type="button" disabled=${closed} onClick=${() => post('hold', { reason })}>${t('hold')}</button>`}
              <button type="button" class="danger" disabled=${closed} onClick=${() => post('close', reason ? { reason } : {})}>${t('closeCase')}</button>
            </div>`
          : null}
        <h3>${t('evidence')}</h3>
        <${Table} rows=${d.data.evidence} cols=${[['seen_at', t('at')], ['addr', 'IP'], ['port', t('port')], ['kind', t('kind')], ['family', t('family')], ['source', t('source')], ['duplicate', t('duplicate')]]} />
        <h3>${t('notices')}</h3>
        <${Table} rows=${d.data.notices} cols=${[['stage', t('stage')], ['channel', t('channel')], ['status', t('delivery')], ['attempts', '#'], ['sent_at', t('at')], ['last_error', t('errors')], ['bounce_reason', t('bounce')]]} />
        <h3>${t('notes')}</h3>
        <${Table} rows=${c.notes ?? []} rowKey="at" cols=${[['at', t('at')], ['actor', t('actor')], ['text', t('note')]]} />
        ${ops
          ? html`<form class="toolbar" onSubmit=${async (e) => {
              e.preventDefault();
              await post('notes', { text: note });
              setNote('');
            }}>
              <${Field} label=${t('note')}><input required value=${note} onInput=${(e) => setNote(e.currentTarget.value)} /></${Field}>
              <button type="submit">${t('addNote')}</button>
            </form>`
          : null}`;
    }}</${Loading}>
  </${Section}>`;
}

function Outbox() {
  const o = useApi('/api/v1/outbox');
  return html`<${Section} id="outbox" title=${t('outbox')}>
    <${Loading} state=${o}>${() => html`<div class="stats">
        ${Object.entries(o.data.by_status ?? {}).map(([k, v]) => html`<${Stat} label=${k} value=${fmtNum(v)} />`)}
        <${Stat} label=${t('due')} value=${fmtNum(o.data.due)} />
        <${Stat} label=${t('stuck')} value=${fmtNum(o.data.in_flight_expired)} />
      </div>
      <p class="muted">${Object.entries(o.data.by_channel ?? {}).map(([k, v]) => `${k}: ${typeof v === 'object' && v ? Object.entries(v).map(([st, n]) => `${st} ${n}`).join(', ') : v}`).join(' · ')}</p>`}</${Loading}>
  </${Section}>`;
}

export function Cases({ role }) {
  const [f, setF] = useState({ state: '', measure: '', subscriber: '' });
  const [applied, setApplied] = useState(f);
  const [confirm, setConfirm] = useState(null);
  const [open, setOpen] = useState(null);
  const list = useApi('/api/v1/cases', applied);
  const notices = useApi(can(role, 'readNotices') ? '/api/v1/notices' : null, { limit: 20 });
  const canOpen = can(role, 'openCase');
  return html`<${Section} id="cases" title=${t('cases')}>
      <form class="toolbar" onSubmit=${(e) => {
        e.preventDefault();
        setApplied(f);
      }}>
        <${Field} label=${t('state')}><select value=${f.state} onChange=${(e) => setF({ ...f, state: e.currentTarget.value })}>
          <option value="">${t('any')}</option>${STATES.map((s) => html`<option value=${s}>${s}</option>`)}
        </select></${Field}>
        <${Field} label=${t('measure')}><input value=${f.measure} onInput=${(e) => setF({ ...f, measure: e.currentTarget.value })} /></${Field}>
        <${Field} label=${t('subscriber')}><input value=${f.subscriber} onInput=${(e) => setF({ ...f, subscriber: e.currentTarget.value })} /></${Field}>
        <button type="submit" class="primary">${t('filter')}</button>
      </form>
      <${Loading} state=${list}>${() => html`<${Table} testid="cases" rows=${list.data.cases} cols=${[
        ['id', '#'],
        ['state', t('state'), (c) => html`<span class=${`pill ${c.state}`}>${c.state}</span>`],
        ['measure', t('measure')],
        ['subscriber_id', t('subscriber'), (c) => c.subscriber_id ?? c.site],
        ['family', t('family')],
        ['stage', t('stage')],
        ['opened_at', t('opened')],
        ...(canOpen ? [['open', '', (c) => html`<button type="button" data-testid=${`open-case-${c.id}`} onClick=${() => setConfirm(c.id)}>${t('open')}</button>`]] : []),
      ]} />`}</${Loading}>
      ${confirm
        ? html`<div class="confirm" role="alertdialog" aria-labelledby="confirm-text" data-testid="audit-warning">
            <p id="confirm-text">⚠ ${t('auditedAccess')}</p>
            <button type="button" class="primary" autofocus onClick=${() => {
              setOpen(confirm);
              setConfirm(null);
            }}>${t('openAudited')}</button>
            <button type="button" onClick=${() => setConfirm(null)}>${t('cancel')}</button>
          </div>`
        : null}
    </${Section}>
    ${open ? html`<${CaseDetail} key=${open} id=${open} role=${role} onClose=${() => setOpen(null)} onChanged=${list.reload} />` : null}
    ${can(role, 'readNotices')
      ? html`<div class="grid2">
          <${Outbox} />
          <${Section} id="notices" title=${t('notices')}>
            <${Loading} state=${notices}>${() => html`<${Table} rows=${notices.data.notices} cols=${[['id', '#'], ['case_id', t('caseId')], ['stage', t('stage')], ['channel', t('channel')], ['status', t('delivery')], ['sent_at', t('at')]]} />`}</${Loading}>
          </${Section}>
        </div>`
      : null}`;
}
