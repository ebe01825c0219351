import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, can, loadSession, saveSession, setUnauthorizedHandler } from './api.js';
import { ErrorBox, Field } from './components.js';
import { html } from './html.js';
import { lang, setLang, t } from './i18n.js';
import { Audit } from './screens/audit.js';
import { Cases } from './screens/cases.js';
import { Indicators } from './screens/indicators.js';
import { Overview } from './screens/overview.js';
import { Reports } from './screens/reports.js';
import { Settings } from './screens/settings.js';
import { Sharing } from './screens/sharing.js';
import { Sources } from './screens/sources.js';
import { signal } from './state.js';
import './style.css';

const BASE = '/ui/';
const SCREENS = [
  ['overview', Overview, null],
  ['indicators', Indicators, 'readIndicators'],
  ['sources', Sources, 'readIndicators'],
  ['cases', Cases, 'readCases'],
  ['sharing', Sharing, 'readSharing'],
  ['audit', Audit, 'readAudit'],
  ['settings', Settings, null],
  ['reports', Reports, null],
];

const route = signal(location.pathname);
const session = signal(loadSession());
window.addEventListener('popstate', () => route.set(location.pathname));
setUnauthorizedHandler(() => {
  saveSession(null);
  session.set(null);
});

export function navigate(path) {
  history.pushState(null, '', path);
  route.set(path);
}

function useSignal(s) {
  const [v, setV] = useState(s.get());
  useEffect(() => s.subscribe(setV), [s]);
  return v;
}

function LangSwitch() {
  const l = useSignal(lang);
  return html`<div class="lang" role="group" aria-label=${t('language')}>
    <button type="button" aria-pressed=${l === 'ja'} onClick=${() => setLang('ja')} lang="ja">日本語</button>
    <button type="button" aria-pressed=${l === 'en'} onClick=${() => setLang('en')} lang="en">English</button>
  </div>`;
}

function SignIn() {
  const [mode, setMode] = useState('password');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      let s;
      if (mode === 'password') {
        const r = await api('/api/v1/auth/login', { method: 'POST', body: { username: f.get('username'), password: f.get('password') } });
        s = { token: r.token, name: r.username, role: r.role, expires_at: r.expires_at };
        if (r.language === 'ja' || r.language === 'en') {
          if (!localStorage.getItem('yojin.lang')) setLang(r.language);
        }
      } else {
        saveSession({ token: String(f.get('token')).trim() });
        try {
          const w = await api('/api/v1/whoami');
          s = { token: String(f.get('token')).trim(), name: w.name, role: w.role };
        } catch (err) {
          saveSession(null);
          throw err;
        }
      }
      saveSession(s);
      session.set(s);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return html`<main id="main" class="signin">
    <div class="signin-head"><h1>${t('app')}</h1><${LangSwitch} /></div>
    <p>${t('signInHelp')}</p>
    <div class="tabs" role="group">
      <button type="button" aria-pressed=${mode === 'password'} onClick=${() => setMode('password')}>${t('withPassword')}</button>
      <button type="button" aria-pressed=${mode === 'token'} onClick=${() => setMode('token')}>${t('withToken')}</button>
    </div>
    <form onSubmit=${submit} class="card">
      ${mode === 'password'
        ? html`<${Field} label=${t('username')}><input name="username" autocomplete="username" required /></${Field}>
            <${Field} label=${t('password')}><input name="password" type="password" autocomplete="current-password" required /></${Field}>`
        : html`<${Field} label=${t('token')}><input name="token" type="password" autocomplete="off" required /></${Field}>`}
      <button type="submit" class="primary" disabled=${busy}>${t('signIn')}</button>
      <${ErrorBox} error=${error} />
    </form>
  </main>`;
}

function App() {
  useSignal(lang);
  const s = useSignal(session);
  const path = useSignal(route);
  if (!s) return html`<${SignIn} />`;
  const name = path.startsWith(BASE) ? path.slice(BASE.length).split('/')[0] || 'overview' : 'overview';
  const current = SCREENS.find(([n]) => n === name) ?? SCREENS[0];
  const [, Screen, need] = current;
  function signOut() {
    saveSession(null);
    session.set(null);
  }
  return html`<a class="skip" href="#main">${t('skip')}</a>
    <header class="top">
      <div class="brand">${t('app')}</div>
      <nav aria-label="main">
        <ul>
          ${SCREENS.map(
            ([n, , req]) => html`<li class=${req && !can(s.role, req) ? 'dim' : ''}>
              <a href=${BASE + n} aria-current=${n === current[0] ? 'page' : undefined}
                onClick=${(e) => {
                  e.preventDefault();
                  navigate(BASE + n);
                }}>${t(n)}</a>
            </li>`,
          )}
        </ul>
      </nav>
      <div class="who">
        <span>${t('signedInAs')} <strong data-testid="who">${s.name}</strong> (${s.role})</span>
        <${LangSwitch} />
        <button type="button" onClick=${signOut}>${t('signOut')}</button>
      </div>
    </header>
    <main id="main" tabindex="-1">
      <h1>${t(current[0])}</h1>
      ${need && !can(s.role, need)
        ? html`<div class="error" role="alert">${t('roleCannot')} (${s.role})</div>`
        : html`<${Screen} role=${s.role} key=${current[0]} />`}
    </main>`;
}

if (location.pathname === BASE || location.pathname === '/ui') history.replaceState(null, '', `${BASE}overview`);
route.set(location.pathname);
render(html`<${App} />`, document.getElementById('app'));
