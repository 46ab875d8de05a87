// #/s/{id} : the scenario editor (actors × issues table, details, history, undo, actors).
import { h, replace, clear, fmt, fmtDate, select, field, downloadBlob, safeHref } from '../dom.js';
import { api, enc, ApiError } from '../api.js';
import { showError, showInfo, busy, withBusyButton, emptyNote, clearMessages } from '../ui.js';
import {
  KINDS, estimate, cellKey, parseKey, cellTestId, inputKey, getEstimate, hasStance, issueScale,
  actorName, issueById, sourceById, clone,
} from '../scenario-data.js';

const DECISION_RULES = [
  ['bargaining', 'bargaining (no formal rule)'], ['veto', 'veto: every veto player must agree'],
  ['majority', 'majority of the voters'], ['qualified_majority', 'qualified majority'], ['single', 'one actor decides'],
];

const EXPORTS = [
  { format: 'yaml', label: 'YAML', ext: 'yaml' },
  { format: 'json', label: 'JSON', ext: 'json' },
  { format: 'csv', label: 'CSV', ext: 'csv' },
  { format: 'ktab-csv', label: 'KTAB CSV', ext: 'ktab.csv' },
];

export async function render(root, params, ctx) {
  const id = params.id;
  root.append(busy('Loading the scenario…'));
  const doc = await api.get(`/api/scenarios/${enc(id)}`);
  if (!ctx.alive()) return;
  clear(root);
  new Editor(root, id, doc, ctx);
}

/** The text of a 409 banner: who saved which version. */
export function conflictText(err) {
  const b = (err && err.body) || {};
  const who = b.updated_by || b.author || b.saved_by || (b.current && b.current.updated_by);
  const version = b.version ?? b.current_version ?? (b.current && b.current.version);
  if (who && version !== undefined && version !== null) return `${who} saved version ${version} while you were editing.`;
  return err.detail || 'Someone saved a newer version while you were editing.';
}

class Editor {
  constructor(root, id, doc, ctx) {
    this.root = root;
    this.id = id;
    this.ctx = ctx;
    this.doc = doc;
    this.selected = null;        // cell key
    this.errors = new Map();     // cell key → {typed, problems}
    this.cells = new Map();      // cell key → td
    this.editing = null;         // {key, input}
    this.showAllRisk = false;

    this.headBox = h('div', { class: 'page-head editor-head' });
    this.conflictBox = h('div', { class: 'conflict-box' });
    this.tableBox = h('div', { class: 'table-wrap editor-wrap' });
    this.detailsBox = h('aside', { class: 'card details', 'data-testid': 'details', 'aria-label': 'details' });
    this.historyBox = h('div', { class: 'history-list' });
    this.actorsBox = h('div', {});
    this.metaBox = h('div', { class: 'meta-form' });
    this.actorEditBox = h('div', {});
    this.issuesBox = h('div', { class: 'issue-forms' });
    const riskToggle = h('input', { type: 'checkbox', 'data-testid': 'show-risk', onChange: (ev) => { this.showAllRisk = ev.target.checked; this.renderTable(); } });

    root.append(
      this.headBox,
      this.conflictBox,
      h('div', { class: 'editor-grid' },
        h('div', { class: 'editor-main' },
          h('section', { class: 'card' },
            h('div', { class: 'card-head' },
              h('h2', {}, 'Actors × issues'),
              h('span', { class: 'muted small' }, 'Click a number to edit it: Enter or leaving the cell saves, Escape cancels.'),
              h('label', { class: 'inline small' }, riskToggle, ' risk columns on every issue')),
            this.tableBox),
          h('div', { class: 'two-col' },
            h('section', { class: 'card', 'data-testid': 'history' },
              h('div', { class: 'card-head' }, h('h2', {}, 'History'),
                h('button', { type: 'button', 'data-testid': 'undo', title: 'Restore the state before the latest change (saved as a new version)', onClick: (ev) => this.undo(ev.currentTarget) }, 'Undo latest change')),
              this.historyBox),
            this.actorsBox),
          h('section', { class: 'card', 'data-testid': 'scenario-details' },
            h('div', { class: 'card-head' }, h('h2', {}, 'Scenario and issues'),
              h('span', { class: 'muted small' }, 'Each “Save” stores its own part as a new version; problems show next to the field.')),
            this.metaBox, this.issuesBox),
          h('section', { class: 'card', 'data-testid': 'actors-card' },
            h('div', { class: 'card-head' }, h('h2', {}, 'Actors'),
              h('span', { class: 'muted small' }, 'name and kind; the numbers are edited in the table')),
            this.actorEditBox)),
        this.detailsBox));
    this.renderAll();
    this.loadHistory();
  }

  get scenario() { return this.doc.scenario || {}; }
  get base() { return `/api/scenarios/${enc(this.id)}`; }

  renderAll() {
    this.renderHead();
    this.renderTable();
    this.renderDetails();
    this.renderActorsForm();
    this.renderMetaForm();
    this.renderIssueForms();
  }

  setDoc(doc) {
    this.doc = doc;
    replace(this.conflictBox);
  }

  // ---------------------------------------------------------------- header
  renderHead() {
    const sc = this.scenario;
    this.ctx.setScenarioTitle(sc.title || this.id);
    replace(this.headBox,
      h('div', {},
        h('h1', { 'data-testid': 'scenario-title' }, sc.title || this.id),
        h('div', { class: 'meta' },
          h('span', {}, 'id ', h('code', {}, this.id)),
          sc.as_of ? h('span', { 'data-testid': 'scenario-as-of' }, 'as of ', String(sc.as_of)) : null,
          h('span', { 'data-testid': 'scenario-version' }, 'version ', String(this.doc.version)),
          this.doc.updated_by ? h('span', {}, 'saved by ', this.doc.updated_by, ' ', fmtDate(this.doc.updated_at)) : null),
        sc.description ? h('details', { class: 'description' }, h('summary', {}, 'description'), h('p', {}, sc.description)) : null,
        sc.notes ? h('details', { class: 'description', 'data-testid': 'scenario-notes', open: /^gaps:/.test(sc.notes) },
          h('summary', {}, /^gaps:/.test(sc.notes) ? 'notes: gaps to fill in' : 'notes'),
          h('pre', { class: 'small' }, sc.notes)) : null),
      h('div', { class: 'exports' }, h('span', { class: 'muted small' }, 'export'),
        EXPORTS.map((ex) => h('button', {
          type: 'button', class: 'small', 'data-testid': `export-${ex.format}`,
          onClick: (ev) => this.exportFile(ev.currentTarget, ex),
        }, ex.label))));
  }

  async exportFile(button, ex) {
    try {
      await withBusyButton(button, '…', async () => {
        const res = await api.get(`${this.base}/export?format=${enc(ex.format)}`, { raw: true });
        const blob = await res.blob();
        const cd = res.headers.get('content-disposition') || '';
        const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd);
        let name = m ? decodeURIComponent(m[1]) : `${this.id}.${ex.ext}`;
        name = name.replace(/[\\/]/g, '_');
        downloadBlob(blob, name);
      });
    } catch (e) { showError(e, 'Export'); }
  }

  // ---------------------------------------------------------------- table
  riskIssues() {
    const sc = this.scenario;
    const out = new Set();
    for (const iss of sc.issues || []) {
      if (this.showAllRisk || (sc.actors || []).some((a) => a.stances && a.stances[iss.id] && a.stances[iss.id].risk !== undefined && a.stances[iss.id].risk !== null)) out.add(iss.id);
    }
    return out;
  }

  renderTable() {
    const sc = this.scenario;
    const issues = sc.issues || [];
    const actors = sc.actors || [];
    const risk = this.riskIssues();
    this.cells.clear();
    this.editing = null;
    if (!actors.length && !issues.length) {
      replace(this.tableBox, emptyNote('This scenario has no actors or issues yet: add an actor below.'));
    }
    const quantities = (iss) => (risk.has(iss.id) ? ['position', 'salience', 'risk'] : ['position', 'salience']);
    const head1 = h('tr', {},
      h('th', { rowspan: 2, class: 'actor-col' }, 'actor', h('div', { class: 'muted small' }, 'id · kind')),
      h('th', { rowspan: 2, class: 'num' }, 'capability'),
      issues.map((iss) => {
        const [lo, hi] = issueScale(iss);
        const sq = estimate(iss.status_quo);
        return h('th', {
          colspan: quantities(iss).length, class: 'issue-head', 'data-testid': `issue-${iss.id}`,
          title: `${iss.name || iss.id}\nlow (${fmt(lo)}): ${iss.low || ''}\nhigh (${fmt(hi)}): ${iss.high || ''}`,
        }, h('div', { class: 'issue-name' }, iss.name || iss.id),
        h('div', { class: 'muted small' }, `${fmt(lo)}–${fmt(hi)}`, sq ? ` · status quo ${fmt(sq.value)}` : ''));
      }),
      h('th', { rowspan: 2 }, ''));
    const head2 = h('tr', {}, issues.flatMap((iss) => quantities(iss).map((q, i) => h('th', {
      class: ['num', 'sub', i === 0 ? 'group-start' : ''],
      title: q === 'position' ? `position on the scale ${issueScale(iss).join('–')}` : q === 'salience' ? 'salience in [0, 1]' : 'risk attitude in [-1, 1]',
    }, q))));
    const body = h('tbody', {}, actors.map((a) => h('tr', { 'data-testid': `actor-row-${a.id}` },
      h('th', { scope: 'row', class: 'actor-col', title: a.description || null },
        h('div', { class: 'actor-name' }, a.name || a.id),
        h('div', { class: 'muted small' }, h('span', {}, a.id), a.kind ? ` · ${a.kind}` : '')),
      this.cellTd(a.id, null, 'capability'),
      issues.flatMap((iss) => quantities(iss).map((q, i) => this.cellTd(a.id, iss.id, q, i === 0))),
      h('td', { class: 'row-actions' }, h('button', {
        type: 'button', class: 'icon-button', title: `Remove ${a.name || a.id}`, 'aria-label': `Remove ${a.name || a.id}`,
        'data-testid': `remove-actor-${a.id}`, onClick: (ev) => this.removeActor(a, ev.currentTarget),
      }, '×')))));
    replace(this.tableBox, h('table', { class: 'data editor-table', 'data-testid': 'editor-table' },
      h('thead', {}, head1, head2), body));
    this.fitTable();
  }

  /** End the grid's scroll box inside the window, whatever the heading above it takes, so its last row
   * can be scrolled fully into view without scrolling the page. */
  fitTable() {
    if (!this.fitting) {
      this.fitting = () => { if (this.ctx.alive()) this.fitTable(); else window.removeEventListener('resize', this.fitting); };
      window.addEventListener('resize', this.fitting);
    }
    const top = this.tableBox.getBoundingClientRect().top + window.scrollY;
    this.tableBox.style.maxHeight = `${Math.max(320, Math.floor(window.innerHeight - top - 16))}px`;
  }

  cellTd(actor, issue, quantity, groupStart = false) {
    const key = cellKey(actor, issue, quantity);
    const est = getEstimate(this.scenario, actor, issue, quantity);
    const err = this.errors.get(key);
    const stance = issue ? hasStance(this.scenario, actor, issue) : true;
    const raw = issue && stance ? this.scenario.actors.find((a) => a.id === actor).stances[issue] : null;
    const td = h('td', {
      class: ['num', 'cell', groupStart ? 'group-start' : '', this.selected === key ? 'selected' : '', err ? 'has-error' : '',
        est ? '' : 'empty', est && est.source ? 'sourced' : ''],
      'data-testid': cellTestId(actor, issue, quantity), 'data-key': key, tabindex: 0,
      title: !stance ? 'no stance on this issue: type a number to add one' : null,
      onClick: () => this.startEdit(key),
      onKeydown: (ev) => { if (ev.target === td && (ev.key === 'Enter' || ev.key === 'F2')) { ev.preventDefault(); this.startEdit(key); } },
    });
    if (err) {
      td.append(h('span', { class: 'cell-value error-value' }, err.typed ?? (est ? fmt(est.value, 4) : '')));
      if (err.problems.length) {
        td.append(h('div', { class: 'cell-problem', role: 'alert', 'data-testid': 'problem-' + cellTestId(actor, issue, quantity).slice(5) },
          err.problems.map((p) => h('div', {}, h('span', { class: 'rule' }, p.rule || p.detail || 'invalid'),
            p.fix ? h('span', { class: 'fix' }, ' fix: ' + p.fix) : null))));
      }
    } else if (est) {
      td.append(h('span', { class: 'cell-value' }, fmt(est.value, 3)));
      if (quantity === 'position' && raw && raw.fixed) td.append(h('span', { class: 'badge', title: 'fixed: the actor keeps this position' }, 'fixed'));
      if (est.low !== null && est.high !== null) td.append(h('div', { class: 'cell-range' }, `${fmt(est.low, 3)}–${fmt(est.high, 3)}`));
    } else {
      td.append(h('span', { class: 'muted' }, stance || quantity === 'capability' ? '–' : '·'));
    }
    this.cells.set(key, td);
    return td;
  }

  refreshCell(key) {
    const old = this.cells.get(key);
    if (!old || !old.isConnected) return;
    const { actor, issue, quantity } = parseKey(key);
    const td = this.cellTd(actor, issue, quantity, old.classList.contains('group-start'));
    old.replaceWith(td);
  }

  select(key) {
    const prev = this.selected;
    this.selected = key;
    if (prev && prev !== key) { const td = this.cells.get(prev); if (td) td.classList.remove('selected'); }
    const td = this.cells.get(key);
    if (td) td.classList.add('selected');
    this.renderDetails();
  }

  startEdit(key) {
    if (this.editing && this.editing.key === key) return;
    this.select(key);
    const td = this.cells.get(key);
    if (!td) return;
    const { actor, issue, quantity } = parseKey(key);
    const est = getEstimate(this.scenario, actor, issue, quantity);
    const err = this.errors.get(key);
    const start = err && err.typed !== undefined ? String(err.typed) : est ? String(est.value) : '';
    const input = h('input', {
      type: 'text', inputmode: 'decimal', class: 'cell-input', value: start, 'data-testid': 'cell-input',
      'aria-label': `${actor} ${issue || ''} ${quantity}`, autocomplete: 'off',
    });
    let finished = false;
    const finish = (save) => {
      if (finished) return;
      finished = true;
      if (this.editing && this.editing.input === input) this.editing = null;
      if (save) this.commit(key, input.value);
      else { this.errors.delete(key); this.refreshCell(key); this.renderDetails(); }
    };
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') { ev.preventDefault(); finish(true); }
      else if (ev.key === 'Escape') { ev.preventDefault(); finish(false); }
      ev.stopPropagation();
    });
    input.addEventListener('blur', () => finish(true));
    input.addEventListener('click', (ev) => ev.stopPropagation());
    clear(td);
    td.classList.add('editing');
    td.append(input);
    this.editing = { key, input };
    input.focus();
    input.select();
  }

  async commit(key, typed) {
    const { actor, issue, quantity } = parseKey(key);
    const est = getEstimate(this.scenario, actor, issue, quantity);
    const text = String(typed).trim();
    if (text === '') { this.errors.delete(key); this.refreshCell(key); return; }
    const value = Number(text.replace(/^\+/, ''));
    if (!Number.isFinite(value)) {
      this.errors.set(key, { typed: text, problems: [{ rule: 'not a number', fix: 'type a number such as 0.5 or 60' }] });
      this.refreshCell(key);
      this.renderDetails();
      return;
    }
    if (est && value === Number(est.value) && !this.errors.has(key)) { this.refreshCell(key); return; }
    // show the typed value while saving
    this.errors.delete(key);
    const td = this.cells.get(key);
    if (td) { clear(td); td.classList.remove('editing'); td.classList.add('saving'); td.append(h('span', { class: 'cell-value' }, text)); }
    const label = issue ? `${actorName(this.scenario, actor)} · ${issue} · ${quantity}` : `${actorName(this.scenario, actor)} · capability`;
    try {
      let doc;
      const newStance = issue && !hasStance(this.scenario, actor, issue);
      if (newStance) {
        const sc = clone(this.scenario);
        const a = sc.actors.find((x) => x.id === actor);
        const [lo, hi] = issueScale(issueById(sc, issue));
        a.stances = a.stances || {};
        a.stances[issue] = { position: (lo + hi) / 2, salience: 0.5 };
        a.stances[issue][quantity] = value;
        doc = await api.put(this.base, { version: this.doc.version, scenario: sc, summary: `add a stance of ${actor} on ${issue}` });
      } else {
        const edit = { actor, quantity, value };
        if (issue) edit.issue = issue;
        doc = await api.patch(`${this.base}/cells`, { version: this.doc.version, edits: [edit], summary: `${label} = ${text}` });
      }
      if (!this.ctx.alive()) return;
      this.setDoc(doc);
      clearMessages('write');
      if (newStance) this.renderTable(); else this.refreshCell(key);
      this.renderHead();
      this.renderDetails();
      this.loadHistory();
    } catch (e) {
      if (!this.ctx.alive()) return;
      this.writeFailed(e, key, text);
    }
  }

  /** A write failed: 409 → banner; 422 → problems next to their cells; else a message. */
  writeFailed(e, key, typed) {
    if (e instanceof ApiError && e.status === 409) {
      this.showConflict(e);
      if (key) this.errors.set(key, { typed, problems: [{ rule: 'not saved: the scenario changed', fix: 'reload, then make the change again' }] });
    } else if (e instanceof ApiError && e.status === 422 && e.problems.length) {
      const own = [];
      const located = new Map();
      for (const p of e.problems) {
        if (p.actor && p.quantity) {
          const k = cellKey(p.actor, p.quantity === 'capability' ? null : p.issue, p.quantity);
          if (k === key) own.push(p);
          else if (this.cells.has(k)) { if (!located.has(k)) located.set(k, []); located.get(k).push(p); }
          else own.push(p);
        } else own.push(p);
      }
      if (key) this.errors.set(key, { typed, problems: own.length ? own : [{ rule: e.detail }] });
      for (const [k, ps] of located) {
        const prev = this.errors.get(k);
        this.errors.set(k, { typed: prev ? prev.typed : undefined, problems: ps });
        this.refreshCell(k);
      }
      const box = showError(new ApiError(422, e.detail), 'Not saved');
      if (box) { box.dataset.status = '422'; box.dataset.kind = 'write'; }
    } else {
      const box = showError(e, 'Not saved');
      if (box) box.dataset.kind = 'write';
      if (key) this.errors.set(key, { typed, problems: [{ rule: e.detail || String(e) }] });
    }
    if (key) this.refreshCell(key);
    this.renderDetails();
  }

  showConflict(e) {
    replace(this.conflictBox, h('div', { class: 'banner banner-warn', role: 'alert', 'data-testid': 'conflict' },
      h('span', {}, conflictText(e)), ' ',
      h('span', { class: 'muted' }, 'Nothing was overwritten.'), ' ',
      h('button', { type: 'button', class: 'primary small', 'data-testid': 'reload', onClick: () => this.reload() }, 'reload')));
  }

  async reload() {
    try {
      const doc = await api.get(this.base);
      if (!this.ctx.alive()) return;
      this.errors.clear();
      this.setDoc(doc);
      this.renderAll();
      this.loadHistory();
    } catch (e) { showError(e, 'Reload'); }
  }

  // ---------------------------------------------------------------- details
  renderDetails() {
    const box = this.detailsBox;
    if (!this.selected) {
      replace(box, h('h2', {}, 'Details'), h('p', { class: 'muted' }, 'Select a number in the table to see its range, basis and source.'));
      return;
    }
    const { actor, issue, quantity } = parseKey(this.selected);
    const sc = this.scenario;
    const est = getEstimate(sc, actor, issue, quantity);
    const iss = issue ? issueById(sc, issue) : null;
    const err = this.errors.get(this.selected);
    const heading = h('div', { class: 'details-head' },
      h('div', { class: 'details-actor' }, actorName(sc, actor)),
      h('div', { class: 'muted' }, iss ? `${iss.name || issue} · ${quantity}` : quantity));
    if (!est) {
      replace(box, h('h2', {}, 'Details'), heading,
        h('p', { class: 'muted' }, issue && !hasStance(sc, actor, issue)
          ? 'This actor takes no stance on this issue. Type a number in the cell to add one (the other number of the stance starts at the middle of the scale, salience 0.5).'
          : 'No number yet: type one in the cell.'),
        err ? h('ul', { class: 'problem-list' }, err.problems.map(shortProblem)) : null);
      return;
    }
    const low = h('input', { type: 'text', inputmode: 'decimal', 'data-testid': 'details-low', value: est.low ?? '', placeholder: 'exact' });
    const high = h('input', { type: 'text', inputmode: 'decimal', 'data-testid': 'details-high', value: est.high ?? '', placeholder: 'exact' });
    const basis = h('textarea', { rows: 5, 'data-testid': 'details-basis', value: est.basis || '' });
    basis.value = est.basis || '';
    const src = est.source ? sourceById(sc, est.source) : null;
    const evidenceHref = `#/s/${enc(this.id)}/evidence?key=${enc(inputKey(actor, issue, quantity))}&actor=${enc(actor)}` +
      (issue ? `&issue=${enc(issue)}` : '') + `&quantity=${enc(quantity)}`;
    const srcUrl = src && src.url ? safeHref(src.url) : null;
    replace(box,
      h('h2', {}, 'Details'), heading,
      h('dl', { class: 'kv' },
        h('dt', {}, 'value'), h('dd', { class: 'big', 'data-testid': 'details-value' }, fmt(est.value, 4)),
        h('dt', {}, 'range'), h('dd', {}, h('div', { class: 'range-inputs' }, low, h('span', {}, '–'), high),
          h('div', { class: 'actions tight' },
            h('button', { type: 'button', class: 'small', 'data-testid': 'save-range', onClick: (ev) => this.saveRange(ev.currentTarget, low.value, high.value) }, 'Save range'),
            h('button', { type: 'button', class: 'small', 'data-testid': 'make-exact', onClick: (ev) => this.saveRange(ev.currentTarget, '', '') }, 'Make exact'))),
        h('dt', {}, 'distribution'), h('dd', { 'data-testid': 'details-distribution' }, est.low !== null ? (est.distribution || 'uniform') : 'exact (no range)'),
        h('dt', {}, 'source'), h('dd', { 'data-testid': 'details-source' }, src
          ? [srcUrl && /^https?:/i.test(srcUrl) ? h('a', { href: srcUrl, target: '_blank', rel: 'noopener noreferrer' }, src.title || src.id) : (src.title || src.id),
            h('div', { class: 'muted small' }, [src.kind, src.publisher, src.published].filter(Boolean).join(' · '))]
          : est.source ? est.source : h('span', { class: 'muted' }, "analyst's estimate")),
        h('dt', {}, 'where'), h('dd', { 'data-testid': 'details-where' }, est.where || h('span', { class: 'muted' }, '—'))),
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'basis'), basis),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'small', 'data-testid': 'save-basis', onClick: (ev) => this.saveEdit(ev.currentTarget, { basis: basis.value }, 'basis') }, 'Save basis'),
        h('a', { href: evidenceHref, 'data-testid': 'details-evidence-link', class: 'small' }, 'evidence')),
      err ? h('ul', { class: 'problem-list', 'data-testid': 'details-problems' }, err.problems.map(shortProblem)) : null);
  }

  async saveRange(button, lowText, highText) {
    const lo = String(lowText).trim(); const hi = String(highText).trim();
    if ((lo === '') !== (hi === '')) { showError('Give both ends of the range, or neither to make the number exact.'); return; }
    const low = lo === '' ? null : Number(lo); const high = hi === '' ? null : Number(hi);
    if ((low !== null && !Number.isFinite(low)) || (high !== null && !Number.isFinite(high))) { showError('The ends of a range must be numbers.'); return; }
    await this.saveEdit(button, { low, high }, 'range');
  }

  async saveEdit(button, fields, what) {
    const key = this.selected;
    if (!key) return;
    const { actor, issue, quantity } = parseKey(key);
    const edit = { actor, quantity, ...fields };
    if (issue) edit.issue = issue;
    try {
      const doc = await withBusyButton(button, 'saving…', () => api.patch(`${this.base}/cells`, {
        version: this.doc.version, edits: [edit], summary: `${actor}${issue ? '.' + issue : ''}.${quantity}: ${what}`,
      }));
      if (!this.ctx.alive()) return;
      this.errors.delete(key);
      this.setDoc(doc);
      clearMessages('write');
      this.refreshCell(key);
      this.renderHead();
      this.renderDetails();
      this.loadHistory();
      showInfo(`Saved the ${what}.`, 2500);
    } catch (e) {
      if (!this.ctx.alive()) return;
      const err = this.errors.get(key);
      this.writeFailed(e, key, err ? err.typed : undefined);
    }
  }

  // ---------------------------------------------------------------- history
  async loadHistory() {
    try {
      const items = await api.get(`${this.base}/history`);
      if (!this.ctx.alive()) return;
      if (!items.length) { replace(this.historyBox, emptyNote('No changes yet.')); return; }
      replace(this.historyBox, h('ol', { class: 'history' }, items.slice(0, 100).map((it) => h('li', { 'data-testid': `history-${it.version}` },
        h('div', { class: 'history-head' },
          h('strong', {}, `v${it.version}`), ' ', h('span', {}, it.author || ''), ' ',
          h('span', { class: 'muted small' }, fmtDate(it.at))),
        it.summary ? h('div', { class: 'history-summary' }, it.summary) : null,
        it.changes && it.changes.length ? h('ul', { class: 'changes' }, it.changes.slice(0, 20).map((c) => h('li', {}, String(c))),
          it.changes.length > 20 ? h('li', { class: 'muted' }, `… ${it.changes.length - 20} more`) : null) : null))));
    } catch (e) {
      if (this.ctx.alive()) replace(this.historyBox, h('p', { class: 'error-text' }, `History unavailable: ${e.detail || e.message}`));
    }
  }

  async undo(button) {
    try {
      const doc = await withBusyButton(button, 'undoing…', () => api.post(`${this.base}/undo`, { version: this.doc.version }));
      if (!this.ctx.alive()) return;
      this.errors.clear();
      this.setDoc(doc);
      this.renderAll();
      this.loadHistory();
      showInfo(`Undone: saved as version ${doc.version}.`, 3000);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) this.showConflict(e);
      else showError(e, 'Undo');
    }
  }

  // ---------------------------------------------------------------- actors
  renderActorsForm() {
    const idIn = h('input', { type: 'text', required: true, 'data-testid': 'new-actor-id', placeholder: 'e.g. un_sc', pattern: '[A-Za-z0-9_][A-Za-z0-9_.\\-]*' });
    const nameIn = h('input', { type: 'text', required: true, 'data-testid': 'new-actor-name', placeholder: 'e.g. UN Security Council' });
    const kindIn = select({ 'data-testid': 'new-actor-kind' }, KINDS, 'other');
    const capIn = h('input', { type: 'text', inputmode: 'decimal', required: true, 'data-testid': 'new-actor-capability', placeholder: 'e.g. 10' });
    const form = h('form', {
      class: 'add-actor', 'data-testid': 'add-actor-form',
      onSubmit: async (ev) => {
        ev.preventDefault();
        const cap = Number(capIn.value.trim());
        if (!Number.isFinite(cap)) { showError('Capability must be a number (any non-negative scale).'); return; }
        const sc = clone(this.scenario);
        sc.actors = sc.actors || [];
        const actor = { id: idIn.value.trim(), name: nameIn.value.trim(), kind: kindIn.value, capability: cap, stances: {} };
        sc.actors.push(actor);
        try {
          const doc = await withBusyButton(form.querySelector('button[type=submit]'), 'adding…',
            () => api.put(this.base, { version: this.doc.version, scenario: sc, summary: `add actor ${actor.id}` }));
          if (!this.ctx.alive()) return;
          this.setDoc(doc);
          this.renderAll();
          this.loadHistory();
          showInfo(`Added ${actor.name}. Type its positions and saliences in the table.`);
        } catch (e) {
          if (e instanceof ApiError && e.status === 409) this.showConflict(e);
          else showError(e, 'Add actor');
        }
      },
    },
    h('div', { class: 'row' }, field('id', idIn), field('name', nameIn)),
    h('div', { class: 'row' }, field('kind', kindIn), field('capability', capIn)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'add-actor' }, 'Add actor')));
    replace(this.actorsBox, h('section', { class: 'card' }, h('h2', {}, 'Add an actor'), form));
    this.actorRows = new Map();
    const rows = (this.scenario.actors || []).map((a) => this.actorEditRow(a));
    replace(this.actorEditBox, rows.length ? h('div', { class: 'actor-edit-list' }, rows) : emptyNote('No actors yet: add one above.'));
  }

  /** One actor's name and kind, with its own Save button. */
  actorEditRow(a) {
    const nameIn = h('input', { type: 'text', 'data-testid': `actor-name-${a.id}`, value: a.name ?? '', 'aria-label': `name of ${a.id}` });
    const kinds = KINDS.includes(a.kind) || !a.kind ? KINDS : [...KINDS, a.kind];
    const kindIn = select({ 'data-testid': `actor-kind-${a.id}`, 'aria-label': `kind of ${a.id}` }, kinds, a.kind || 'other');
    const form = new FieldForm(`actor-${a.id}`);
    const nameF = form.register('name', nameIn, `actor-name-${a.id}`);
    const kindF = form.register('kind', kindIn, `actor-kind-${a.id}`);
    const save = h('button', { type: 'button', class: 'small', 'data-testid': `save-actor-${a.id}`, onClick: (ev) => this.saveActor(a.id, ev.currentTarget) }, 'Save');
    const el = h('div', { class: 'actor-edit', 'data-actor': a.id },
      h('div', { class: 'actor-edit-row' },
        h('code', { class: 'actor-edit-id', title: a.id }, a.id), nameIn, kindIn, save),
      h('div', { class: 'actor-edit-problems' }, nameF.slot, kindF.slot, form.otherSlot));
    const changed = () => save.classList.toggle('primary', nameIn.value.trim() !== (a.name ?? '') || kindIn.value !== (a.kind || 'other'));
    for (const inp of [nameIn, kindIn]) {
      inp.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); save.click(); } });
      inp.addEventListener('input', changed);
      inp.addEventListener('change', changed);
    }
    this.actorRows.set(a.id, { el, form, nameIn, kindIn });
    return el;
  }

  async saveActor(actorId, button) {
    const row = this.actorRows.get(actorId);
    if (!row) return;
    const sc = clone(this.scenario);
    const i = (sc.actors || []).findIndex((x) => x.id === actorId);
    if (i < 0) { showError(`${actorId} is no longer in the scenario: reload.`); return; }
    const a = sc.actors[i];
    const before = JSON.stringify(a);
    a.name = row.nameIn.value.trim();
    a.kind = row.kindIn.value;
    row.form.clear();
    if (JSON.stringify(a) === before) { this.formMessage(row.form, null); showInfo('Nothing to save: the name and kind are unchanged.', 2500); return; }
    const ok = await this.saveScenario(sc, button, `actor ${actorId}: name and kind`, row.form, [
      [`actors[${i}].name`, 'name'], [`actors[${i}].kind`, 'kind'], [`actors[${i}]`, null]]);
    if (!ok) return;
    this.renderTable();
    this.renderDetails();
    const fresh = (this.scenario.actors || []).find((x) => x.id === actorId);
    if (fresh) row.el.replaceWith(this.actorEditRow(fresh));
    showInfo(`Saved ${fresh ? fresh.name || actorId : actorId}.`, 2500);
  }

  // ---------------------------------------------------------------- scenario and issues
  renderMetaForm() {
    const sc = this.scenario;
    const form = new FieldForm('meta');
    const titleIn = h('input', { type: 'text', 'data-testid': 'edit-title', value: sc.title ?? '' });
    const asOfIn = h('input', { type: 'date', 'data-testid': 'edit-as-of', title: 'the date the numbers describe (may be empty)', value: sc.as_of ? String(sc.as_of).slice(0, 10) : '' });
    const descIn = h('textarea', { rows: 4, 'data-testid': 'edit-description' });
    descIn.value = sc.description ?? '';
    const save = h('button', { type: 'button', class: 'primary', 'data-testid': 'save-meta', onClick: (ev) => this.saveMeta(ev.currentTarget) }, 'Save title, date and description');
    this.meta = { form, titleIn, asOfIn, descIn };
    replace(this.metaBox,
      h('div', { class: 'row' },
        form.field('title', 'title', titleIn, 'edit-title').el,
        form.field('as_of', 'as of', asOfIn, 'edit-as-of').el),
      form.field('description', 'description', descIn, 'edit-description').el,
      form.otherSlot,
      h('div', { class: 'actions' }, save));
    for (const inp of [titleIn, asOfIn]) inp.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); save.click(); } });
  }

  async saveMeta(button) {
    const { form, titleIn, asOfIn, descIn } = this.meta;
    form.clear();
    const sc = clone(this.scenario);
    const before = JSON.stringify([sc.title, sc.as_of, sc.description]);
    sc.title = titleIn.value.trim();
    if (asOfIn.value) sc.as_of = asOfIn.value; else if (asOfIn.validity && asOfIn.validity.badInput) {
      form.show('as_of', [{ rule: 'not a whole date', fix: 'pick a day, or clear the field' }]);
      return;
    } else delete sc.as_of;
    const desc = descIn.value.trim();
    if (desc) sc.description = desc; else delete sc.description;
    if (JSON.stringify([sc.title, sc.as_of, sc.description]) === before) { this.formMessage(form, null); showInfo('Nothing to save: title, date and description are unchanged.', 2500); return; }
    const ok = await this.saveScenario(sc, button, 'title, date and description', form,
      [['title', 'title'], ['as_of', 'as_of'], ['description', 'description']]);
    if (!ok) return;
    this.renderMetaForm();
    showInfo('Saved the title, date and description.', 2500);
  }

  renderIssueForms() {
    this.issueForms = new Map();
    const issues = this.scenario.issues || [];
    if (!issues.length) { replace(this.issuesBox, emptyNote('No issues.')); return; }
    replace(this.issuesBox, issues.map((iss) => this.issueForm(iss)));
  }

  /** One issue: its name, the descriptions of its two ends and its status quo. */
  issueForm(iss) {
    const id = iss.id;
    const [lo, hi] = issueScale(iss);
    const sq = estimate(iss.status_quo);
    const form = new FieldForm(`issue-${id}`);
    const nameIn = h('input', { type: 'text', 'data-testid': `issue-name-${id}`, value: iss.name ?? '' });
    const lowIn = h('textarea', { rows: 3, 'data-testid': `issue-low-${id}` });
    lowIn.value = iss.low ?? '';
    const highIn = h('textarea', { rows: 3, 'data-testid': `issue-high-${id}` });
    highIn.value = iss.high ?? '';
    const sqIn = h('input', { type: 'text', inputmode: 'decimal', class: 'short', 'data-testid': `issue-status-quo-${id}`, value: sq ? String(sq.value ?? '') : '', placeholder: 'none' });
    const sqLow = h('input', { type: 'text', inputmode: 'decimal', class: 'short', 'data-testid': `issue-status-quo-low-${id}`, value: sq && sq.low !== null ? String(sq.low) : '', placeholder: 'exact', 'aria-label': 'status quo range, low end' });
    const sqHigh = h('input', { type: 'text', inputmode: 'decimal', class: 'short', 'data-testid': `issue-status-quo-high-${id}`, value: sq && sq.high !== null ? String(sq.high) : '', placeholder: 'exact', 'aria-label': 'status quo range, high end' });
    const save = h('button', { type: 'button', class: 'primary small', 'data-testid': `save-issue-${id}`, onClick: (ev) => this.saveIssue(id, ev.currentTarget) }, 'Save issue');
    const sqField = form.field('status_quo', 'status quo', h('div', { class: 'sq-inputs' }, sqIn, h('span', { class: 'muted small' }, 'range'), sqLow, h('span', {}, '–'), sqHigh),
      `issue-status-quo-${id}`, `a number in ${fmt(lo)}–${fmt(hi)}, with an optional range; empty: no status quo`);
    const rule = this.decisionFields(iss, form);
    const happened = this.outcomeFields(iss, form);
    const sqNote = sq && (sq.basis || sq.source || sq.where)
      ? h('p', { class: 'muted small sq-note' }, [sq.source ? `source ${sq.source}` : "analyst's estimate", sq.where, sq.basis ? `basis: ${sq.basis}` : null].filter(Boolean).join(' · '))
      : null;
    const el = h('div', { class: 'issue-form', 'data-issue': id },
      h('div', { class: 'issue-form-head' }, h('code', {}, id), h('span', { class: 'muted small' }, `scale ${fmt(lo)}–${fmt(hi)}`)),
      form.field('name', 'name', nameIn, `issue-name-${id}`).el,
      h('div', { class: 'row ends' },
        form.field('low', `low end (${fmt(lo)})`, lowIn, `issue-low-${id}`).el,
        form.field('high', `high end (${fmt(hi)})`, highIn, `issue-high-${id}`).el),
      sqField.el, sqNote,
      rule.el,
      happened.el,
      form.otherSlot,
      h('div', { class: 'actions' }, save));
    nameIn.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); save.click(); } });
    for (const inp of [sqIn, sqLow, sqHigh]) inp.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); save.click(); } });
    this.issueForms.set(id, { el, form, nameIn, lowIn, highIn, sqIn, sqLow, sqHigh, rule, happened });
    return el;
  }

  /**
   * What happened on an issue, for backtests: the observed outcome that is scored (the first one),
   * with an optional range, its date, source and basis; later observations are kept as they are.
   * Returns {el, read()}: read() gives {outcomes} (null: none) or {problems} found before saving.
   */
  outcomeFields(iss, form) {
    const id = iss.id;
    const [first, ...later] = iss.outcomes || [];
    const o = first || {};
    const range = Array.isArray(o.range) ? o.range : [];
    const input = (testid, value, placeholder, label) => h('input', { type: 'text', class: 'short', 'data-testid': testid,
      value: value !== undefined && value !== null ? String(value) : '', placeholder, 'aria-label': label });
    const valueIn = input(`issue-outcome-${id}`, o.value, 'none', 'observed outcome');
    const lowIn = input(`issue-outcome-low-${id}`, range[0], 'exact', 'observed outcome, low end');
    const highIn = input(`issue-outcome-high-${id}`, range[1], 'exact', 'observed outcome, high end');
    const dateIn = h('input', { type: 'date', 'data-testid': `issue-outcome-date-${id}`, value: o.date ? String(o.date) : '' });
    const sources = (this.scenario.sources || []).map((src) => ({ value: src.id, label: src.title ? `${src.id}: ${src.title}` : src.id }));
    const sourceIn = select({ 'data-testid': `issue-outcome-source-${id}` }, [{ value: '', label: 'none' }, ...sources], o.source || '');
    const basisIn = h('textarea', { rows: 2, 'data-testid': `issue-outcome-basis-${id}` });
    basisIn.value = o.basis ?? '';
    const valueField = form.field('outcome', 'observed outcome', h('div', { class: 'sq-inputs' }, valueIn,
      h('span', { class: 'muted small' }, 'range'), lowIn, h('span', {}, '–'), highIn), `issue-outcome-${id}`,
      'where the issue ended up, on its scale; empty: not known yet');
    const dateField = form.field('outcome_date', 'observed on', dateIn, `issue-outcome-date-${id}`);
    const sourceField = form.field('outcome_source', 'source', sourceIn, `issue-outcome-source-${id}`);
    const basisField = form.field('outcome_basis', 'what happened', basisIn, `issue-outcome-basis-${id}`);
    const el = h('fieldset', { class: 'rule-form', 'data-testid': `issue-outcome-form-${id}` },
      h('legend', {}, 'what happened'), valueField.el,
      h('div', { class: 'row ends' }, dateField.el, sourceField.el), basisField.el,
      later.length ? h('p', { class: 'muted small' }, `${later.length} later ${later.length === 1 ? 'observation is' : 'observations are'} kept as they are.`) : null);

    const read = () => {
      const num = (t) => Number(String(t).trim().replace(/^\+/, ''));
      const v = valueIn.value.trim(); const a = lowIn.value.trim(); const b = highIn.value.trim();
      if (v === '') {
        if (a !== '' || b !== '' || dateIn.value || basisIn.value.trim()) {
          return { problems: [['outcome', { rule: 'an observation needs its value', fix: 'type where the issue ended up, or clear the other fields' }]] };
        }
        return { outcomes: later.length ? later : null };
      }
      const problems = [];
      if (!Number.isFinite(num(v))) problems.push(['outcome', { rule: 'not a number', fix: 'type a number such as 70' }]);
      else if ((a === '') !== (b === '')) problems.push(['outcome', { rule: 'give both ends of the range, or neither', fix: 'an exact outcome has no range' }]);
      else if (a !== '' && !(Number.isFinite(num(a)) && Number.isFinite(num(b)))) problems.push(['outcome', { rule: 'the ends of the range must be numbers', fix: 'type numbers such as 60 and 80' }]);
      if (!dateIn.value) problems.push(['outcome_date', { rule: 'an observation needs its date', fix: 'pick the day the outcome was observed' }]);
      if (problems.length) return { problems };
      const out = { ...o, value: num(v), date: dateIn.value };
      if (a !== '') out.range = [num(a), num(b)]; else delete out.range;
      if (sourceIn.value) out.source = sourceIn.value; else delete out.source;
      const basis = basisIn.value.trim();
      if (basis) out.basis = basis; else delete out.basis;
      return { outcomes: [out, ...later] };
    };
    return { el, read };
  }

  /**
   * Who must agree on an issue: the decision rule, its members (veto players with what each would
   * sign, or voters with their weights), the decider or agenda setter, the threshold and the basis.
   * Returns {el, read()}: read() gives {decision} (null: no rule) or {problems} found before saving.
   */
  decisionFields(iss, form) {
    const id = iss.id;
    const d = iss.decision || { rule: 'bargaining' };
    const actors = this.scenario.actors || [];
    const nameOf = (a) => a.name || a.id;
    const ruleIn = select({ 'data-testid': `issue-rule-${id}` }, DECISION_RULES.map(([value, label]) => ({ value, label })), d.rule || 'bargaining');
    const people = (testid, current, none) => select({ 'data-testid': testid },
      [{ value: '', label: none }, ...actors.map((a) => ({ value: a.id, label: nameOf(a) }))], current || '');
    const deciderIn = people(`issue-decider-${id}`, d.decider, 'choose an actor');
    const setterIn = people(`issue-setter-${id}`, d.agenda_setter, 'none (they bargain)');
    const thresholdIn = h('input', { type: 'text', inputmode: 'decimal', class: 'short', 'data-testid': `issue-threshold-${id}`,
      value: d.threshold !== undefined && d.threshold !== null ? String(d.threshold) : '', placeholder: 'more than half' });
    const basisIn = h('textarea', { rows: 3, 'data-testid': `issue-rule-basis-${id}` });
    basisIn.value = d.basis ?? '';
    const members = new Set([...(d.veto_players || []), ...(d.voters || [])]);
    const rows = actors.map((a) => {
      const check = h('input', { type: 'checkbox', 'data-testid': `issue-member-${id}-${a.id}` });
      check.checked = members.has(a.id);
      const signs = (d.accepts || {})[a.id] || [];
      const acceptLow = h('input', { type: 'text', inputmode: 'decimal', class: 'short', 'data-testid': `issue-accepts-low-${id}-${a.id}`,
        value: signs.length ? String(signs[0]) : '', placeholder: 'any', 'aria-label': `${nameOf(a)} signs from` });
      const acceptHigh = h('input', { type: 'text', inputmode: 'decimal', class: 'short', 'data-testid': `issue-accepts-high-${id}-${a.id}`,
        value: signs.length ? String(signs[1]) : '', placeholder: 'any', 'aria-label': `${nameOf(a)} signs up to` });
      const weight = (d.weights || {})[a.id];
      const weightIn = h('input', { type: 'text', inputmode: 'decimal', class: 'short', 'data-testid': `issue-weight-${id}-${a.id}`,
        value: weight !== undefined ? String(weight) : '', placeholder: '1', 'aria-label': `${nameOf(a)}'s vote weight` });
      const accepts = h('span', { class: 'member-extra accepts' }, h('span', { class: 'muted small' }, 'signs only'), acceptLow, '–', acceptHigh);
      const weights = h('span', { class: 'member-extra weights' }, h('span', { class: 'muted small' }, 'weight'), weightIn);
      return { actor: a, check, acceptLow, acceptHigh, weightIn,
        el: h('li', {}, h('label', {}, check, ' ', nameOf(a)), accepts, weights) };
    });
    const membersLabel = h('span', { class: 'field-label' });
    const membersBox = h('div', { class: 'rule-members' }, membersLabel, h('ul', {}, rows.map((r) => r.el)));
    const membersEntry = form.register('decision_members', membersBox, `issue-members-${id}`);
    membersBox.append(membersEntry.slot);
    const deciderField = form.field('decision_decider', 'decides alone', deciderIn, `issue-decider-${id}`);
    const setterField = form.field('decision_setter', 'agenda setter', setterIn, `issue-setter-${id}`,
      'proposes a take-it-or-leave-it offer the veto players accept or not');
    const thresholdField = form.field('decision_threshold', 'threshold', thresholdIn, `issue-threshold-${id}`,
      'the share of the total weight that must vote for a change, e.g. 0.65');
    const basisField = form.field('decision', 'why this rule', basisIn, `issue-rule-basis-${id}`,
      'who can block or decide, and where the source says so');
    const show = () => {
      const rule = ruleIn.value;
      const voting = rule === 'majority' || rule === 'qualified_majority';
      membersBox.hidden = !(rule === 'veto' || voting);
      membersLabel.textContent = rule === 'veto' ? 'veto players (each must agree)' : 'voters';
      for (const r of rows) {
        r.el.querySelector('.accepts').hidden = rule !== 'veto' || !r.check.checked;
        r.el.querySelector('.weights').hidden = !voting || !r.check.checked;
      }
      deciderField.el.hidden = rule !== 'single';
      setterField.el.hidden = rule !== 'veto';
      thresholdField.el.hidden = rule !== 'qualified_majority';
      basisField.el.hidden = rule === 'bargaining' && !basisIn.value.trim();
    };
    ruleIn.addEventListener('change', show);
    for (const r of rows) r.check.addEventListener('change', show);
    show();
    const el = h('fieldset', { class: 'rule-form', 'data-testid': `issue-rule-form-${id}` },
      h('legend', {}, 'who must agree'),
      form.field('decision_rule', 'rule', ruleIn, `issue-rule-${id}`).el,
      membersBox, deciderField.el, setterField.el, thresholdField.el, basisField.el);

    const read = () => {
      const rule = ruleIn.value;
      const num = (t) => Number(String(t).trim().replace(/^\+/, ''));
      const problems = [];
      const out = { rule };
      const chosen = rows.filter((r) => r.check.checked);
      if (rule === 'veto') {
        out.veto_players = chosen.map((r) => r.actor.id);
        const accepts = {};
        for (const r of chosen) {
          const a = r.acceptLow.value.trim(); const b = r.acceptHigh.value.trim();
          if (a === '' && b === '') continue;
          if (a === '' || b === '' || !Number.isFinite(num(a)) || !Number.isFinite(num(b))) {
            problems.push(['decision_members', { rule: `what ${nameOf(r.actor)} signs needs two numbers`, fix: 'type both ends, e.g. 70 and 100, or clear both' }]);
          } else accepts[r.actor.id] = [num(a), num(b)];
        }
        if (Object.keys(accepts).length) out.accepts = accepts;
        if (setterIn.value) out.agenda_setter = setterIn.value;
      } else if (rule === 'majority' || rule === 'qualified_majority') {
        out.voters = chosen.map((r) => r.actor.id);
        const weights = {};
        for (const r of chosen) {
          const w = r.weightIn.value.trim();
          if (w === '') continue;
          if (!Number.isFinite(num(w))) problems.push(['decision_members', { rule: `${nameOf(r.actor)}'s weight is not a number`, fix: 'type a number such as 29, or clear it for 1' }]);
          else weights[r.actor.id] = num(w);
        }
        if (Object.keys(weights).length) {
          for (const r of chosen) if (!(r.actor.id in weights)) weights[r.actor.id] = 1;
          out.weights = weights;
        }
        if (rule === 'qualified_majority' && thresholdIn.value.trim() !== '') {
          if (!Number.isFinite(num(thresholdIn.value))) problems.push(['decision_threshold', { rule: 'not a number', fix: 'type a share such as 0.65' }]);
          else out.threshold = num(thresholdIn.value);
        }
      } else if (rule === 'single') {
        if (deciderIn.value) out.decider = deciderIn.value;
      }
      const basis = basisIn.value.trim();
      if (basis) out.basis = basis;
      for (const key of ['source', 'where']) if (d[key] !== undefined && d[key] !== null) out[key] = d[key];
      if (problems.length) return { problems };
      const none = rule === 'bargaining' && !basis;
      return { decision: none ? null : out };
    };
    return { el, read };
  }

  async saveIssue(issueId, button) {
    const f = this.issueForms.get(issueId);
    if (!f) return;
    f.form.clear();
    const sc = clone(this.scenario);
    const i = (sc.issues || []).findIndex((x) => x.id === issueId);
    if (i < 0) { showError(`Issue ${issueId} is no longer in the scenario: reload.`); return; }
    const iss = sc.issues[i];
    const before = JSON.stringify(iss);
    iss.name = f.nameIn.value.trim();
    iss.low = f.lowIn.value.trim();
    iss.high = f.highIn.value.trim();
    const v = f.sqIn.value.trim(); const a = f.sqLow.value.trim(); const b = f.sqHigh.value.trim();
    const num = (t) => Number(t.replace(/^\+/, ''));
    const local = [];
    if (v === '' && (a !== '' || b !== '')) local.push({ rule: 'a range needs a value', fix: 'type the status quo value, or clear the range' });
    else if (v !== '' && !Number.isFinite(num(v))) local.push({ rule: 'not a number', fix: 'type a number such as 35' });
    else if ((a === '') !== (b === '')) local.push({ rule: 'give both ends of the range, or neither', fix: 'an exact status quo has no range' });
    else if ((a !== '' && !Number.isFinite(num(a))) || (b !== '' && !Number.isFinite(num(b)))) local.push({ rule: 'the ends of the range must be numbers', fix: 'type numbers such as 25 and 45' });
    if (local.length) { f.form.show('status_quo', local); return; }
    const ruleRead = f.rule.read();
    if (ruleRead.problems) { for (const [key, p] of ruleRead.problems) f.form.show(key, [p]); return; }
    if (ruleRead.decision) iss.decision = ruleRead.decision;
    else delete iss.decision;
    const happenedRead = f.happened.read();
    if (happenedRead.problems) { for (const [key, p] of happenedRead.problems) f.form.show(key, [p]); return; }
    if (happenedRead.outcomes) iss.outcomes = happenedRead.outcomes;
    else delete iss.outcomes;
    if (v === '') delete iss.status_quo;
    else {
      const orig = iss.status_quo;
      let sq = orig && typeof orig === 'object' ? { ...orig, value: num(v) } : { value: num(v) };
      if (a !== '') sq.range = [num(a), num(b)];
      else { delete sq.range; delete sq.distribution; }
      if (Object.keys(sq).length === 1) sq = sq.value;   // a plain number
      iss.status_quo = sq;
    }
    if (JSON.stringify(iss) === before) { this.formMessage(f.form, null); showInfo('Nothing to save: the issue is unchanged.', 2500); return; }
    const ok = await this.saveScenario(sc, button, `issue ${issueId}: name, ends, status quo, rule and outcome`, f.form, [
      [`issues[${i}].name`, 'name'], [`issues[${i}].low`, 'low'], [`issues[${i}].high`, 'high'],
      [`issues[${i}].status_quo`, 'status_quo'], [`issues[${i}].decision`, 'decision'],
      [`issues[${i}].decision.rule`, 'decision_rule'], [`issues[${i}].decision.veto_players`, 'decision_members'],
      [`issues[${i}].decision.voters`, 'decision_members'], [`issues[${i}].decision.accepts`, 'decision_members'],
      [`issues[${i}].decision.weights`, 'decision_members'], [`issues[${i}].decision.decider`, 'decision_decider'],
      [`issues[${i}].decision.agenda_setter`, 'decision_setter'], [`issues[${i}].decision.threshold`, 'decision_threshold'],
      [`issues[${i}].outcomes`, 'outcome'], [`issues[${i}].outcomes[0].date`, 'outcome_date'],
      [`issues[${i}].outcomes[0].source`, 'outcome_source'], [`issues[${i}].outcomes[0].basis`, 'outcome_basis'],
      [`issues[${i}]`, null]]);
    if (!ok) return;
    this.renderTable();
    this.renderDetails();
    const fresh = issueById(this.scenario, issueId);
    if (fresh) f.el.replaceWith(this.issueForm(fresh));
    showInfo(`Saved the issue ${fresh ? fresh.name || issueId : issueId}.`, 2500);
  }

  /** One message per form: a new one replaces the form's previous one; null just removes it. */
  formMessage(form, box, status) {
    if (form.message && form.message.isConnected) form.message.remove();
    form.message = box || null;
    if (box) { box.dataset.kind = 'write'; if (status) box.dataset.status = status; }
  }

  /**
   * PUT the whole scenario; on success the new document is shown in the head and history and true
   * is returned. A 422's problems go next to their fields: `routes` maps a problem's `field` prefix
   * (the longest that matches wins) to a field of `form` (null: the form's own list).
   */
  async saveScenario(sc, button, summary, form, routes) {
    try {
      const doc = await withBusyButton(button, 'saving…', () => api.put(this.base, { version: this.doc.version, scenario: sc, summary }));
      if (!this.ctx.alive()) return false;
      this.setDoc(doc);
      clearMessages('write');
      this.formMessage(form, null);
      this.renderHead();
      this.loadHistory();
      return true;
    } catch (e) {
      if (!this.ctx.alive()) return false;
      if (e instanceof ApiError && e.status === 409) {
        this.showConflict(e);
        form.show(null, [{ rule: 'not saved: the scenario changed', fix: 'reload, then make the change again' }]);
      } else if (e instanceof ApiError && e.status === 422) {
        const byField = new Map();
        for (const p of e.problems.length ? e.problems : [{ rule: e.detail }]) {
          const f = String(p.field || '');
          let best = null; let bestLen = -1;
          for (const [prefix, target] of routes) {
            const hit = f === prefix || f.startsWith(prefix + '.') || f.startsWith(prefix + '[');
            if (hit && prefix.length > bestLen) { best = target; bestLen = prefix.length; }
          }
          if (!byField.has(best)) byField.set(best, []);
          byField.get(best).push(p);
        }
        // problems elsewhere in the scenario often follow from the ones at this form's fields
        // (an issue without a name drops out, so every stance on it is reported too): fold them away
        const placed = [...byField.keys()].some((k) => k !== null);
        for (const [target, ps] of byField) form.show(target, ps, target === null && placed);
        this.formMessage(form, showError(new ApiError(422, e.detail), 'Not saved'), '422');
      } else {
        this.formMessage(form, showError(e, 'Not saved'));
      }
      return false;
    }
  }

  async removeActor(actor, button) {
    if (!window.confirm(`Remove ${actor.name || actor.id} from the scenario?`)) return;
    const sc = clone(this.scenario);
    sc.actors = (sc.actors || []).filter((a) => a.id !== actor.id);
    try {
      const doc = await withBusyButton(button, '…', () => api.put(this.base, { version: this.doc.version, scenario: sc, summary: `remove actor ${actor.id}` }));
      if (!this.ctx.alive()) return;
      for (const k of [...this.errors.keys()]) if (k.startsWith(actor.id + '|')) this.errors.delete(k);
      if (this.selected && this.selected.startsWith(actor.id + '|')) this.selected = null;
      this.setDoc(doc);
      this.renderAll();
      this.loadHistory();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) this.showConflict(e);
      else showError(e, 'Remove actor');
    }
  }
}

function shortProblem(p) {
  return h('li', {}, h('span', { class: 'rule' }, p.rule || 'invalid'), p.fix ? h('span', { class: 'fix' }, ' fix: ' + p.fix) : null);
}

/**
 * The fields of one small form and the places their problems show: form.field(key, label, control,
 * testid) gives {el, slot}, form.register(key, control, testid) a slot to place; form.show(key,
 * problems) puts problems under that field as `problem-{testid}` (key null: under the form, as
 * `problem-{form name}`); form.clear() removes them all.
 */
class FieldForm {
  constructor(name) {
    this.name = name;
    this.fields = new Map();
    this.otherSlot = h('div', { class: 'problem-slot' });
  }

  /** A control whose problems show in `slot` (placed by the caller). */
  register(key, control, testid) {
    const entry = { slot: h('div', { class: 'problem-slot' }), control, testid };
    this.fields.set(key, entry);
    return entry;
  }

  /** A labelled field: {el, slot}. */
  field(key, label, control, testid, hint) {
    const entry = this.register(key, control, testid);
    entry.el = h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), control,
      hint ? h('span', { class: 'hint' }, hint) : null, entry.slot);
    return entry;
  }

  show(key, problems, folded = false) {
    const f = key !== null && key !== undefined ? this.fields.get(key) : null;
    const slot = f ? f.slot : this.otherSlot;
    const testid = f ? `problem-${f.testid}` : `problem-${this.name}`;
    const shown = folded ? [] : problems.slice(0, 3);
    const more = folded ? problems : problems.slice(3);
    const item = (p) => h('li', {}, f ? null : p.field ? [h('code', {}, p.field), ' '] : null,
      h('span', { class: 'rule' }, p.rule || p.detail || 'invalid'),
      p.value !== undefined && p.value !== null && p.value !== '' ? h('span', { class: 'muted' }, ` (${p.value})`) : null,
      p.fix ? h('span', { class: 'fix' }, ' fix: ' + p.fix) : null);
    slot.append(h('div', { class: 'field-problem', role: 'alert', 'data-testid': testid },
      shown.length ? h('ul', {}, shown.map(item)) : null,
      more.length ? h('details', {}, h('summary', {}, folded
        ? `${more.length} more ${more.length === 1 ? 'problem' : 'problems'} elsewhere in the scenario (they may follow from the above)`
        : `${more.length} more`), h('ul', {}, more.map(item))) : null));
    if (f) {
      const inputs = f.control.matches && f.control.matches('input, select, textarea') ? [f.control] : [...f.control.querySelectorAll('input, select, textarea')];
      for (const inp of inputs) { inp.classList.add('invalid'); inp.setAttribute('aria-invalid', 'true'); }
    }
  }

  clear() {
    for (const f of this.fields.values()) {
      clear(f.slot);
      const inputs = f.control.matches && f.control.matches('input, select, textarea') ? [f.control] : [...f.control.querySelectorAll('input, select, textarea')];
      for (const inp of inputs) { inp.classList.remove('invalid'); inp.removeAttribute('aria-invalid'); }
    }
    clear(this.otherSlot);
  }
}
