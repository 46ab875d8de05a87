// #/ : the list of scenarios, and creating them (blank, from a file, from articles).
import { h, replace, fmtDate, select, field } from '../dom.js';
import { api, enc } from '../api.js';
import { showError, showInfo, busy, withBusyButton, emptyNote } from '../ui.js';

const FORMAT_BY_EXT = { yaml: 'yaml', yml: 'yaml', json: 'json', csv: 'csv', xml: 'ktab-xml' };

export function formatFromName(name) {
  const m = /\.([A-Za-z0-9]+)$/.exec(name || '');
  return m ? FORMAT_BY_EXT[m[1].toLowerCase()] || null : null;
}

export async function render(root, params, ctx) {
  const listBox = h('div', { class: 'table-wrap' }, busy('Loading scenarios…'));
  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Scenarios')),
    h('section', { class: 'card' }, listBox),
    createSection(ctx));
  await loadList(listBox, ctx);
}

async function loadList(box, ctx) {
  let list;
  try { list = await api.get('/api/scenarios'); } catch (e) { replace(box); throw e; }
  if (!ctx.alive()) return;
  if (!list.length) { replace(box, emptyNote('No scenarios yet: create one below.')); return; }
  const rows = list.map((sc) => h('tr', { 'data-testid': `scenario-row-${sc.id}` },
    h('td', {}, h('a', { href: `#/s/${enc(sc.id)}`, 'data-testid': `scenario-link-${sc.id}` }, sc.title || sc.id),
      h('div', { class: 'muted small' }, sc.id)),
    h('td', { class: 'num' }, count(sc.actors)),
    h('td', { class: 'num' }, count(sc.issues)),
    h('td', {}, sc.as_of || ''),
    h('td', { class: 'num' }, sc.version ?? ''),
    h('td', {}, sc.updated_by || ''),
    h('td', { class: 'nowrap' }, fmtDate(sc.updated_at)),
    h('td', { class: 'actions-cell' },
      h('a', { href: `#/s/${enc(sc.id)}/forecast`, class: 'small' }, 'forecast'), ' ',
      h('button', {
        type: 'button', class: 'danger small', 'data-testid': `delete-${sc.id}`,
        onClick: async (ev) => {
          if (!window.confirm(`Move the scenario “${sc.title || sc.id}” to the trash? It can be restored, with its history, until the trash is emptied.`)) return;
          try {
            await withBusyButton(ev.currentTarget, 'deleting…',
              () => api.del(`/api/scenarios/${enc(sc.id)}?version=${enc(sc.version)}`));
            showInfo(`Moved “${sc.title || sc.id}” to the trash (restore it from the Trash page).`);
            await loadList(box, ctx);
          } catch (e) { showError(e, 'Delete'); }
        },
      }, 'delete'))));
  replace(box, h('table', { class: 'data', 'data-testid': 'scenarios-table' },
    h('thead', {}, h('tr', {},
      h('th', {}, 'title'), h('th', { class: 'num' }, 'actors'), h('th', { class: 'num' }, 'issues'),
      h('th', {}, 'as of'), h('th', { class: 'num' }, 'version'), h('th', {}, 'updated by'),
      h('th', {}, 'updated at'), h('th', {}, ''))),
    h('tbody', {}, rows)));
}

function count(x) {
  if (Array.isArray(x)) return x.length;
  return x ?? '';
}

function openDoc(doc) {
  showInfo(`Created “${(doc.scenario && doc.scenario.title) || doc.id}”.`);
  location.hash = `#/s/${enc(doc.id)}`;
}

function createSection(ctx) {
  // blank
  const title = h('input', { type: 'text', 'data-testid': 'new-title', placeholder: 'e.g. Border crossing talks', required: true });
  const id = h('input', { type: 'text', 'data-testid': 'new-id', placeholder: 'optional, e.g. border-talks', pattern: '[A-Za-z0-9_][A-Za-z0-9_.\\-]*' });
  const blank = h('form', {
    class: 'create-form',
    onSubmit: async (ev) => {
      ev.preventDefault();
      const body = { title: title.value.trim() };
      if (id.value.trim()) body.id = id.value.trim();
      try {
        const doc = await withBusyButton(ev.submitter || blank.querySelector('button'), 'creating…',
          () => api.post('/api/scenarios', body));
        openDoc(doc);
      } catch (e) { showError(e, 'Create'); }
    },
  },
  h('h3', {}, 'Blank'),
  field('Title', title), field('Id', id),
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'create-blank' }, 'Create')));

  // from a file
  const file = h('input', { type: 'file', 'data-testid': 'file-input', accept: '.yaml,.yml,.json,.csv,.xml' });
  const format = select({ 'data-testid': 'file-format' }, [
    { value: '', label: 'from the extension' },
    { value: 'yaml', label: 'YAML' }, { value: 'json', label: 'JSON' },
    { value: 'csv', label: 'CSV (table layout)' }, { value: 'ktab-csv', label: 'KTAB CSV' },
    { value: 'ktab-xml', label: 'KTAB XML' }], '');
  const fileId = h('input', { type: 'text', placeholder: 'optional', 'data-testid': 'file-id' });
  const fromFile = h('form', {
    class: 'create-form',
    onSubmit: async (ev) => {
      ev.preventDefault();
      const f = file.files && file.files[0];
      if (!f) { showError('Choose a file first.'); return; }
      const fmtName = format.value || formatFromName(f.name);
      if (!fmtName) { showError(`Cannot tell the format of “${f.name}” from its extension: choose one.`); return; }
      try {
        const text = await f.text();
        const body = { text, format: fmtName };
        // the table CSV layout has no title: it is the file's name
        if (fmtName === 'csv') body.title = f.name.replace(/\.[^.]+$/, '');
        if (fileId.value.trim()) body.id = fileId.value.trim();
        const doc = await withBusyButton(fromFile.querySelector('button[type=submit]'), 'importing…',
          () => api.post('/api/scenarios', body));
        openDoc(doc);
      } catch (e) { showError(e, 'Import'); }
    },
  },
  h('h3', {}, 'From a file'),
  field('File', file, '.yaml/.yml, .json, .csv, .xml (KTAB)'), field('Format', format), field('Id', fileId),
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'create-file' }, 'Import')));

  // from articles
  const readTitle = h('input', { type: 'text', 'data-testid': 'read-title', placeholder: 'optional' });
  const articles = h('div', { class: 'article-inputs' });
  const addArticle = () => {
    const i = articles.children.length;
    const box = h('div', { class: 'article-input' },
      h('div', { class: 'row' },
        h('input', { type: 'text', class: 'art-title', placeholder: 'article title (optional)', 'data-testid': `article-title-${i}` }),
        h('input', { type: 'url', class: 'art-url', placeholder: 'url (optional)', 'data-testid': `article-url-${i}` }),
        h('input', { type: 'text', class: 'art-published', placeholder: 'published, e.g. 2024-03-28', 'data-testid': `article-published-${i}` }),
        i > 0 ? h('button', { type: 'button', class: 'small', onClick: () => box.remove() }, 'remove') : null),
      h('textarea', { class: 'art-text', rows: 6, placeholder: 'paste the article text', 'data-testid': `article-text-${i}` }));
    articles.append(box);
  };
  addArticle();
  const status = h('div', { class: 'read-status' });
  const issuesFrom = h('input', { type: 'text', placeholder: 'optional scenario id', 'data-testid': 'issues-from' });
  const fromArticles = h('form', {
    class: 'create-form wide',
    onSubmit: async (ev) => {
      ev.preventDefault();
      const list = [];
      for (const box of articles.children) {
        const text = box.querySelector('.art-text').value;
        if (!text.trim()) continue;
        const a = { text };
        const t = box.querySelector('.art-title').value.trim(); if (t) a.title = t;
        const u = box.querySelector('.art-url').value.trim(); if (u) a.url = u;
        const p = box.querySelector('.art-published').value.trim(); if (p) a.published = p;
        list.push(a);
      }
      if (!list.length) { showError('Paste the text of at least one article.'); return; }
      const body = { articles: list };
      if (readTitle.value.trim()) body.title = readTitle.value.trim();
      if (issuesFrom.value.trim()) body.issues_from = issuesFrom.value.trim();
      replace(status, busy('Reading the articles… this can take 10–30 seconds.'));
      try {
        const doc = await withBusyButton(fromArticles.querySelector('button[type=submit]'), 'reading…',
          () => api.post('/api/scenarios/read', body));
        replace(status);
        openDoc(doc);
      } catch (e) { replace(status); showError(e, 'Read articles'); }
    },
  },
  h('h3', {}, 'From articles'),
  h('p', { class: 'muted small' }, 'A draft scenario read from news or opinion articles: actors, their stances and the evidence for each number.'),
  h('div', { class: 'row' }, field('Title', readTitle), field('Issues from', issuesFrom)),
  articles,
  h('div', { class: 'actions' },
    h('button', { type: 'button', 'data-testid': 'add-article', onClick: addArticle }, 'add another article'),
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'read-articles' }, 'Read')),
  status);

  return h('section', { class: 'card' }, h('h2', {}, 'New scenario'),
    h('div', { class: 'create-grid' }, blank, fromFile), fromArticles);
}
