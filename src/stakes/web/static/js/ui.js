// Shared bits of the page: the message area, busy indicators, progress bars.
import { h, clear, append } from './dom.js';

let messages = null;
export function initMessages(el) { messages = el; }

/** Show an error (an ApiError or any Error or text) in the visible message area. */
export function showError(err, context) {
  if (!err || err.cancelled) return;
  if (err.name === 'AbortError') return;
  console.debug(context || 'error', err);
  const text = typeof err === 'string' ? err : (err.detail || err.message || String(err));
  const problems = (err && err.problems) || [];
  const box = h('div', { class: 'message message-error', role: 'alert', 'data-testid': 'error' },
    h('button', { class: 'message-close', type: 'button', title: 'Dismiss', 'aria-label': 'Dismiss',
      onClick: () => box.remove() }, '×'),
    context ? h('strong', {}, context + ': ') : null,
    h('span', { class: 'message-text' }, text),
    problems.length ? h('ul', { class: 'problem-list' }, problems.map(problemItem)) : null);
  show(box);
  return box;
}

export function problemItem(p) {
  const where = [p.field, p.actor, p.issue, p.quantity].filter(Boolean).join(' · ');
  return h('li', {}, where ? h('code', {}, where) : null, where ? ' ' : null,
    p.value !== undefined && p.value !== null ? h('span', { class: 'muted' }, `= ${p.value} `) : null,
    h('span', {}, p.rule || ''), p.fix ? h('span', { class: 'fix' }, ' fix: ' + p.fix) : null);
}

let toasts = null;
/** A short confirmation, shown as a toast in the corner (it does not cover the page's top). */
export function showInfo(text, timeout = 4000) {
  if (!toasts) { toasts = h('div', { class: 'toasts', 'aria-live': 'polite' }); document.body.appendChild(toasts); }
  const box = h('div', { class: 'message message-info toast', role: 'status', 'data-testid': 'info' },
    h('button', { class: 'message-close', type: 'button', 'aria-label': 'Dismiss', onClick: () => box.remove() }, '×'),
    h('span', {}, text));
  while (toasts.children.length >= 3) toasts.firstChild.remove();
  toasts.appendChild(box);
  if (timeout) setTimeout(() => box.remove(), timeout);
  return box;
}

function show(box) {
  if (!messages) { document.body.prepend(box); return; }
  // keep the area short: at most four messages
  while (messages.children.length >= 3) messages.firstChild.remove();
  messages.appendChild(box);
}

/** Remove all messages, or only those of one kind (box.dataset.kind). */
export function clearMessages(kind) {
  if (!messages) return;
  if (!kind) { clear(messages); return; }
  for (const box of [...messages.children]) if (box.dataset.kind === kind) box.remove();
}

/** A spinner with a label, e.g. while reading articles. */
export function busy(label) {
  return h('div', { class: 'busy', role: 'status', 'data-testid': 'busy' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', {}, label));
}

/** Run `fn` while `button` is disabled and shows `label`. */
export async function withBusyButton(button, label, fn) {
  const old = button.textContent;
  button.disabled = true;
  button.classList.add('is-busy');
  if (label) button.textContent = label;
  try { return await fn(); } finally {
    button.disabled = false;
    button.classList.remove('is-busy');
    button.textContent = old;
  }
}

/** A progress bar: {el, set(done, total, text), onCancel(fn)}; onCancel adds a Cancel button that calls fn once. */
export function progressBar(label) {
  const fill = h('div', { class: 'progress-fill' });
  const text = h('span', { class: 'progress-text' }, label || 'starting…');
  const bar = h('div', { class: 'progress-bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100' }, fill);
  const el = h('div', { class: 'progress', 'data-testid': 'progress' }, bar, text);
  return {
    el,
    set(done, total, note) {
      const pct = total > 0 ? Math.max(0, Math.min(100, (100 * done) / total)) : 0;
      fill.style.width = pct.toFixed(1) + '%';
      bar.setAttribute('aria-valuenow', pct.toFixed(0));
      clear(text);
      append(text, `${done ?? 0} / ${total ?? '?'}` + (note ? ` · ${note}` : ''));
    },
    onCancel(fn) {
      const button = h('button', { type: 'button', class: 'small', 'data-testid': 'cancel-job', onClick: () => {
        button.disabled = true;
        button.textContent = 'cancelling…';
        fn();
      } }, 'Cancel');
      el.append(button);
    },
  };
}

export function emptyNote(text) { return h('p', { class: 'empty' }, text); }

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}
