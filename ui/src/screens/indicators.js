import { useState } from 'preact/hooks';
import { api, can } from '../api.js';
import { ErrorBox, Field, Loading, Notice, Section, Table, useApi } from '../components.js';
import { html } from '../html.js';
import { fmtNum, t } from '../i18n.js';
import { CATEGORIES } from './overview.js';

const PAGE = 25;

/** Runs an API action; shows its result or its error (a 403 says what the role lacks). */
export function useAction() {
  const [msg, setMsg] = useState(null);
  const [error, setError] = useState(null);
  async function run(fn, done) {
    setMsg(null);
    setError(null);
    try {
      const r = await fn();
      setMsg(done ?? t('done'));
      return r;
    } catch (e) {
      setError(e);
      return undefined;
    }
  }
  return { run, view: html`<${Notice} text=${msg} /><${ErrorBox} error=${error} />` };
}

function Detail({ id, role, onClose, onChanged }) {
  const d = useApi(`/api/v1/indicators/${id}`);
  const act = useAction();
  const [reason, setReason] = useState('');
  const write = can(role, 'writeIndicators');
  async function change(op) {
    await act.run(() => api(`/api/v1/indicators/${id}/${op}`, { method: 'POST', body: { reason: reason || op } }));
    d.reload();
    onChanged();
  }
  return html`<${Section} id="ind-detail" title=${`${t('detail')} #${id}`}>
    <button type="button" class="close" onClick=${onClose}>${t('close')}</button>
    <${Loading} state=${d}>${() => {
      const i = d.data;
      return html`<dl class="kv" data-testid="indicator-detail">
          <dt>${t('value_')}</dt><dd><code>${i.value}</code></dd>
          <dt>${t('kind')}</dt><dd>${i.kind}</dd>
          <dt>${t('category')}</dt><dd>${i.category}</dd>
          <dt>${t('status')}</dt><dd data-testid="indicator-status">${i.status}</dd>
          <dt>${t('scope')}</dt><dd>${i.scope}</dd>
          <dt>${t('scopeReason')}</dt><dd data-testid="scope-reason">${i.scope_reason ?? '—'}</dd>
          <dt>${t('confidence')}</dt><dd>${i.confidence}</dd>
          <dt>${t('sources')}</dt><dd>${(i.sources ?? []).join(', ')}</dd>
        </dl>
        ${write
          ? html`<div class="toolbar">
              <${Field} label=${t('reason')}><input value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} /></${Field}>
              ${i.status === 'delisted'
                ? html`<button type="button" onClick=${() => change('relist')}>${t('relist')}</button>`
                : html`<button type="button" class="danger" onClick=${() => change('delist')}>${t('delist')}</button>`}
            </div>`
          : null}
        ${act.view}
        <h3>${t('observations')}</h3>
        <${Table} rows=${i.observations} rowKey="source" cols=${[['source', t('source')], ['reliability', t('reliability')], ['category', t('category')], ['first_seen', t('firstSeen')], ['last_seen', t('lastSeen')], ['times_seen', '#']]} />
        <h3>${t('history')}</h3>
        <${Table} rows=${i.history} rowKey="at" cols=${[['at', t('at')], ['actor', t('actor')], ['action', t('action')], ['from_status', '→'], ['to_status', t('status')], ['reason', t('reason')]]} />
        <h3>${t('changes')}</h3>
        <${Table} rows=${i.changes} rowKey="serial" cols=${[['serial', '#'], ['at', t('at')], ['op', t('action')]]} />`;
    }}</${Loading}>
  </${Section}>`;
}

function Search({ role }) {
  const [f, setF] = useState({ q: '', kind: '', category: '', status: '', scope: '', source: '' });
  const [applied, setApplied] = useState(f);
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState(null);
  const list = useApi('/api/v1/indicators', { ...applied, limit: PAGE, offset });
  const sel = (k, opts) => html`<${Field} label=${t(k)}>
    <select value=${f[k]} onChange=${(e) => setF({ ...f, [k]: e.currentTarget.value })}>
      <option value="">${t('any')}</option>${opts.map((o) => html`<option value=${o}>${o}</option>`)}
    </select></${Field}>`;
  return html`<${Section} id="ind-search" title=${t('search')}>
    <form class="toolbar" role="search" onSubmit=${(e) => {
      e.preventDefault();
      setOffset(0);
      setApplied(f);
    }}>
      <${Field} label=${t('value_')}><input name="q" value=${f.q} onInput=${(e) => setF({ ...f, q: e.currentTarget.value })} /></${Field}>
      ${sel('kind', ['url', 'domain', 'ip', 'cidr'])}
      ${sel('category', CATEGORIES)}
      ${sel('status', ['active', 'expired', 'allowlisted', 'delisted'])}
      ${sel('scope', ['url', 'host', 'domain', 'address'])}
      <${Field} label=${t('source')}><input value=${f.source} onInput=${(e) => setF({ ...f, source: e.currentTarget.value })} /></${Field}>
      <button type="submit" class="primary">${t('search')}</button>
    </form>
    <${Loading} state=${list}>${() => html`
      <p class="muted" data-testid="ind-total">${fmtNum(list.data.total)} ${t('total')}</p>
      <${Table} testid="indicators" rows=${list.data.items} cols=${[
        ['value', t('value_'), (r) => html`<button type="button" class="link" onClick=${() => setOpen(r.id)}>${r.value}</button>`],
        ['kind', t('kind')],
        ['category', t('category')],
        ['status', t('status')],
        ['scope', t('scope')],
        ['confidence', t('confidence')],
        ['sources', t('sources')],
        ['last_seen', t('lastSeen')],
      ]} />
      <div class="pager">
        <button type="button" disabled=${offset === 0} onClick=${() => setOffset(Math.max(0, offset - PAGE))}>${t('prev')}</button>
        <button type="button" disabled=${offset + PAGE >= list.data.total} onClick=${() => setOffset(offset + PAGE)}>${t('next')}</button>
      </div>`}</${Loading}>
    ${open ? html`<${Detail} id=${open} role=${role} onClose=${() => setOpen(null)} onChanged=${list.reload} />` : null}
  </${Section}>`;
}

function FpQueue({ role }) {
  const q = useApi('/api/v1/fp-reports', { status: 'pending' });
  const act = useAction();
  const [notes, setNotes] = useState({});
  const write = can(role, 'writeIndicators');
  async function review(id, decision) {
    await act.run(() => api(`/api/v1/fp-reports/${id}/review`, { method: 'POST', body: { decision, note: notes[id] || decision } }));
    q.reload();
  }
  return html`<${Section} id="fp" title=${t('fpQueue')}>
    ${act.view}
    <${Loading} state=${q}>${() => html`<${Table} testid="fp-queue" rows=${q.data} cols=${[
      ['id', '#'],
      ['value', t('value_')],
      ['indicator_id', t('indicators')],
      ['reason', t('reason')],
      ['created_at', t('at')],
      ...(write
        ? [['review', t('action'), (r) => html`<div class="row-actions">
            <input aria-label=${`${t('note')} #${r.id}`} placeholder=${t('note')} value=${notes[r.id] ?? ''} onInput=${(e) => setNotes({ ...notes, [r.id]: e.currentTarget.value })} />
            <button type="button" data-testid=${`accept-${r.id}`} onClick=${() => review(r.id, 'accept')}>${t('accept')}</button>
            <button type="button" onClick=${() => review(r.id, 'reject')}>${t('reject')}</button>
          </div>`]]
        : []),
    ]} />`}</${Loading}>
  </${Section}>`;
}

function Allowlist({ role }) {
  const l = useApi('/api/v1/allowlist');
  const act = useAction();
  const [f, setF] = useState({ kind: 'domain', value: '', reason: '' });
  const write = can(role, 'writeIndicators');
  return html`<${Section} id="allow" title=${t('allowlist')}>
    ${write
      ? html`<form class="toolbar" onSubmit=${async (e) => {
          e.preventDefault();
          await act.run(() => api('/api/v1/allowlist', { method: 'POST', body: f }));
          l.reload();
        }}>
          <${Field} label=${t('kind')}><select value=${f.kind} onChange=${(e) => setF({ ...f, kind: e.currentTarget.value })}>
            <option value="domain">domain</option><option value="registrable">registrable</option><option value="url">url</option>
          </select></${Field}>
          <${Field} label=${t('value_')}><input required value=${f.value} onInput=${(e) => setF({ ...f, value: e.currentTarget.value })} /></${Field}>
          <${Field} label=${t('reason')}><input required value=${f.reason} onInput=${(e) => setF({ ...f, reason: e.currentTarget.value })} /></${Field}>
          <button type="submit">${t('add')}</button>
        </form>`
      : null}
    ${act.view}
    <${Loading} state=${l}>${() => html`<${Table} rows=${l.data} cols=${[
      ['kind', t('kind')],
      ['value', t('value_')],
      ['reason', t('reason')],
      ...(write
        ? [['x', '', (r) => html`<button type="button" onClick=${async () => {
            await act.run(() => api(`/api/v1/allowlist/${r.id}`, { method: 'DELETE' }));
            l.reload();
          }}>${t('remove')}</button>`]]
        : []),
    ]} />`}</${Loading}>
  </${Section}>`;
}

function Manual() {
  const [format, setFormat] = useState('plain-domains');
  const [text, setText] = useState('');
  const act = useAction();
  return html`<${Section} id="manual" title=${t('manualListing')}>
    <p class="muted">${t('manualHelp')}</p>
    <form onSubmit=${async (e) => {
      e.preventDefault();
      const r = await act.run(() =>
        api('/api/v1/import', { method: 'POST', query: { format, source: 'analyst' }, body: `${text.trim()}\n`, contentType: 'text/plain' }),
      );
      if (r) setText('');
    }}>
      <${Field} label=${t('format')}><select value=${format} onChange=${(e) => setFormat(e.currentTarget.value)}>
        <option value="plain-domains">${t('domains')}</option><option value="plain-urls">${t('urls')}</option>
      </select></${Field}>
      <${Field} label=${t('value_')}><textarea rows="3" required value=${text} onInput=${(e) => setText(e.currentTarget.value)}></textarea></${Field}>
      <button type="submit" class="primary">${t('submit')}</button>
    </form>
    ${act.view}
  </${Section}>`;
}

export function Indicators({ role }) {
  const write = can(role, 'writeIndicators');
  return html`<${Search} role=${role} />
    <div class="grid2">
      <${FpQueue} role=${role} />
      <${Allowlist} role=${role} />
    </div>
    ${write ? html`<${Manual} />` : null}`;
}
