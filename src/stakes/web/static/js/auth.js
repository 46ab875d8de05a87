// Sign-in: a token form shown when the API answers 401, when no token is stored and reads are
// not open, or when a write needs a token. Shows who is signed in.
import { h, replace } from './dom.js';
import { api, getToken, setToken, setAuthHandler, health, ApiError } from './api.js';

let userBox = null;
let pending = null;   // one sign-in form at a time; every waiting request shares it
let onSignedIn = () => {};

export function initAuth(box, signedInCallback) {
  userBox = box;
  onSignedIn = signedInCallback || (() => {});
  setAuthHandler((reason) => askToken(reason));
}

/** Show the sign-in form; resolves true once a working token is stored, false if cancelled. */
export function askToken(reason, { cancellable = true } = {}) {
  if (pending) return pending.promise;
  let resolve;
  const promise = new Promise((r) => { resolve = r; });
  const input = h('input', {
    type: 'password', id: 'token-input', name: 'token', autocomplete: 'current-password',
    'data-testid': 'token-input', placeholder: 'paste your token', required: true,
  });
  const status = h('p', { class: 'signin-status', 'data-testid': 'signin-status' });
  const done = (ok) => {
    overlay.remove();
    pending = null;
    resolve(ok);
  };
  const form = h('form', {
    class: 'signin-form', 'data-testid': 'signin-form',
    onSubmit: async (ev) => {
      ev.preventDefault();
      const token = input.value.trim();
      if (!token) return;
      const old = getToken();
      setToken(token);
      try {
        const who = await fetch('/api/whoami', { headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' } });
        if (who.status === 401) {
          setToken(old);
          replace(status, 'That token was not accepted. Check it and try again.');
          status.classList.add('error-text');
          input.select();
          return;
        }
      } catch { /* offline: keep the token, the next request will tell */ }
      done(true);
      refreshUser();
    },
  },
  h('h2', {}, 'Sign in'),
  h('p', { class: 'muted' }, reason || 'Paste the token you were given (stakes serve --create-token NAME).'),
  h('label', { class: 'field', for: 'token-input' }, h('span', { class: 'field-label' }, 'Token'), input),
  status,
  h('div', { class: 'actions' },
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'sign-in' }, 'Sign in'),
    cancellable ? h('button', { type: 'button', 'data-testid': 'sign-in-cancel', onClick: () => done(false) }, 'Cancel') : null));
  const overlay = h('div', { class: 'overlay', 'data-testid': 'signin' }, form);
  document.body.appendChild(overlay);
  pending = { promise };
  setTimeout(() => input.focus(), 0);
  return promise;
}

export function signOut() {
  setToken('');
  refreshUser();
  location.reload();
}

/** Update the "signed in as" box in the header. */
export async function refreshUser() {
  if (!userBox) return;
  if (!getToken()) {
    replace(userBox,
      h('span', { class: 'muted', 'data-testid': 'whoami' }, 'not signed in'), ' ',
      h('button', { type: 'button', class: 'link-button', 'data-testid': 'open-sign-in',
        onClick: () => askToken().then((ok) => ok && onSignedIn()) }, 'sign in'));
    return;
  }
  try {
    const who = await api.get('/api/whoami');
    replace(userBox,
      h('span', { class: 'muted' }, 'signed in as '), h('strong', { 'data-testid': 'whoami' }, who.name ?? '?'), ' ',
      h('button', { type: 'button', class: 'link-button', 'data-testid': 'sign-out', onClick: signOut }, 'sign out'));
  } catch (e) {
    replace(userBox, h('span', { class: 'muted', 'data-testid': 'whoami' }, e instanceof ApiError ? 'not signed in' : '?'));
  }
}

/** Before the first view: make sure we can read. Resolves when reads can proceed. */
export async function ensureReadAccess() {
  let info;
  try { info = await health(); } catch { return { reads_open: false, version: '' }; }
  if (!getToken() && !info.reads_open) {
    await askToken('Sign in with your token to use stakes.', { cancellable: false });
  }
  return info;
}
