// #/articles/{id}?start=A&end=B : an article with its evidence span, actor mentions, quotes and
// events highlighted.
import { h, clear, fmt, safeHref } from '../dom.js';
import { api, enc } from '../api.js';
import { busy } from '../ui.js';
import { codePointMapper, highlightNodes } from '../highlight.js';
import { actorLabel, actorNodes } from '../names.js';

const KINDS = [
  { cls: 'hl-mention', label: 'actor mention', list: 'mentions' },
  { cls: 'hl-quote', label: 'quote', list: 'quotes' },
  { cls: 'hl-event', label: 'event', list: 'events' },
];

export async function render(root, params, ctx) {
  root.append(busy('Loading the article…'));
  const art = await api.get(`/api/articles/${enc(params.id)}`);
  if (!ctx.alive()) return;
  clear(root);
  const names = (art.names && typeof art.names === 'object') ? art.names : {};
  const who = (id) => actorLabel(names, id);
  const text = String(art.text ?? '');
  const toU16 = codePointMapper(text);
  const span = (x, cls, title) => ({ start: toU16(Number(x.start)), end: toU16(Number(x.end)), cls, title });
  const spans = [
    ...(art.mentions || []).map((m) => span(m, 'hl-mention', `actor: ${who(m.actor)}`)),
    ...(art.quotes || []).map((q) => span(q, 'hl-quote', `quote${q.speaker ? ' — speaker: ' + who(q.speaker) : ''}`)),
    ...(art.events || []).map((e) => span(e, 'hl-event',
      `event: ${who(e.source)} → ${who(e.target)}${e.cameo ? ', CAMEO ' + e.cameo : ''}${e.plover ? ', PLOVER ' + e.plover : ''}`)),
  ];

  const q = ctx.query;
  // further evidence spans of the same number (`more=A-B,C-D`), highlighted less strongly
  for (const part of (q.get('more') || '').split(',')) {
    const m = /^(\d+)-(\d+)$/.exec(part.trim());
    if (m) spans.push({ start: toU16(Number(m[1])), end: toU16(Number(m[2])), cls: 'hl-evidence-more', title: 'evidence' });
  }
  const hasEvidence = q.has('start') && q.has('end') && Number.isFinite(Number(q.get('start'))) && Number.isFinite(Number(q.get('end')));
  const body = h('div', { class: 'article-text', 'data-testid': 'article-text' });
  let evidenceEl = null;
  if (hasEvidence) {
    const a = Math.max(0, Math.min(text.length, toU16(Math.floor(Number(q.get('start'))))));
    const b = Math.max(a, Math.min(text.length, toU16(Math.floor(Number(q.get('end'))))));
    evidenceEl = h('mark', { class: 'hl-evidence', 'data-testid': 'evidence-highlight', title: q.get('key') ? `evidence for ${q.get('key')}` : 'evidence' },
      highlightNodes(text, spans, a, b));
    body.append(...highlightNodes(text, spans, 0, a), evidenceEl, ...highlightNodes(text, spans, b, text.length));
  } else {
    body.append(...highlightNodes(text, spans));
  }

  const url = art.url ? safeHref(art.url) : null;
  const toggles = KINDS.map((k) => {
    const box = h('input', { type: 'checkbox', checked: true, 'data-testid': `toggle-${k.list}`, onChange: (ev) => body.classList.toggle(`hide-${k.list}`, !ev.target.checked) });
    return h('label', { class: 'legend-item' }, box, ' ', h('mark', { class: k.cls }, k.label), ' ', h('span', { class: 'muted small' }, `(${(art[k.list] || []).length})`));
  });
  const scenario = q.get('scenario');
  const legendEl = h('div', { class: 'legend article-legend', 'data-testid': 'article-legend' },
    hasEvidence ? h('span', { class: 'legend-item' }, h('mark', { class: 'hl-evidence' }, 'evidence'), q.get('key') ? h('span', { class: 'muted small' }, ` for ${q.get('key')}`) : null) : null,
    toggles,
    h('span', { class: 'muted small' }, 'hover a highlight for the actor, speaker or event'));
  root.append(
    h('div', { class: 'page-head' }, h('div', {},
      scenario ? h('a', { href: `#/s/${enc(scenario)}/evidence` + (q.get('key') ? `?key=${enc(q.get('key'))}` : ''), class: 'small', 'data-testid': 'back-to-evidence' }, '← evidence') : null,
      h('h1', { 'data-testid': 'article-title' }, art.title || `Article ${art.id}`),
      h('div', { class: 'meta', 'data-testid': 'article-meta' },
        art.published ? h('span', {}, String(art.published)) : null,
        art.publisher ? h('span', {}, art.publisher) : null,
        url && /^https?:\/\//i.test(url) ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'article-url' }, url) : (art.url ? h('span', { class: 'muted' }, String(art.url)) : null),
        h('span', { class: 'muted' }, `${fmt(text.length, 0)} characters`)))),
    h('div', { class: 'article-layout' },
      h('div', { class: 'article-column' }, legendEl, h('article', { class: 'card article' }, body)),
      summary(art, names)));
  trackLegendHeight(legendEl, ctx);
  // land the evidence just below the sticky bar and legend (their height is the marks' scroll-margin-top)
  if (evidenceEl) setTimeout(() => { if (ctx.alive()) evidenceEl.scrollIntoView({ block: 'start' }); }, 0);
}

/** Keep --legend-h (used by the marks' scroll-margin-top) equal to the legend's height. */
function trackLegendHeight(legendEl, ctx) {
  const set = () => document.documentElement.style.setProperty('--legend-h', `${Math.ceil(legendEl.getBoundingClientRect().height)}px`);
  set();
  if (typeof ResizeObserver === 'undefined') return;
  const ro = new ResizeObserver(() => { if (!legendEl.isConnected || !ctx.alive()) { ro.disconnect(); return; } set(); });
  ro.observe(legendEl);
}

/** A side panel: who is mentioned, who is quoted, which events, by readable name (id in grey). */
function summary(art, names) {
  const group = (list, keyOf) => {
    const m = new Map();
    for (const x of list || []) {
      const k = keyOf(x);
      if (!m.has(k)) m.set(k, { item: x, n: 0, texts: new Set() });
      const g = m.get(k);
      g.n += 1;
      if (x.text) g.texts.add(String(x.text).replace(/\s+/g, ' ').trim());
    }
    return [...m.values()].sort((a, b) => b.n - a.n);
  };
  const list = (groups, label, empty, testid) => (groups.length
    ? h('ul', { class: 'count-list', 'data-testid': testid }, groups.map((g) => h('li', {
      title: g.texts.size ? `mentioned as: ${[...g.texts].slice(0, 12).join(' · ')}${g.texts.size > 12 ? ' …' : ''}` : null,
    }, h('span', { class: 'count-label' }, label(g.item)), h('span', { class: 'muted' }, String(g.n)))))
    : h('p', { class: 'muted small' }, empty));
  const actor = (id) => actorNodes(names, id);
  const mentions = group(art.mentions, (m) => m.actor || '?');
  const quotes = group(art.quotes, (q) => q.speaker || '?');
  const events = group(art.events, (e) => `${e.source || '?'}\u0000${e.target || '?'}\u0000${e.plover || e.cameo || ''}`);
  return h('aside', { class: 'card article-summary', 'data-testid': 'article-summary' },
    h('h3', {}, 'Actors mentioned'), list(mentions, (m) => actor(m.actor), 'none found', 'summary-mentions'),
    h('h3', {}, 'Quoted'), list(quotes, (q) => actor(q.speaker), 'no quotes', 'summary-quotes'),
    h('h3', {}, 'Events'), list(events, (e) => [
      h('span', { class: 'event-end' }, actor(e.source)), h('span', { class: 'arrow' }, ' → '), h('span', { class: 'event-end' }, actor(e.target)),
      e.plover || e.cameo ? [' ', h('span', { class: 'badge event-type', title: e.plover ? `PLOVER ${e.plover}` : `CAMEO ${e.cameo}` }, e.plover || e.cameo)] : null,
    ], 'no events', 'summary-events'));
}
