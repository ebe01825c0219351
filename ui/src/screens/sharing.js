import { can } from '../api.js';
import { Loading, Section, Table, useApi } from '../components.js';
import { html } from '../html.js';
import { t } from '../i18n.js';

/** Drops secrets and long blobs from a row before it is shown in a generic table. */
function clean(rows) {
  return (rows ?? []).map((r) => {
    const o = {};
    for (const [k, v] of Object.entries(r)) if (!/password|secret|hash|token/i.test(k)) o[k] = v;
    return o;
  });
}

export function Sharing({ role }) {
  const cols = useApi('/api/v1/sharing/collections');
  const partners = useApi('/api/v1/sharing/partners');
  const orgs = useApi(can(role, 'readOrgs') ? '/api/v1/sharing/orgs' : null);
  return html`<${Section} id="collections" title=${t('collections')}>
      <${Loading} state=${cols}>${() => html`<${Table} testid="collections" rows=${clean(cols.data)} />`}</${Loading}>
    </${Section}>
    <${Section} id="partners" title=${`${t('partners')} — ${t('lastSync')}`}>
      <${Loading} state=${partners}>${() => html`<${Table} testid="partners" rows=${clean(partners.data)} />`}</${Loading}>
    </${Section}>
    <${Section} id="orgs" title=${t('members')}>
      ${can(role, 'readOrgs')
        ? html`<${Loading} state=${orgs}>${() => html`<${Table} testid="orgs" rows=${clean(orgs.data)} />`}</${Loading}>`
        : html`<p class="muted">${t('roleCannot')}</p>`}
    </${Section}>`;
}
