// The one place that talks to the API: adds the bearer token, turns error bodies into messages.
const KEY = 'yojin.session';

export function loadSession() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
  } catch {
    return null;
  }
}
export function saveSession(s) {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export async function api(path, { method = 'GET', body, query, raw, contentType } = {}) {
  const s = loadSession();
  const headers = {};
  if (s?.token) headers.authorization = `Bearer ${s.token}`;
  let payload;
  if (body !== undefined) {
    if (contentType) {
      headers['content-type'] = contentType;
      payload = body;
    } else {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
  }
  let url = path;
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    const qs = q.toString();
    if (qs) url += `?${qs}`;
  }
  const res = await fetch(url, { method, headers, body: payload });
  if (!res.ok) {
    let code = `HTTP_${res.status}`;
    let message = res.statusText;
    try {
      const e = await res.json();
      code = e.code ?? e.error?.code ?? code;
      message = e.message ?? e.error?.message ?? message;
    } catch {}
    if (res.status === 401 && path !== '/api/v1/auth/login') onUnauthorized();
    throw new ApiError(res.status, code, message);
  }
  if (raw) return res;
  const ct = res.headers.get('content-type') ?? '';
  return ct.includes('json') ? res.json() : res.text();
}

/** Roles the API allows per capability (admin always); screens hide what the role cannot do. */
export const CAN = {
  readIndicators: ['analyst', 'operator', 'auditor'],
  writeIndicators: ['analyst'],
  readCases: ['operator', 'analyst', 'auditor'],
  openCase: ['operator', 'auditor'],
  actOnCase: ['operator'],
  readNotices: ['operator', 'auditor'],
  readSharing: ['analyst', 'operator'],
  readOrgs: ['analyst'],
  readAudit: ['auditor'],
  admin: [],
};
export function can(role, what) {
  return role === 'admin' || (CAN[what] ?? []).includes(role);
}
