// The what-if builder and the comparison of what-ifs (part of the forecast view).
import { h, replace, clear, fmt, fmtSigned, select, field } from '../dom.js';
import { api, runJob, ApiError } from '../api.js';
import { showError, showInfo, withBusyButton, progressBar, emptyNote } from '../ui.js';
import { clone } from '../scenario-data.js';

const OPS = ['*=', '+=', '-=', '=', 'drop', 'fix'];
const QUANT = ['capability', 'position', 'salience', 'risk', 'status_quo'];
const ID_RE = /^[\w-]+$/;

/** Build a change line from the helper choices, or throw an Error saying what is missing. */
export function changeLine({ actor, issue, quantity, op, value }) {
  if (op === 'drop') {
    if (!actor) throw new Error('choose the actor to drop');
    return `drop ${actor}`;
  }
  if (op === 'fix') {
    if (!actor) throw new Error('choose the actor to fix');
    return issue ? `fix ${actor}.${issue}` : `fix ${actor}`;
  }
  const v = String(value ?? '').trim();
  if (v === '' || !Number.isFinite(Number(v))) throw new Error('type a number as the value');
  if (quantity === 'status_quo') {
    if (!issue) throw new Error('choose the issue whose status quo changes');
    return `${issue}.status_quo ${op} ${v}`;
  }
  if (!actor) throw new Error('choose an actor');
  if (quantity === 'capability') return `${actor}.capability ${op} ${v}`;
  if (!issue) throw new Error(`choose the issue of the ${quantity}`);
  return `${actor}.${issue}.${quantity} ${op} ${v}`;
}

export function whatifSection(view) {
  const sc = () => view.scenario;
  let whatifs = clone(view.doc.whatifs || []);
  const checked = new Set(whatifs.map((w) => w.id));
  let dirty = false;

  const listBox = h('div', { class: 'whatif-list' });
  const dirtyNote = h('span', { class: 'muted small' });
  const renderList = () => {
    replace(dirtyNote, dirty ? 'unsaved changes: “Save what-ifs” keeps them with the scenario' : '');
    renderUndo();   // (defined below; renderList first runs once everything is defined)
    if (!whatifs.length) { replace(listBox, emptyNote('No what-ifs yet: build one below.')); return; }
    replace(listBox, h('ul', { class: 'whatifs' }, whatifs.map((w) => {
      const box = h('input', {
        type: 'checkbox', 'data-testid': `whatif-${w.id}`, checked: checked.has(w.id),
        onChange: (ev) => { if (ev.target.checked) checked.add(w.id); else checked.delete(w.id); },
      });
      return h('li', { class: 'whatif' },
        h('label', { class: 'whatif-head' }, box, ' ', h('strong', {}, w.title || w.id), ' ', h('code', { class: 'muted' }, w.id)),
        w.description ? h('details', { class: 'small' }, h('summary', {}, 'why'), h('p', {}, w.description)) : null,
        h('ul', { class: 'change-list' }, (w.changes || []).map((c) => h('li', {}, h('code', {}, String(c))))),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'small', 'data-testid': `whatif-edit-${w.id}`, onClick: () => loadIntoForm(w) }, 'edit'),
          h('button', {
            type: 'button', class: 'small danger', 'data-testid': `whatif-remove-${w.id}`,
            onClick: () => { whatifs = whatifs.filter((x) => x !== w); checked.delete(w.id); dirty = true; renderList(); },
          }, 'remove')));
    })));
  };

  // ---- the builder form
  const idIn = h('input', { type: 'text', 'data-testid': 'whatif-id', placeholder: 'e.g. us_pressure' });
  const titleIn = h('input', { type: 'text', 'data-testid': 'whatif-title', placeholder: 'what happens, in a sentence' });
  const descIn = h('textarea', { rows: 2, 'data-testid': 'whatif-description', placeholder: 'why (optional)' });
  const lines = h('div', { class: 'change-lines' });
  const addLine = (text = '') => {
    const i = lines.children.length;
    const input = h('input', { type: 'text', class: 'change-input mono', 'data-testid': `change-${i}`, value: text, placeholder: 'e.g. us_admin.capability *= 0.5' });
    const row = h('div', { class: 'change-line' }, input,
      h('button', { type: 'button', class: 'icon-button', title: 'remove this change', 'aria-label': 'remove this change', onClick: () => { row.remove(); renumber(); } }, '×'));
    lines.append(row);
    return input;
  };
  const renumber = () => [...lines.querySelectorAll('.change-input')].forEach((inp, i) => inp.setAttribute('data-testid', `change-${i}`));
  addLine();

  const actorSel = select({ 'data-testid': 'helper-actor' }, [{ value: '', label: '— actor —' }, ...(sc().actors || []).map((a) => ({ value: a.id, label: `${a.name || a.id} (${a.id})` }))], '');
  const issueSel = select({ 'data-testid': 'helper-issue' }, [{ value: '', label: '— issue —' }, ...(sc().issues || []).map((i) => ({ value: i.id, label: i.id }))], '');
  const quantSel = select({ 'data-testid': 'helper-quantity' }, QUANT, 'capability');
  const opSel = select({ 'data-testid': 'helper-op' }, OPS, '*=');
  const valueIn = h('input', { type: 'text', inputmode: 'decimal', class: 'short', 'data-testid': 'helper-value', placeholder: 'value', value: '0.5' });
  const preview = h('code', { class: 'preview', 'data-testid': 'helper-preview' });
  const helperChoice = () => {
    const op = opSel.value;
    const q = quantSel.value;
    // an issue only counts where the change needs one
    const issue = op === 'drop' || (op !== 'fix' && q === 'capability') ? '' : issueSel.value;
    return { actor: actorSel.value, issue, quantity: q, op, value: valueIn.value };
  };
  const syncHelper = () => {
    let text;
    try { text = changeLine(helperChoice()); } catch (e) { text = `(${e.message})`; }
    replace(preview, text);
  };
  for (const el of [actorSel, issueSel, quantSel, opSel]) el.addEventListener('change', syncHelper);
  valueIn.addEventListener('input', syncHelper);
  syncHelper();
  const appendChange = () => {
    let line;
    try {
      line = changeLine(helperChoice());
    } catch (e) { showError(`Cannot build the change: ${e.message}.`); return; }
    const empty = [...lines.querySelectorAll('.change-input')].find((inp) => !inp.value.trim());
    if (empty) empty.value = line; else addLine(line);
  };

  const loadIntoForm = (w) => {
    idIn.value = w.id; titleIn.value = w.title || ''; descIn.value = w.description || '';
    clear(lines);
    for (const c of w.changes || []) addLine(String(c));
    if (!lines.children.length) addLine();
    idIn.focus();
  };

  const addWhatif = () => {
    const id = idIn.value.trim();
    const changes = [...lines.querySelectorAll('.change-input')].map((i) => i.value.trim()).filter(Boolean);
    if (!ID_RE.test(id)) { showError('A what-if needs an id: letters, digits, _ and -, no spaces.'); return; }
    if (!changes.length) { showError('A what-if needs at least one change.'); return; }
    const w = { id, title: titleIn.value.trim() || id, changes };
    if (descIn.value.trim()) w.description = descIn.value.trim();
    const at = whatifs.findIndex((x) => x.id === id);
    if (at >= 0) whatifs[at] = w; else whatifs.push(w);
    checked.add(id);
    dirty = true;
    renderList();
    idIn.value = ''; titleIn.value = ''; descIn.value = '';
    clear(lines); addLine();
  };

  // after a save, "Undo" restores the version before it (the scenario's undo: a new version)
  let undoable = null;   // the version our save produced, while it is the latest we know of
  const undoBox = h('span', { class: 'undo-whatifs' });
  const renderUndo = () => {
    if (undoable === null || dirty || view.doc.version !== undoable) { clear(undoBox); return; }
    replace(undoBox,
      h('button', { type: 'button', 'data-testid': 'undo-whatifs', title: 'Restore the what-ifs (and everything else) as they were before this save; saved as a new version', onClick: (ev) => undo(ev.currentTarget) }, 'Undo this save'),
      h('span', { class: 'muted small' }, ` saved as version ${undoable}`));
  };
  const adopt = (doc) => {
    view.doc = doc;
    if (view.setVersion) view.setVersion(doc.version);
    whatifs = clone(doc.whatifs || []);
    checked.clear();
    for (const w of whatifs) checked.add(w.id);
    dirty = false;
    renderList();
  };
  const save = async (button) => {
    try {
      const doc = await withBusyButton(button, 'saving…', () => api.put(`${view.base}/whatifs`, { version: view.doc.version, whatifs }));
      if (!view.ctx.alive()) return;
      const keep = new Set(checked);
      adopt(doc);
      for (const w of whatifs) if (!keep.has(w.id)) checked.delete(w.id);
      renderList();
      undoable = doc.version;
      renderUndo();
      showInfo(`Saved ${whatifs.length} what-if${whatifs.length === 1 ? '' : 's'} (version ${doc.version}).`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) showError(`${e.detail} Reload the page to see the other changes.`, 'Not saved');
      else showError(e, 'Save what-ifs');
    }
  };
  const undo = async (button) => {
    try {
      const doc = await withBusyButton(button, 'undoing…', () => api.post(`${view.base}/undo`, { version: view.doc.version }));
      if (!view.ctx.alive()) return;
      adopt(doc);
      undoable = null;
      renderUndo();
      showInfo(`Undone: the what-ifs are back as they were (saved as version ${doc.version}).`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        undoable = null;
        renderUndo();
        showError(`${e.detail} Reload the page to see the other changes.`, 'Not undone');
      } else showError(e, 'Undo');
    }
  };

  // ---- comparison
  const drawsIn = h('input', { type: 'number', min: 1, step: 1, value: 1000, class: 'short', 'data-testid': 'compare-draws' });
  const progressBox = h('div', {});
  const out = h('div', {});
  const compare = async (button) => {
    const models = view.selectedModels();
    const chosen = whatifs.filter((w) => checked.has(w.id)).map((w) => ({ id: w.id, title: w.title || w.id, changes: w.changes || [] }));
    const draws = Math.floor(Number(drawsIn.value));
    if (!models.length) { showError('Tick at least one model (at the top of the page).'); return; }
    if (!chosen.length) { showError('Tick at least one what-if to compare with the baseline.'); return; }
    if (!(draws >= 1)) { showError('Draws must be a whole number of at least 1.'); return; }
    const bar = progressBar('starting…');
    replace(progressBox, bar.el);
    clear(out);
    try {
      await withBusyButton(button, 'comparing…', async () => {
        const done = await runJob(() => api.post(`${view.base}/compare`, { whatifs: chosen, models, draws }), bar, view.ctx.alive);
        if (!view.ctx.alive()) return;
        clear(progressBox);
        replace(out, compareTable((done.result || {}).rows || [], view));
      });
    } catch (e) { clear(progressBox); if (e.cancelled && e.body.status) showInfo('Comparison cancelled.', 3000); else showError(e, 'Compare'); }
  };

  renderList();
  return h('section', { class: 'card', 'data-testid': 'whatif-section' },
    h('div', { class: 'card-head' }, h('h2', {}, 'What-ifs'), dirtyNote),
    h('div', { class: 'whatif-layout' },
      h('div', {}, h('h3', {}, 'Saved with the scenario'), listBox,
        h('div', { class: 'actions' },
          h('button', { type: 'button', 'data-testid': 'save-whatifs', onClick: (ev) => save(ev.currentTarget) }, 'Save what-ifs'),
          undoBox)),
      h('div', { class: 'whatif-form' }, h('h3', {}, 'New what-if'),
        h('div', { class: 'row' }, field('id', idIn), field('title', titleIn)),
        field('description', descIn),
        h('div', { class: 'field' }, h('span', { class: 'field-label' }, 'changes'), lines,
          h('div', { class: 'actions' }, h('button', { type: 'button', class: 'small', 'data-testid': 'add-change', onClick: () => addLine().focus() }, 'add change'))),
        h('div', { class: 'helper' },
          h('span', { class: 'muted small' }, 'helper:'), actorSel, issueSel, quantSel, opSel, valueIn,
          h('button', { type: 'button', class: 'small', 'data-testid': 'append-change', onClick: appendChange }, 'append'),
          h('div', { class: 'preview-line small' }, h('span', { class: 'muted' }, 'gives '), preview)),
        h('p', { class: 'muted small' }, 'Vocabulary: ', h('code', {}, 'actor.capability *= 0.5'), ', ', h('code', {}, 'actor.issue.salience += 0.1'), ', ',
          h('code', {}, 'actor.issue.position = 60'), ', ', h('code', {}, 'issue.status_quo = 20'), ', ', h('code', {}, 'drop actor'), ', ',
          h('code', {}, 'fix actor.issue'), ', ', h('code', {}, 'merge a b as c'), '.'),
        h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', 'data-testid': 'add-whatif', onClick: addWhatif }, 'Add to the list')))),
    h('div', { class: 'card-head compare-head' }, h('h3', {}, 'Compare'),
      h('span', { class: 'muted small' }, 'the ticked what-ifs against the baseline, with the ticked models; the same draws for every variant'),
      field('draws', drawsIn),
      h('button', { type: 'button', class: 'primary', 'data-testid': 'run-compare', onClick: (ev) => compare(ev.currentTarget) }, 'Compare')),
    progressBox, out);
}

/** rows: [{variant, title, model, issue, forecast, mean, q05, q50, q95}] → a table issue × model by variant. */
export function compareTable(rows, view) {
  const sc = view.scenario;
  if (!rows.length) return emptyNote('The comparison returned no rows.');
  const variants = [];
  for (const r of rows) if (!variants.some((v) => v.id === r.variant)) variants.push({ id: r.variant, title: r.title || r.variant });
  variants.sort((a, b) => (a.id === 'baseline' ? -1 : b.id === 'baseline' ? 1 : 0));
  const issueOrder = (sc.issues || []).map((i) => i.id);
  const issues = [...new Set(rows.map((r) => r.issue))].sort((a, b) => issueOrder.indexOf(a) - issueOrder.indexOf(b));
  const models = [...new Set(rows.map((r) => r.model))];
  const find = (v, m, i) => rows.find((r) => r.variant === v && r.model === m && r.issue === i);
  const issueName = (id) => ((sc.issues || []).find((x) => x.id === id) || {}).name || id;
  const diffBadge = (d, threshold) => {
    if (!Number.isFinite(d)) return null;
    const cls = Math.abs(d) < threshold ? 'diff-none' : d > 0 ? 'diff-up' : 'diff-down';
    return h('span', { class: ['diff', cls] }, fmtSigned(d, 1));
  };
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data compare', 'data-testid': 'compare-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'issue'), h('th', {}, 'model'),
      variants.map((v) => h('th', { class: 'num', title: v.title, 'data-variant': v.id }, v.id === 'baseline' ? 'baseline' : v.id,
        v.id !== 'baseline' ? h('div', { class: 'muted small th-sub' }, v.title) : null)))),
    h('tbody', {}, issues.flatMap((iss) => models.map((m, mi) => {
      const base = find('baseline', m, iss);
      return h('tr', { 'data-testid': `compare-row-${iss}-${m}`, class: mi === 0 ? 'group-first' : null },
        mi === 0 ? h('th', { scope: 'row', rowspan: models.length, class: 'group-label' }, issueName(iss)) : null, h('td', {}, m),
        variants.map((v) => {
          const r = find(v.id, m, iss);
          if (!r) return h('td', { class: 'num muted' }, '—');
          const isBase = v.id === 'baseline';
          const df = base && !isBase ? Number(r.forecast) - Number(base.forecast) : NaN;
          const dm = base && !isBase ? Number(r.q50) - Number(base.q50) : NaN;
          const changed = !isBase && ((Number.isFinite(df) && Math.abs(df) >= 0.05) || (Number.isFinite(dm) && Math.abs(dm) >= 0.5));
          return h('td', { class: ['num', 'compare-cell', changed ? 'changed' : ''], 'data-testid': `compare-${v.id}-${iss}-${m}`,
            title: `${v.title}\npoint forecast ${fmt(r.forecast, 2)}; mean ${fmt(r.mean, 2)}; median ${fmt(r.q50, 2)}; 5%–95% ${fmt(r.q05, 1)}–${fmt(r.q95, 1)}` },
          h('div', {}, h('span', { class: 'big-num' }, fmt(r.forecast, 1)), ' ', diffBadge(df, 0.05)),
          h('div', { class: 'muted small' }, `q50 ${fmt(r.q50, 1)} `, diffBadge(dm, 0.5)),
          h('div', { class: 'muted small' }, `${fmt(r.q05, 1)}–${fmt(r.q95, 1)}`));
        }));
    })))),
  h('p', { class: 'muted small' }, 'Each cell: the point forecast (every number at its value), the median of the draws and the 5%–95% range. Highlighted: a what-if that moves the forecast or the median against the baseline.'));
}

