// stakes web app: hash router and page shell.
//
// data-testid attributes for end-to-end tests (stable; {id}s are the API's ids, used as they are):
//   shell:      nav-home, nav-scenarios, nav-corpus, nav-trash, nav-api-docs, user, whoami, open-sign-in, sign-out,
//               scenario-nav, nav-scenario-title, tab-editor, tab-forecast, tab-evidence, messages,
//               error (one per error message; shows the API's `detail` as text), info (toast), busy,
//               progress (a running job's bar: "done / total"), main (gets data-view="<view>" once rendered)
//   sign-in:    signin (overlay), signin-form, token-input, sign-in (submit), sign-in-cancel, signin-status
//   scenarios:  scenarios-table, scenario-row-{id}, scenario-link-{id}, delete-{id} (asks confirm()),
//               new-title, new-id, create-blank, file-input, file-format, file-id, create-file,
//               read-title, issues-from, article-title-{i}, article-url-{i}, article-published-{i},
//               article-text-{i} (i = 0, 1, …), add-article, read-articles
//   trash:      trash-table, trash-row-{id}, restore-{id}, empty-trash (admin only; asks confirm())
//   editor:     scenario-title, scenario-as-of, scenario-version, export-{yaml|json|csv|ktab-csv},
//               editor-table, show-risk, issue-{issue}, actor-row-{actor},
//               cell-{actor}-{issue}-{quantity} (quantity: position|salience|risk), cell-{actor}--capability,
//               cell-input (the open cell editor), problem-{actor}-{issue}-{quantity} / problem-{actor}--capability
//               (422 rule and fix next to the cell), details, details-value, details-low, details-high,
//               save-range, make-exact, details-distribution, details-source, details-where, details-basis,
//               save-basis, details-evidence-link, details-problems, conflict (409 banner), reload,
//               history, history-{version}, undo, add-actor-form, new-actor-id, new-actor-name,
//               new-actor-kind, new-actor-capability, add-actor, remove-actor-{actor} (asks confirm()),
//               scenario-details (card): edit-title, edit-as-of (date input), edit-description, save-meta,
//               issue-name-{issue}, issue-low-{issue}, issue-high-{issue}, issue-status-quo-{issue} (value),
//               issue-status-quo-low-{issue}, issue-status-quo-high-{issue} (its range, both or neither),
//               save-issue-{issue}; actors-card: actor-name-{actor}, actor-kind-{actor} (select), save-actor-{actor};
//               a 422's problems show under their field as problem-{that field's test id} (e.g. problem-edit-title,
//               problem-issue-name-{issue}, problem-actor-kind-{actor}); the rest under the form as problem-meta,
//               problem-issue-{issue}, problem-actor-{actor}
//   forecast:   forecast-section, model-{name} (checkbox), run-forecast, forecast-outcomes,
//               outcome-row-{issue}, outcome-{model}-{issue}, rule-{model}-{issue}, trajectory-model, trajectory-{issue} (svg),
//               mc-section, mc-draws, run-montecarlo, mc-summary, mc-row-{issue}-{model}, mc-deal-{issue}-{model},
//               histogram-{model}-{issue} (svg), sens-section, sens-model, run-sensitivity, tornado-{issue} (svg),
//               whatif-section, whatif-{id} (checkbox), whatif-edit-{id}, whatif-remove-{id}, whatif-id,
//               whatif-title, whatif-description, change-{i} (input), add-change, helper-actor, helper-issue,
//               helper-quantity, helper-op, helper-value, helper-preview, append-change, add-whatif,
//               save-whatifs, undo-whatifs (after a save: restores the version before it), forecast-version,
//               compare-draws, run-compare, compare-table, compare-row-{issue}-{model},
//               compare-{variant}-{issue}-{model} (variant "baseline" or a what-if id)
//   evidence:   evidence-table, evidence-filter-actor, evidence-filter-issue, evidence-filter-text,
//               evidence-filter-sourced, evidence-count, evidence-row-{key}, evidence-link-{key} (to the
//               article, when article_id and spans are set), sources, attach-{source}, attach-text-{source},
//               attach-submit-{source}
//   article:    back-to-evidence, article-title, article-meta, article-url, article-legend, toggle-mentions,
//               toggle-quotes, toggle-events, article-text, evidence-highlight (the span from ?start=&end=),
//               article-summary, summary-mentions, summary-quotes, summary-events (actors by readable name, the
//               id in grey after it; hover titles on the highlights say "Name (id)" too)
//   corpus:     stances-section, stance-issue, stance-actor, stance-chart (svg), network-section, network (svg),
//               articles-section, articles-table, article-link-{id}, events-section, events-actor, events-table,
//               names-note (actor names come from the `names` of at most 20 of the articles involved)
// Routes: #/  #/trash  #/s/{id}  #/s/{id}/forecast  #/s/{id}/evidence[?key=actor.issue.quantity]
//         #/articles/{id}[?start=A&end=B]  #/articles  #/corpus
import { h, replace, clear } from './dom.js';
import { initMessages, clearMessages, showError } from './ui.js';
import { initAuth, refreshUser, ensureReadAccess } from './auth.js';
import * as scenarios from './views/scenarios.js';
import * as editor from './views/editor.js';
import * as forecast from './views/forecast.js';
import * as evidence from './views/evidence.js';
import * as article from './views/article.js';
import * as corpus from './views/corpus.js';
import * as trash from './views/trash.js';

const main = document.getElementById('main');
const scenarioNav = document.getElementById('scenario-nav');
let renderCount = 0;

export function parseHash(hash) {
  let raw = (hash || '').replace(/^#/, '');
  if (!raw.startsWith('/')) raw = '/' + raw;
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  const parts = path.split('/').filter(Boolean).map((p) => { try { return decodeURIComponent(p); } catch { return p; } });
  return { parts, query };
}

function match(parts) {
  if (parts.length === 0) return { view: scenarios, name: 'scenarios', params: {} };
  if (parts[0] === 's' && parts.length >= 2) {
    const id = parts[1];
    const tab = parts[2] || 'editor';
    const views = { editor, forecast, evidence };
    if (parts.length <= 3 && views[tab]) return { view: views[tab], name: tab, params: { id }, scenario: id };
  }
  if (parts[0] === 'articles' && parts.length === 2) return { view: article, name: 'article', params: { id: parts[1] } };
  if (parts[0] === 'articles' && parts.length === 1) return { view: corpus, name: 'corpus', params: {} };
  if (parts[0] === 'corpus' && parts.length === 1) return { view: corpus, name: 'corpus', params: {} };
  if (parts[0] === 'trash' && parts.length === 1) return { view: trash, name: 'trash', params: {} };
  return null;
}

function renderScenarioNav(id, tab) {
  if (!id) { scenarioNav.classList.add('hidden'); clear(scenarioNav); return; }
  scenarioNav.classList.remove('hidden');
  const base = `#/s/${encodeURIComponent(id)}`;
  const tabLink = (name, label, href) => h('a', {
    href, class: ['tab', tab === name ? 'active' : ''], 'data-testid': `tab-${name}`,
    'aria-current': tab === name ? 'page' : null,
  }, label);
  replace(scenarioNav,
    h('span', { class: 'scenario-name', 'data-testid': 'nav-scenario-title', title: id }, id),
    h('div', { class: 'tabs' },
      tabLink('editor', 'Editor', base),
      tabLink('forecast', 'Forecast', base + '/forecast'),
      tabLink('evidence', 'Evidence', base + '/evidence')));
}

/** Views call this once they know the scenario's title. */
export function setScenarioTitle(title) {
  const el = scenarioNav.querySelector('.scenario-name');
  if (el) replace(el, title || '');
}

async function route() {
  const my = ++renderCount;
  const { parts, query } = parseHash(location.hash);
  const m = match(parts);
  clearMessages();
  for (const a of document.querySelectorAll('.toplinks a[data-nav]')) {
    a.classList.toggle('active', !!m && !m.scenario && a.dataset.nav === m.name);
  }
  renderScenarioNav(m && m.scenario, m && m.name);
  clear(main);
  main.removeAttribute('data-view');
  if (!m) {
    main.append(h('section', { class: 'card' }, h('h1', {}, 'Not found'),
      h('p', {}, 'There is no page at ', h('code', {}, location.hash || '#/'), '. '), h('a', { href: '#/' }, 'Back to the scenarios')));
    return;
  }
  const ctx = {
    alive: () => my === renderCount,
    query,
    setScenarioTitle,
    rerender: () => route(),
  };
  try {
    await m.view.render(main, m.params, ctx);
  } catch (e) {
    if (ctx.alive()) showError(e);
  }
  if (ctx.alive()) main.setAttribute('data-view', m.name);
}

/** Keep --sticky-h equal to the height of the sticky top bar (nav, scenario tabs, messages), so sticky
 *  parts of a page and scroll-into-view targets (scroll-margin-top) land below it. */
function trackStickyHeight() {
  const bar = document.querySelector('.sticky-top');
  if (!bar) return;
  const set = () => document.documentElement.style.setProperty('--sticky-h', `${Math.ceil(bar.getBoundingClientRect().height)}px`);
  set();
  if (typeof ResizeObserver !== 'undefined') new ResizeObserver(set).observe(bar);
}

async function start() {
  trackStickyHeight();
  initMessages(document.getElementById('messages'));
  initAuth(document.getElementById('user'), () => route());
  window.addEventListener('hashchange', route);
  await ensureReadAccess();
  refreshUser();
  route();
}

start();
