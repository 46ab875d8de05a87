// #/s/{id}/evidence : every number of the scenario with its basis and source; links to the
// sentence of the stored article it came from.
import { h, replace, clear, fmt, select, field, safeHref } from '../dom.js';
import { api, enc } from '../api.js';
import { showError, showInfo, busy, withBusyButton, emptyNote } from '../ui.js';
import { actorName, issueById } from '../scenario-data.js';

export async function render(root, params, ctx) {
  const id = params.id;
  root.append(busy('Loading the evidence…'));
  const [doc, rows] = await Promise.all([api.get(`/api/scenarios/${enc(id)}`), api.get(`/api/scenarios/${enc(id)}/evidence`)]);
  if (!ctx.alive()) return;
  clear(root);
  const sc = doc.scenario || {};
  ctx.setScenarioTitle(sc.title || id);
  const q = ctx.query;
  const focusKey = q.get('key');
  const focusMatch = (r) => (focusKey && r.key === focusKey) ||
    (q.get('actor') && q.get('quantity') && r.actor === q.get('actor') && (r.issue || '') === (q.get('issue') || '') && r.quantity === q.get('quantity'));
  const focused = rows.find(focusMatch) || null;

  const actors = [...new Set(rows.map((r) => r.actor).filter(Boolean))];
  const issues = [...new Set(rows.map((r) => r.issue).filter(Boolean))];
  const actorSel = select({ 'data-testid': 'evidence-filter-actor' }, [{ value: '', label: 'all actors' }, ...actors.map((a) => ({ value: a, label: actorName(sc, a) }))], '');
  const issueSel = select({ 'data-testid': 'evidence-filter-issue' }, [{ value: '', label: 'all issues' }, ...issues.map((i) => ({ value: i, label: (issueById(sc, i) || {}).name || i }))], '');
  const sourcedOnly = h('input', { type: 'checkbox', 'data-testid': 'evidence-filter-sourced' });
  const text = h('input', { type: 'search', placeholder: 'search basis, source, where', 'data-testid': 'evidence-filter-text' });
  const countBox = h('span', { class: 'muted small', 'data-testid': 'evidence-count' });
  const tbody = h('tbody', {});

  const draw = () => {
    const a = actorSel.value; const i = issueSel.value; const t = text.value.trim().toLowerCase();
    const shown = rows.filter((r) => (!a || r.actor === a) && (!i || r.issue === i) &&
      (!sourcedOnly.checked || (r.source && r.source.id)) &&
      (!t || [r.key, r.basis, r.where, r.source && r.source.title].some((x) => x && String(x).toLowerCase().includes(t))));
    replace(countBox, `${shown.length} of ${rows.length} numbers`);
    replace(tbody, shown.map((r) => row(r, sc, r === focused, id)));
  };
  for (const el of [actorSel, issueSel, sourcedOnly]) el.addEventListener('change', draw);
  text.addEventListener('input', draw);

  root.append(
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Evidence'), h('div', { class: 'meta' }, h('span', {}, sc.title || id)))),
    h('section', { class: 'card' },
      h('div', { class: 'card-head filters' }, field('actor', actorSel), field('issue', issueSel), field('search', text),
        h('label', { class: 'inline small' }, sourcedOnly, ' with a source only'), countBox),
      rows.length ? h('div', { class: 'table-wrap tall' }, h('table', { class: 'data evidence', 'data-testid': 'evidence-table' },
        h('thead', {}, h('tr', {}, ['actor', 'issue', 'quantity'].map((c) => h('th', {}, c)),
          h('th', { class: 'num' }, 'value'), h('th', { class: 'num' }, 'range'), h('th', {}, 'basis'), h('th', {}, 'source'),
          h('th', {}, 'where'), h('th', {}, 'text'))),
        tbody)) : emptyNote('This scenario has no numbers yet.')));
  const sources = sourcesSection(id, sc, ctx);   // null without sources (Element.append would print "null")
  if (sources) root.append(sources);
  draw();
  if (focused) {
    const el = tbody.querySelector('tr.focused');
    if (el) setTimeout(() => el.scrollIntoView({ block: 'center' }), 0);
  } else if (focusKey || q.get('actor')) {
    showError(`No number ${focusKey || [q.get('actor'), q.get('issue'), q.get('quantity')].filter(Boolean).join('.')} in this scenario's evidence.`);
  }
}

function row(r, sc, focused, scenarioId) {
  const src = r.source || null;
  const url = src && src.url ? safeHref(src.url) : null;
  const spans = evidenceSpans(r);
  const hasText = r.article_id !== null && r.article_id !== undefined && spans.length > 0;
  const more = spans.slice(1).map(([a, b]) => `${a}-${b}`).join(',');
  const link = hasText ? `#/articles/${enc(r.article_id)}?start=${enc(spans[0][0])}&end=${enc(spans[0][1])}` +
    (more ? `&more=${enc(more)}` : '') + `&key=${enc(r.key)}&scenario=${enc(scenarioId)}` : null;
  return h('tr', { class: focused ? 'focused' : null, 'data-testid': `evidence-row-${r.key}` },
    h('td', {}, r.actor ? actorName(sc, r.actor) : h('span', { class: 'muted' }, '—'), r.actor ? h('div', { class: 'muted small' }, r.actor) : null),
    h('td', {}, r.issue ? (issueById(sc, r.issue) || {}).name || r.issue : h('span', { class: 'muted' }, '—')),
    h('td', {}, r.quantity || ''),
    h('td', { class: 'num' }, fmt(r.value, 3)),
    h('td', { class: 'num nowrap' }, r.low !== null && r.low !== undefined && r.high !== null && r.high !== undefined ? `${fmt(r.low, 3)}–${fmt(r.high, 3)}` : h('span', { class: 'muted' }, 'exact')),
    h('td', { class: 'basis' }, r.basis || h('span', { class: 'muted' }, '—')),
    h('td', { class: 'source' }, src ? h('span', { class: 'clamp', title: src.title || src.id },
      url && /^https?:/i.test(url) ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, src.title || src.id) : (src.title || src.id))
      : h('span', { class: 'muted' }, "analyst's estimate"),
    src && (src.publisher || src.published) ? h('div', { class: 'muted small' }, [src.publisher, src.published].filter(Boolean).join(' · ')) : null),
    h('td', {}, r.where || ''),
    h('td', {}, link ? h('a', { href: link, 'data-testid': `evidence-link-${r.key}` }, 'show in text') : null));
}

function sourcesSection(id, sc, ctx) {
  const sources = sc.sources || [];
  if (!sources.length) return null;
  return h('section', { class: 'card', 'data-testid': 'sources' },
    h('h2', {}, 'Sources'),
    h('p', { class: 'muted small' }, 'Store the text a source stands for: it is read, and its numbers then link to their sentences.'),
    h('ul', { class: 'sources' }, sources.map((src) => {
      const textIn = h('textarea', { rows: 6, 'data-testid': `attach-text-${src.id}`, placeholder: 'paste the full text of this source' });
      const form = h('form', {
        class: 'attach-form hidden',
        onSubmit: async (ev) => {
          ev.preventDefault();
          if (!textIn.value.trim()) { showError('Paste the text first.'); return; }
          const body = { text: textIn.value };
          if (src.title) body.title = src.title;
          if (src.url) body.url = src.url;
          // the API takes a date (YYYY-MM-DD); free-text dates such as "2024 (spring)" are left out
          if (src.published && /^\d{4}-\d{2}-\d{2}$/.test(String(src.published).trim())) body.published = String(src.published).trim();
          try {
            const res = await withBusyButton(form.querySelector('button[type=submit]'), 'reading…',
              () => api.post(`/api/scenarios/${enc(id)}/sources/${enc(src.id)}/article`, body));
            showInfo(`Stored as article ${res.article_id}.`);
            if (ctx.alive()) ctx.rerender();
          } catch (e) { showError(e, 'Store the article'); }
        },
      }, textIn, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary small', 'data-testid': `attach-submit-${src.id}` }, 'Store and read')));
      const url = src.url ? safeHref(src.url) : null;
      return h('li', {},
        h('div', {}, h('strong', {}, src.title || src.id), ' ', h('code', { class: 'muted' }, src.id), ' ',
          url && /^https?:/i.test(url) ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'small' }, 'link') : null, ' ',
          h('button', { type: 'button', class: 'small', 'data-testid': `attach-${src.id}`, onClick: () => form.classList.toggle('hidden') }, 'attach the text')),
        h('div', { class: 'muted small' }, [src.kind, src.publisher, src.published].filter(Boolean).join(' · ')),
        form);
    })));
}

/** The evidence spans of a row: `spans: [[a, b], …]` (what the server sends) or `span: [a, b]` (docs/web.md). */
export function evidenceSpans(r) {
  const ok = (x) => Array.isArray(x) && x.length === 2 && Number.isFinite(Number(x[0])) && Number.isFinite(Number(x[1]));
  if (Array.isArray(r.spans) && r.spans.some(ok)) return r.spans.filter(ok).map((x) => [Number(x[0]), Number(x[1])]);
  if (ok(r.span)) return [[Number(r.span[0]), Number(r.span[1])]];
  return [];
}
