// Tiny DOM helpers. Text is only ever set with textContent / createTextNode:
// nothing in this app builds HTML from strings.

const SVG_NS = 'http://www.w3.org/2000/svg';

const PROPS = new Set(['value', 'checked', 'selected', 'disabled', 'multiple', 'readOnly', 'indeterminate']);

/** Keep only URLs that cannot run script: same-page hashes, our own paths, http(s) and blob. */
export function safeHref(url) {
  const s = String(url ?? '').trim();
  if (s.startsWith('#') || (s.startsWith('/') && !s.startsWith('//'))) return s;
  if (/^https?:\/\//i.test(s) || /^blob:/i.test(s)) return s;
  return null;
}

function applyAttrs(el, attrs, isSvg) {
  if (!attrs) return;
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') {
      const cls = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
      if (cls) el.setAttribute('class', cls);
    } else if (key === 'style') {
      // CSSOM assignment is allowed by our CSP (a style="" attribute would not be).
      for (const [prop, v] of Object.entries(value)) {
        if (v === null || v === undefined) continue;
        if (prop.includes('-')) el.style.setProperty(prop, String(v));
        else el.style[prop] = String(v);
      }
    } else if (key === 'dataset') {
      for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) el.dataset[k] = String(v);
    } else if (key.startsWith('on')) {
      if (typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
      // a non-function "on…" attribute is never set
    } else if (key === 'href' || key === 'src' || key === 'action') {
      const safe = safeHref(value);
      if (safe !== null) el.setAttribute(key, safe);
    } else if (!isSvg && PROPS.has(key)) {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

export function append(parent, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false || child === true) continue;
    if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
  return parent;
}

/** h('div', {class: 'x', onClick: fn}, 'text', otherNode, [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  applyAttrs(el, attrs, false);
  return append(el, ...children);
}

/** The same for SVG elements. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  applyAttrs(el, attrs, true);
  return append(el, ...children);
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, ...children);
}

/** Format a number for display: up to `digits` decimals, trailing zeros dropped. */
export function fmt(x, digits = 2) {
  if (x === null || x === undefined || x === '') return '';
  const n = Number(x);
  if (!Number.isFinite(n)) return String(x);
  const r = Number(n.toFixed(digits));
  return String(Object.is(r, -0) ? 0 : r);
}

export function fmtSigned(x, digits = 1) {
  const n = Number(x);
  if (!Number.isFinite(n)) return '';
  const r = Number(n.toFixed(digits));
  if (r === 0) return '±0';
  return (r > 0 ? '+' : '−') + Math.abs(r).toFixed(digits);
}

export function fmtDate(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** <select> from [{value, label}] or plain strings. */
export function select(attrs, options, selected) {
  const el = h('select', attrs);
  for (const o of options) {
    const opt = typeof o === 'object' ? o : { value: o, label: o };
    const node = h('option', { value: opt.value }, opt.label ?? opt.value);
    if (String(opt.value) === String(selected ?? '')) node.selected = true;
    el.appendChild(node);
  }
  if (selected !== undefined && selected !== null) el.value = String(selected);
  return el;
}

export function field(label, control, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), control,
    hint ? h('span', { class: 'hint' }, hint) : null);
}

/** Start a browser download of a Blob. */
export function downloadBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, class: 'hidden' });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
