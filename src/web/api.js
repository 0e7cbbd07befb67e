// The API with the browser session's token: one fetch wrapper, errors as ApiError with the
// controller's own message. A 401 asks the page for a token (the 'vmafx-auth' event).
const KEY = 'vmafx.token';

export const token = () => sessionStorage.getItem(KEY) || '';
export function setToken(t) {
  if (t) sessionStorage.setItem(KEY, t);
  else sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

export function authHeaders(extra = {}) {
  const h = { ...extra };
  if (token()) h.Authorization = 'Bearer ' + token();
  return h;
}

// The raw response (any status but 401, which also raises the auth event).
export async function request(path, { method = 'GET', body, signal, headers } = {}) {
  const h = authHeaders(headers);
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const r = await fetch(path, { method, headers: h, signal, cache: 'no-store',
                                body: body === undefined ? undefined : JSON.stringify(body) });
  if (r.status === 401) {
    window.dispatchEvent(new CustomEvent('vmafx-auth', { detail: token() ? 'the token was refused' : '' }));
    throw new ApiError(401, token() ? 'the token was refused (401)' : 'this controller needs a token');
  }
  return r;
}

async function failure(r) {
  let msg = `HTTP ${r.status}`, field;
  try {
    const j = await r.json();
    msg = j.error || msg;
    field = j.field;
  } catch { /* not JSON */ }
  return new ApiError(r.status, msg, field);
}

// JSON of a 2xx answer, or ApiError.
export async function api(path, opts) {
  const r = await request(path, opts);
  if (!r.ok) throw await failure(r);
  return r.status === 204 ? null : r.json();
}

// A report in any format, as a Blob (downloads).
export async function blob(path) {
  const r = await request(path);
  if (!r.ok) throw await failure(r);
  return r.blob();
}

export const jobPath = id => '/v1/jobs/' + encodeURIComponent(id);

// A completed job's per-frame columns ({x, names, values}), fetched and parsed in a worker
// (frames_worker.js).
export function frameColumns(id, timing = {}) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./frames_worker.js', import.meta.url), { type: 'module' });
    w.onmessage = e => {
      w.terminate();
      const m = e.data;
      if (m.status === 200) {
        timing.fetch_ms = m.fetch_ms;
        timing.parse_ms = m.parse_ms;
        resolve(m.cols);
        return;
      }
      if (m.status === 401) window.dispatchEvent(new CustomEvent('vmafx-auth', { detail: 'the token was refused' }));
      reject(new ApiError(m.status, m.error));
    };
    w.onerror = e => { w.terminate(); reject(new Error(`the report worker failed: ${e.message}`)); };
    w.postMessage({ url: `${jobPath(id)}/frames?format=csv`, token: token() });
  });
}
