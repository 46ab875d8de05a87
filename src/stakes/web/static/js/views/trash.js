// #/trash : deleted scenarios, each restorable as it was (same version, same history) until the
// trash is emptied, which only the server's own token (admin) may do. Names are set as text.
import { h, replace, fmtDate } from '../dom.js';
import { api, enc } from '../api.js';
import { showError, showInfo, busy, withBusyButton, emptyNote } from '../ui.js';

export async function render(root, params, ctx) {
  const box = h('div', { class: 'table-wrap' }, busy('Loading the trash…'));
  const actions = h('div', { class: 'actions' });
  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Trash'), actions),
    h('p', { class: 'muted' }, 'Deleted scenarios stay here with their versions and history until the trash is ',
      'emptied; restoring one brings it back to the list as it was.'),
    h('section', { class: 'card' }, box));
  await load(box, actions, ctx);
}

async function load(box, actions, ctx) {
  let list;
  let who;
  try {
    [list, who] = await Promise.all([api.get('/api/trash'), api.get('/api/whoami')]);
  } catch (e) { replace(box); throw e; }
  if (!ctx.alive()) return;
  const reload = () => load(box, actions, ctx);
  replace(actions, who.name === 'admin' && list.length ? emptyButton(list, reload) : null);
  if (!list.length) { replace(box, emptyNote('The trash is empty.')); return; }
  const rows = list.map((sc) => h('tr', { 'data-testid': `trash-row-${sc.id}` },
    h('td', {}, sc.title || sc.id, h('div', { class: 'muted small' }, sc.id)),
    h('td', { class: 'num' }, sc.actors ?? ''),
    h('td', { class: 'num' }, sc.issues ?? ''),
    h('td', { class: 'num' }, sc.version ?? ''),
    h('td', {}, sc.deleted_by || ''),
    h('td', { class: 'nowrap' }, fmtDate(sc.deleted_at)),
    h('td', { class: 'actions-cell' }, h('button', {
      type: 'button', class: 'small', 'data-testid': `restore-${sc.id}`,
      onClick: async (ev) => {
        try {
          await withBusyButton(ev.currentTarget, 'restoring…', () => api.post(`/api/trash/${enc(sc.id)}/restore`));
          showInfo(`Restored “${sc.title || sc.id}” (version ${sc.version}, with its history).`);
          await reload();
        } catch (e) { showError(e, 'Restore'); }
      },
    }, 'restore'))));
  replace(box, h('table', { class: 'data', 'data-testid': 'trash-table' },
    h('thead', {}, h('tr', {},
      h('th', {}, 'title'), h('th', { class: 'num' }, 'actors'), h('th', { class: 'num' }, 'issues'),
      h('th', { class: 'num' }, 'version'), h('th', {}, 'deleted by'), h('th', {}, 'deleted at'), h('th', {}, ''))),
    h('tbody', {}, rows)));
}

function emptyButton(list, reload) {
  return h('button', {
    type: 'button', class: 'danger', 'data-testid': 'empty-trash',
    onClick: async (ev) => {
      if (!window.confirm(`Delete the ${list.length} scenario(s) in the trash for good, with their history? This cannot be undone.`)) return;
      try {
        const done = await withBusyButton(ev.currentTarget, 'emptying…', () => api.del('/api/trash'));
        showInfo(`Deleted for good: ${done.deleted.length} scenario(s).`);
        await reload();
      } catch (e) { showError(e, 'Empty the trash'); }
    },
  }, 'Empty the trash');
}
