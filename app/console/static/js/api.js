// The admin JSON API, called with the session cookie (sent by the browser, unreadable here)
// and the CSRF token (kept in this module's memory only) on every change.
import { t } from './i18n.js';

let csrfToken = null;
let onSignedOut = () => {};

export function setCsrfToken(token) { csrfToken = token; }
export function whenSignedOut(handler) { onSignedOut = handler; }

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error || 'error';
    this.field = body?.field || null;
  }
}

export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!['GET', 'HEAD'].includes(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let resp;
  try {
    resp = await fetch(path, { method, headers, credentials: 'same-origin',
                               body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { error: 'network', detail: t('error.network') });
  }
  if (resp.status === 401 && !path.startsWith('/console/session')) onSignedOut();
  if (resp.status === 204) return null;
  const data = await resp.json().catch(() => null);
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

export const get = (path, params) => {
  const query = params ? new URLSearchParams(
    Object.entries(params).filter(([, v]) => v !== '' && v != null)).toString() : '';
  return request('GET', query ? `${path}?${query}` : path);
};
export const post = (path, body) => request('POST', path, body);
export const patch = (path, body) => request('PATCH', path, body);
export const put = (path, body) => request('PUT', path, body);
export const del = (path) => request('DELETE', path);

// Every page of a list endpoint (the console's lists are small: departments, numbers, trunks).
export async function all(path, params = {}) {
  const items = [];
  for (let offset = 0; offset < 5000; offset += 200) {
    const page = await get(path, { ...params, limit: 200, offset });
    items.push(...page.items);
    if (items.length >= page.total || page.items.length === 0) break;
  }
  return items;
}
