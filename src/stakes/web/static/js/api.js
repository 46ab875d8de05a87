// REST client: every request carries `Authorization: Bearer <token>` when a token is stored.

const TOKEN_KEY = 'stakes-token';

export function getToken() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
}

export function setToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch { /* storage unavailable: the token lasts for this page only */ }
  memoryToken = token || '';
}

let memoryToken = '';
function token() { return getToken() || memoryToken; }

/** An error answer of the API: `detail` is always text, `problems` the 422 list. */
export class ApiError extends Error {
  constructor(status, detail, body) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.body = body || {};
    this.problems = Array.isArray(this.body.problems) ? this.body.problems : [];
  }
}

/** Turn any `detail` (a sentence, or FastAPI's list of validation errors) into text. */
export function detailText(detail, status) {
  if (detail === null || detail === undefined || detail === '') return `The server answered ${status}.`;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => {
      if (d && typeof d === 'object') {
        const loc = Array.isArray(d.loc) ? d.loc.filter((x) => x !== 'body').join('.') : '';
        return (loc ? loc + ': ' : '') + (d.msg ?? JSON.stringify(d));
      }
      return String(d);
    }).join('; ');
  }
  if (typeof detail === 'object') return detail.message ? String(detail.message) : JSON.stringify(detail);
  return String(detail);
}

// Called when a token is needed (401, or a write without a token). Resolves true once the user
// has signed in, false if they gave up. Installed by auth.js.
let authHandler = async () => false;
export function setAuthHandler(fn) { authHandler = fn; }

let healthCache = null;
export async function health(refresh = false) {
  if (!healthCache || refresh) {
    const res = await fetch('/api/health', { headers: { Accept: 'application/json' } });
    if (!res.ok) throw new ApiError(res.status, `The server answered ${res.status} to /api/health.`);
    healthCache = await res.json();
  }
  return healthCache;
}

async function readError(res) {
  let body = {};
  const type = res.headers.get('content-type') || '';
  try {
    if (type.includes('json')) body = await res.json();
    else { const text = await res.text(); body = { detail: text.slice(0, 500) }; }
  } catch { body = {}; }
  if (!body || typeof body !== 'object' || Array.isArray(body)) body = { detail: body };
  return new ApiError(res.status, detailText(body.detail, res.status), body);
}

/**
 * request('GET', '/api/scenarios') → parsed JSON (null for 204).
 * options.raw: return the Response (for downloads). options.signal: an AbortSignal.
 */
export async function request(method, path, body, options = {}) {
  const write = method !== 'GET' && method !== 'HEAD';
  for (let attempt = 0; ; attempt++) {
    if (write && !token()) {
      const ok = await authHandler('A token is needed to save changes.');
      if (!ok) throw new ApiError(401, 'Not signed in: sign in with a token to make changes.');
    }
    const headers = { Accept: 'application/json' };
    if (token()) headers.Authorization = 'Bearer ' + token();
    const init = { method, headers, signal: options.signal };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      throw new ApiError(0, `The server could not be reached (${method} ${path}).`);
    }
    if (res.status === 401 && attempt < 3) {
      const err = await readError(res);
      const ok = await authHandler(token() ? `The token was refused: ${err.detail}` : 'Sign in with your token.');
      if (ok) continue;
      throw err;
    }
    if (!res.ok) throw await readError(res);
    if (options.raw) return res;
    if (res.status === 204) return null;
    const type = res.headers.get('content-type') || '';
    if (type.includes('json')) return res.json();
    return res.text();
  }
}

export const api = {
  get: (path, opts) => request('GET', path, undefined, opts),
  post: (path, body, opts) => request('POST', path, body ?? {}, opts),
  put: (path, body, opts) => request('PUT', path, body, opts),
  patch: (path, body, opts) => request('PATCH', path, body, opts),
  del: (path, opts) => request('DELETE', path, undefined, opts),
};

export const enc = encodeURIComponent;

/**
 * Poll a job until it is done (queued, then running); onProgress(job) on every answer. Polls start
 * every `interval` ms and slow down to every 2 s on long jobs. When the view is left (alive() turns
 * false) the job is cancelled on the server, so nobody's abandoned run holds a worker.
 */
export async function pollJob(jobId, { onProgress, alive = () => true, interval = 300 } = {}) {
  const path = `/api/jobs/${enc(jobId)}`;
  const abandon = () => { api.del(path).catch(() => {}); return cancelled(); };
  for (let wait = interval; ; wait = Math.min(2000, wait * 1.5)) {
    const job = await api.get(path);
    if (!alive()) throw abandon();
    if (onProgress) onProgress(job);
    if (job.status === 'done') return job;
    if (job.status === 'cancelled') throw cancelled(job);
    if (job.status === 'failed') throw new ApiError(500, job.error ? String(job.error) : 'The job failed.', job);
    await new Promise((r) => setTimeout(r, wait));
    if (!alive()) throw abandon();
  }
}

/** Start a job with `start()` (a POST answering {id}), show it on `bar` with a Cancel button, and
 * return the finished job; a cancelled one throws an ApiError with `cancelled` set. */
export async function runJob(start, bar, alive) {
  const job = await start();
  bar.onCancel(() => api.del(`/api/jobs/${enc(job.id)}`).catch(() => {}));
  return pollJob(job.id, { alive, onProgress: (j) => bar.set(j.done, j.total, j.status) });
}

function cancelled(job) {
  const e = new ApiError(0, 'cancelled', job);
  e.cancelled = true;
  return e;
}
