// #/corpus : stances over time, the event timeline, the actor network and the stored articles.
import { h, replace, clear, fmt, select, field } from '../dom.js';
import { api, enc } from '../api.js';
import { showError, busy, emptyNote } from '../ui.js';
import { lineChart, network, legend, colour } from '../charts.js';
import { actorLabel, actorShort, actorNodes, actorOptions, namesFromArticles } from '../names.js';

const MAX_ROWS = 500;
const NAME_ARTICLES = 20;   // at most this many articles are read for actor names

export async function render(root, params, ctx) {
  root.append(busy('Loading the corpus…'));
  const [stances, net, articles, events] = await Promise.all([
    api.get('/api/corpus/stances'), api.get('/api/corpus/network'), api.get('/api/articles'), api.get('/api/corpus/events')]);
  if (!ctx.alive()) return;
  // the corpus endpoints give actor ids only: take readable names from the articles the rows come from
  const rows = [
    ...stances.map((r) => ({ article_id: r.article_id, ids: [r.actor] })),
    ...events.map((e) => ({ article_id: e.article_id, ids: [e.source, e.target] })),
    ...(net.nodes || []).map((n) => ({ article_id: null, ids: [n.id] })),
  ];
  const named = await namesFromArticles(rows, { limit: NAME_ARTICLES, alive: ctx.alive });
  if (!ctx.alive()) return;
  const names = named.names;
  clear(root);
  root.append(h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Corpus'),
    h('div', { class: 'meta' }, h('span', {}, `${articles.length} articles`), h('span', {}, `${stances.length} stances`),
      h('span', {}, `${(net.nodes || []).length} actors in events`)),
    h('p', { class: 'muted small names-note', 'data-testid': 'names-note' },
      'Actors are shown by the name their articles give them, with the reading id in grey',
      named.unnamed.length
        ? `; ${named.unnamed.length} ${named.unnamed.length === 1 ? 'actor is' : 'actors are'} shown by id only${named.fetched >= NAME_ARTICLES ? ` (names were read from ${NAME_ARTICLES} articles)` : ''}.`
        : '.'))));
  root.append(stanceSection(stances, names, ctx), h('div', { class: 'two-col' }, networkSection(net, names), articlesSection(articles)),
    await eventsSection(net, stances, events, names, ctx));
}

function dateMs(d) {
  const t = Date.parse(d);
  return Number.isFinite(t) ? t : NaN;
}

function stanceSection(all, names, ctx) {
  const actors = [...new Set(all.map((r) => r.actor).filter(Boolean))].sort();
  const issues = [...new Set(all.map((r) => r.issue).filter(Boolean))].sort();
  const actorSel = select({ 'data-testid': 'stance-actor' }, [{ value: '', label: 'all actors' }, ...actorOptions(names, actors)], '');
  const issueSel = select({ 'data-testid': 'stance-issue' }, issues.length ? issues : [{ value: '', label: 'no issues' }], issues[0] || '');
  const out = h('div', {});
  const draw = async () => {
    let rows;
    try {
      const qs = new URLSearchParams();
      if (actorSel.value) qs.set('actor', actorSel.value);
      if (issueSel.value) qs.set('issue', issueSel.value);
      rows = await api.get(`/api/corpus/stances?${qs}`);
    } catch (e) { showError(e, 'Stances'); return; }
    if (!ctx.alive()) return;
    rows = rows.filter((r) => Number.isFinite(dateMs(r.date)) && Number.isFinite(Number(r.position)));
    if (!rows.length) { replace(out, emptyNote('No dated stances for this choice.')); return; }
    // one point per actor and date: the mean of that day's readings (the tooltip lists them)
    const byActor = new Map();
    for (const r of rows) {
      if (!byActor.has(r.actor)) byActor.set(r.actor, new Map());
      const days = byActor.get(r.actor);
      if (!days.has(r.date)) days.set(r.date, []);
      days.get(r.date).push(r);
    }
    for (const [actor, days] of byActor) {
      byActor.set(actor, [...days].map(([date, rs]) => {
        const mean = rs.reduce((acc, r) => acc + Number(r.position), 0) / rs.length;
        const lines = rs.slice(0, 6).map((r) => `• ${fmt(r.position, 1)}${r.confidence !== null && r.confidence !== undefined ? ` (confidence ${fmt(r.confidence, 2)})` : ''}: ${r.evidence || r.title || ''}`);
        if (rs.length > 6) lines.push(`… ${rs.length - 6} more`);
        const art = rs.find((r) => r.article_id !== null && r.article_id !== undefined);
        return {
          x: dateMs(date), y: mean,
          title: `${actorLabel(names, actor)}, ${date}: ${fmt(mean, 1)}${rs.length > 1 ? ` (mean of ${rs.length} readings)` : ''}\n${lines.join('\n')}`,
          onClick: art ? () => { location.hash = `#/articles/${enc(art.article_id)}`; } : null,
        };
      }));
    }
    const shown = [...byActor.keys()].sort((a, b) => actorShort(names, a).localeCompare(actorShort(names, b)));
    const series = shown.map((a) => ({ id: a, label: actorShort(names, a), color: colour(actors.indexOf(a)), points: byActor.get(a) }));
    const ys = rows.map((r) => Number(r.position));
    const yDomain = Math.min(...ys) >= 0 && Math.max(...ys) <= 100 ? [0, 100] : undefined;
    const xs = rows.map((r) => dateMs(r.date));
    let xDomain = [Math.min(...xs), Math.max(...xs)];
    if (xDomain[0] === xDomain[1]) xDomain = [xDomain[0] - 86400000 * 3, xDomain[1] + 86400000 * 3];
    const table = h('div', { class: 'table-wrap short' }, h('table', { class: 'data compact' },
      h('thead', {}, h('tr', {}, ['date', 'actor'].map((c) => h('th', {}, c)), h('th', { class: 'num' }, 'position'), h('th', { class: 'num' }, 'confidence'), h('th', {}, 'article'), h('th', {}, 'evidence'))),
      h('tbody', {}, rows.slice().sort((a, b) => dateMs(a.date) - dateMs(b.date)).slice(0, MAX_ROWS).map((r) => h('tr', {},
        h('td', { class: 'nowrap' }, r.date), h('td', {}, actorNodes(names, r.actor)), h('td', { class: 'num' }, fmt(r.position, 1)),
        h('td', { class: 'num' }, fmt(r.confidence, 2)),
        h('td', {}, r.article_id !== null && r.article_id !== undefined ? h('a', { href: `#/articles/${enc(r.article_id)}` }, r.title || `article ${r.article_id}`) : (r.title || '')),
        h('td', { class: 'basis' }, r.evidence || ''))))));
    replace(out, lineChart(series, { time: true, xDomain, yDomain, xLabel: 'date', yLabel: 'position', testid: 'stance-chart', label: 'stances over time', width: 1000, height: 300 }),
      legend(series.map((se) => ({ label: se.label, sub: se.label !== se.id ? se.id : null, color: se.color }))), table);
  };
  actorSel.addEventListener('change', draw);
  issueSel.addEventListener('change', draw);
  if (all.length) draw(); else replace(out, emptyNote('No stances in the corpus yet: add articles with `stakes corpus add --analyse`.'));
  return h('section', { class: 'card', 'data-testid': 'stances-section' },
    h('div', { class: 'card-head' }, h('h2', {}, 'Stances over time'), field('issue', issueSel), field('actor', actorSel)), out);
}

function networkSection(net, names) {
  const nodes = net.nodes || []; const edges = net.edges || [];
  return h('section', { class: 'card', 'data-testid': 'network-section' },
    h('h2', {}, 'Actor network'),
    h('p', { class: 'muted small' }, 'Nodes sized by their events, arrows from source to target, width by the number of events. Hover for the event types.'),
    nodes.length ? network(nodes, edges, { testid: 'network', nodeLabel: (id) => ({ text: actorShort(names, id), sub: actorShort(names, id) !== String(id) ? id : '' }) }) : emptyNote('No events in the corpus yet.'));
}

function articlesSection(articles) {
  return h('section', { class: 'card', 'data-testid': 'articles-section' },
    h('h2', {}, 'Articles'),
    articles.length ? h('div', { class: 'table-wrap short' }, h('table', { class: 'data compact', 'data-testid': 'articles-table' },
      h('thead', {}, h('tr', {}, ['published', 'title', 'publisher'].map((c) => h('th', {}, c)))),
      h('tbody', {}, articles.map((a) => h('tr', {},
        h('td', { class: 'nowrap' }, a.published ? String(a.published) : ''),
        h('td', {}, h('a', { href: `#/articles/${enc(a.id)}`, 'data-testid': `article-link-${a.id}` }, a.title || `article ${a.id}`)),
        h('td', {}, a.publisher || '')))))) : emptyNote('No articles stored.'));
}

async function eventsSection(net, stances, allEvents, names, ctx) {
  const actors = [...new Set([...(net.nodes || []).map((n) => n.id), ...stances.map((r) => r.actor),
    ...allEvents.flatMap((e) => [e.source, e.target])].filter(Boolean))];
  const actorSel = select({ 'data-testid': 'events-actor' }, [{ value: '', label: 'all actors' }, ...actorOptions(names, actors)], '');
  const out = h('div', {});
  const draw = async () => {
    let rows;
    try {
      rows = actorSel.value ? await api.get(`/api/corpus/events?actor=${enc(actorSel.value)}`) : allEvents;
    } catch (e) { showError(e, 'Events'); return; }
    if (!ctx.alive()) return;
    rows = rows.slice().sort((a, b) => String(a.date || '').localeCompare(String(b.date || '')));
    if (!rows.length) { replace(out, emptyNote('No events.')); return; }
    replace(out,
      rows.length > MAX_ROWS ? h('p', { class: 'muted small' }, `the first ${MAX_ROWS} of ${rows.length} events`) : null,
      h('div', { class: 'table-wrap' }, h('table', { class: 'data compact', 'data-testid': 'events-table' },
        h('thead', {}, h('tr', {}, ['date', 'source', 'target', 'CAMEO', 'PLOVER', 'text', 'article'].map((c) => h('th', {}, c)))),
        h('tbody', {}, rows.slice(0, MAX_ROWS).map((e) => h('tr', {},
          h('td', { class: 'nowrap' }, e.date || ''), h('td', {}, e.source ? actorNodes(names, e.source) : ''), h('td', {}, e.target ? actorNodes(names, e.target) : ''),
          h('td', {}, e.cameo || ''), h('td', {}, e.plover || ''), h('td', { class: 'basis' }, e.text || ''),
          h('td', {}, e.article_id !== null && e.article_id !== undefined ? h('a', { href: `#/articles/${enc(e.article_id)}` }, e.title || `article ${e.article_id}`) : (e.title || ''))))))));
  };
  actorSel.addEventListener('change', draw);
  await draw();
  return h('section', { class: 'card', 'data-testid': 'events-section' },
    h('div', { class: 'card-head' }, h('h2', {}, 'Event timeline'), field('actor', actorSel)), out);
}
