// Readable actor names. The reading pipeline keys actors by ids such as `p:8071`, `c:USA` or
// `k:PSEGZA`, which mean nothing to a reader: views show the name an article gives an actor, with
// the id after it in small grey text (the id alone when no name is known).
import { h } from './dom.js';
import { api, enc } from './api.js';

function nameOf(names, id) {
  if (!names) return null;
  const name = names instanceof Map ? names.get(id) : (Object.prototype.hasOwnProperty.call(names, id) ? names[id] : null);
  return name && String(name) !== String(id) ? String(name) : null;
}

/** Plain text: `Netanyahu (p:8071)`, or the id alone; `?` for no actor. */
export function actorLabel(names, id) {
  if (id === null || id === undefined || id === '') return '?';
  const name = nameOf(names, id);
  return name ? `${name} (${id})` : String(id);
}

/** The name only (the id when there is none): for tight places such as chart labels. */
export function actorShort(names, id) {
  if (id === null || id === undefined || id === '') return '?';
  return nameOf(names, id) || String(id);
}

/** Nodes: the name, then the id in small grey text; the id alone when no name is known. */
export function actorNodes(names, id) {
  if (id === null || id === undefined || id === '') return [h('span', { class: 'muted', title: 'not identified in the text' }, '?')];
  const name = nameOf(names, id);
  if (!name) return [h('span', { class: 'actor-id-only' }, String(id))];
  return [h('span', { class: 'actor-label' }, name), ' ', h('span', { class: 'actor-id' }, String(id))];
}

/** <select> options for actor ids, labelled `name (id)`, sorted by what the reader sees. */
export function actorOptions(names, ids) {
  return [...ids].map((id) => ({ value: id, label: actorLabel(names, id) }))
    .sort((a, b) => a.label.localeCompare(b.label, undefined, { sensitivity: 'base' }));
}

/**
 * Names for the actor ids of corpus rows, taken from the `names` of the articles the rows come from.
 * rows: [{article_id, ids: [actor ids]}]. At most `limit` articles are fetched, chosen greedily so
 * that each covers as many still-unnamed ids as possible. Resolves to {names: Map, fetched, unnamed: [ids]}.
 */
export async function namesFromArticles(rows, { limit = 20, concurrency = 6, alive = () => true } = {}) {
  const all = new Set();
  const byArticle = new Map();
  for (const r of rows) {
    for (const id of r.ids) {
      if (id === null || id === undefined || id === '') continue;
      all.add(id);
      if (r.article_id === null || r.article_id === undefined) continue;
      if (!byArticle.has(r.article_id)) byArticle.set(r.article_id, new Set());
      byArticle.get(r.article_id).add(id);
    }
  }
  const votes = new Map();   // id → Map(name → count)
  const vote = (id, name) => {
    if (!name) return;
    if (!votes.has(id)) votes.set(id, new Map());
    const v = votes.get(id);
    v.set(name, (v.get(name) || 0) + 1);
  };
  const named = new Set();
  let fetched = 0;
  const tried = new Set();
  while (fetched < limit && alive()) {
    // the next batch: the articles that would name the most ids not named yet
    const batch = [];
    const promised = new Set(named);
    for (let k = 0; k < Math.min(concurrency, limit - fetched); k++) {
      let best = null; let gain = 0;
      for (const [art, ids] of byArticle) {
        if (tried.has(art)) continue;
        let g = 0;
        for (const id of ids) if (!promised.has(id)) g++;
        if (g > gain) { best = art; gain = g; }
      }
      if (!best) break;
      tried.add(best);
      for (const id of byArticle.get(best)) promised.add(id);
      batch.push(best);
    }
    if (!batch.length) break;
    fetched += batch.length;
    const answers = await Promise.all(batch.map((art) => api.get(`/api/articles/${enc(art)}`).catch(() => null)));
    for (const a of answers) {
      if (!a || !a.names || typeof a.names !== 'object') continue;
      for (const [id, name] of Object.entries(a.names)) if (name !== null && name !== undefined && String(name) !== '') { vote(id, String(name)); named.add(id); }
    }
  }
  const names = new Map();
  for (const [id, v] of votes) names.set(id, [...v].sort((p, q) => q[1] - p[1])[0][0]);
  return { names, fetched, unnamed: [...all].filter((id) => !nameOf(names, id)).sort() };
}
