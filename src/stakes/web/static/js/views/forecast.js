// #/s/{id}/forecast : point forecasts, Monte Carlo, sensitivity, what-ifs and comparisons.
import { h, replace, clear, fmt, select, field } from '../dom.js';
import { api, enc, runJob } from '../api.js';
import { showError, showInfo, busy, withBusyButton, progressBar, emptyNote } from '../ui.js';
import { lineChart, histogram, tornado, legend, colour, dash, REFERENCE, REFERENCE_DASHES } from '../charts.js';
import { issueScale, actorName } from '../scenario-data.js';
import { whatifSection } from './whatifs.js';

const MODEL_COLOURS = { bdm: '#1f5fa8', mean: '#2e8540', median: '#7a52b3', nash: '#c62f3a', 'bdm-scholz-code': '#d97706', smp: '#8c564b' };
const MORE_COLOURS = ['#0e7490', '#a21caf', '#4d7c0f', '#57534e'];

export async function render(root, params, ctx) {
  const id = params.id;
  root.append(busy('Loading…'));
  const [doc, models] = await Promise.all([api.get(`/api/scenarios/${enc(id)}`), api.get('/api/models')]);
  if (!ctx.alive()) return;
  clear(root);
  const view = new ForecastView(root, id, doc, models, ctx);
  view.build();
}

class ForecastView {
  constructor(root, id, doc, models, ctx) {
    Object.assign(this, { root, id, doc, models, ctx });
    this.checks = new Map();
  }

  get scenario() { return this.doc.scenario || {}; }
  get base() { return `/api/scenarios/${enc(this.id)}`; }

  /** The what-ifs section saved or undid: show the new version. */
  setVersion(version) {
    if (this.versionEl) replace(this.versionEl, `version ${version}`);
  }

  selectedModels() {
    return [...this.checks].filter(([, c]) => c.checked).map(([name]) => name);
  }

  modelColour(name) {
    if (MODEL_COLOURS[name]) return MODEL_COLOURS[name];
    const i = this.models.findIndex((m) => m.name === name);
    return MORE_COLOURS[Math.max(0, i) % MORE_COLOURS.length];
  }

  build() {
    const sc = this.scenario;
    this.ctx.setScenarioTitle(sc.title || this.id);
    const ticked = this.doc.default_models || this.models.filter((m) => m.default).map((m) => m.name);
    const defaults = ticked.length ? ticked : this.models.slice(0, 1).map((m) => m.name);
    const modelBoxes = h('div', { class: 'checks' }, this.models.map((m) => {
      const c = h('input', { type: 'checkbox', 'data-testid': `model-${m.name}`, checked: defaults.includes(m.name), value: m.name });
      this.checks.set(m.name, c);
      return h('label', { class: 'check chip', title: (m.title || m.name) + (m.links_issues ? ' (solves linked issues together)' : '') },
        c, ' ', m.name);
    }));
    this.forecastOut = h('div', { class: 'forecast-out' });
    const runBtn = h('button', { type: 'button', class: 'primary', 'data-testid': 'run-forecast', onClick: (ev) => this.runForecast(ev.currentTarget) }, 'Run forecast');

    // Monte Carlo
    this.draws = h('input', { type: 'number', min: 1, step: 1, value: 1000, 'data-testid': 'mc-draws', class: 'short' });
    this.mcProgress = h('div', {});
    this.mcOut = h('div', {});
    const mcBtn = h('button', { type: 'button', class: 'primary', 'data-testid': 'run-montecarlo', onClick: (ev) => this.runMonteCarlo(ev.currentTarget) }, 'Run Monte Carlo');

    // sensitivity
    const sensDefault = this.models.some((m) => m.name === 'bdm') ? 'bdm' : (this.models[0] || {}).name;
    this.sensModel = select({ 'data-testid': 'sens-model' }, this.models.map((m) => ({ value: m.name, label: m.name })), sensDefault);
    this.sensOut = h('div', {});
    const sensBtn = h('button', { type: 'button', class: 'primary', 'data-testid': 'run-sensitivity', onClick: (ev) => this.runSensitivity(ev.currentTarget) }, 'Run sensitivity');

    this.root.append(
      h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, sc.title || this.id),
        h('div', { class: 'meta' }, h('span', {}, `${(sc.actors || []).length} actors`), h('span', {}, `${(sc.issues || []).length} issues`),
          this.versionEl = h('span', { 'data-testid': 'forecast-version' }, `version ${this.doc.version}`)))),
      h('section', { class: 'card', 'data-testid': 'forecast-section' },
        h('div', { class: 'card-head' }, h('h2', {}, 'Forecast'), modelBoxes, runBtn),
        this.forecastOut),
      h('section', { class: 'card', 'data-testid': 'mc-section' },
        h('div', { class: 'card-head' }, h('h2', {}, 'Monte Carlo'),
          h('span', { class: 'muted small' }, 'every uncertain number drawn inside its range; the models ticked above'),
          field('draws', this.draws), mcBtn),
        this.mcProgress, this.mcOut),
      h('section', { class: 'card', 'data-testid': 'sens-section' },
        h('div', { class: 'card-head' }, h('h2', {}, 'Sensitivity'),
          h('span', { class: 'muted small' }, 'each number swept across its range, one at a time'),
          field('model', this.sensModel), sensBtn),
        this.sensOut),
      whatifSection(this));
  }

  // ---------------------------------------------------------------- forecast
  async runForecast(button) {
    const models = this.selectedModels();
    if (!models.length) { showError('Tick at least one model.'); return; }
    try {
      replace(this.forecastOut, busy('Forecasting…'));
      const res = await withBusyButton(button, 'running…', () => api.post(`${this.base}/forecast`, { models }));
      if (!this.ctx.alive()) return;
      this.lastForecast = res;
      this.renderForecast(res);
    } catch (e) { replace(this.forecastOut); showError(e, 'Forecast'); }
  }

  renderForecast(res) {
    const sc = this.scenario;
    const forecasts = res.forecasts || [];
    const issues = (sc.issues || []).filter((iss) => forecasts.some((f) => f.outcomes && iss.id in f.outcomes));
    const withRounds = forecasts.filter((f) => Object.values(f.issues || {}).some((r) => (r.trajectory || []).length > 0));
    const trajModels = withRounds.length ? withRounds : forecasts;
    const pick = select({ 'data-testid': 'trajectory-model' }, trajModels.map((f) => f.model), (trajModels.find((f) => f.model === 'bdm') || trajModels[0] || {}).model);
    const charts = h('div', { class: 'chart-grid' });
    const drawCharts = () => {
      const f = forecasts.find((x) => x.model === pick.value);
      clear(charts);
      for (const iss of issues) charts.append(this.trajectoryChart(iss, f, forecasts));
    };
    pick.addEventListener('change', drawCharts);

    const table = h('table', { class: 'data compact', 'data-testid': 'forecast-outcomes' },
      h('thead', {}, h('tr', {}, h('th', {}, 'issue'), forecasts.map((f) => h('th', { class: 'num' }, f.model)))),
      h('tbody', {}, issues.map((iss) => h('tr', { 'data-testid': `outcome-row-${iss.id}` },
        h('th', { scope: 'row', title: `${iss.low} … ${iss.high}` }, iss.name || iss.id),
        forecasts.map((f) => {
          const r = (f.issues || {})[iss.id] || {};
          const note = r.rounds ? [`${r.rounds} rounds`, r.stop_reason || ''].filter(Boolean).join(' · ') : '';
          // where the issue's decision rule picked the outcome: the rule, whether a deal passes, who blocks
          const d = r.decision;
          const rule = d && d.rule !== 'bargaining' ? [
            d.rule,
            d.deal === true ? 'deal' : d.deal === false ? `no deal${d.blocking.length ? `: ${d.blocking.join(', ')} block` : ''}` : '',
            d.bargained !== undefined ? `bargained ${fmt(d.bargained, 1)}` : '',
          ].filter(Boolean).join(' · ') : '';
          return h('td', { class: 'num', title: note || null, 'data-testid': `outcome-${f.model}-${iss.id}` },
            h('span', { class: 'big-num' }, fmt((f.outcomes || {})[iss.id], 1)),
            note ? h('div', { class: 'muted small' }, note) : null,
            rule ? h('div', { class: 'muted small', 'data-testid': `rule-${f.model}-${iss.id}` }, rule) : null);
        })))));
    replace(this.forecastOut,
      h('div', { class: 'outcome-block' }, h('h3', {}, 'Outcomes'), table),
      h('div', { class: 'card-head' }, h('h3', {}, 'Trajectories'), field('model', pick),
        h('span', { class: 'muted small' }, 'one line per actor; dashed lines mark each model’s outcome')),
      charts);
    drawCharts();
  }

  trajectoryChart(iss, f, forecasts) {
    const sc = this.scenario;
    const r = (f && f.issues && f.issues[iss.id]) || {};
    const traj = r.trajectory || [];
    const actors = [];
    const byActor = new Map();
    for (const p of traj) {
      if (!byActor.has(p.actor)) { byActor.set(p.actor, []); actors.push(p.actor); }
      byActor.get(p.actor).push({ x: Number(p.round), y: Number(p.position), title: `${actorName(sc, p.actor)}, round ${p.round}: ${fmt(p.position, 2)}` });
    }
    const order = (sc.actors || []).map((a) => a.id);
    actors.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    const series = actors.map((a) => {
      const i = order.indexOf(a) >= 0 ? order.indexOf(a) : actors.indexOf(a);
      return { label: actorName(sc, a), color: colour(i), dash: dash(i), points: byActor.get(a) };
    });
    // model outcomes in the reference colour, one line style each: never the colour of an actor
    const hlines = forecasts.filter((x) => x.outcomes && iss.id in x.outcomes)
      .map((x, i) => ({ y: Number(x.outcomes[iss.id]), label: x.model, color: REFERENCE, dash: REFERENCE_DASHES[i % REFERENCE_DASHES.length] }));
    const maxRound = Math.max(1, ...traj.map((p) => Number(p.round)));
    const chart = lineChart(series, {
      yDomain: issueScale(iss), xDomain: [Math.min(0, ...traj.map((p) => Number(p.round))), maxRound], integerX: true,
      xLabel: 'round', yLabel: 'position', hlines, yEnds: [iss.low || '', iss.high || ''],
      label: `trajectories of ${iss.name}`, testid: `trajectory-${iss.id}`, height: 300,
    });
    return h('figure', { class: 'chart-box' },
      h('figcaption', {}, h('strong', {}, iss.name || iss.id), ' ',
        h('span', { class: 'muted small' }, f ? `${f.model}${r.rounds !== undefined ? `, ${r.rounds} rounds` : ''}${r.stop_reason ? ` (${r.stop_reason})` : ''}` : '')),
      traj.length ? chart : h('div', {}, chart, h('p', { class: 'muted small' }, 'This model plays no rounds: only the outcomes are marked.')),
      legend(series.map((se) => ({ label: se.label, color: se.color, dash: se.dash }))));
  }

  // ---------------------------------------------------------------- Monte Carlo
  async runMonteCarlo(button) {
    const models = this.selectedModels();
    const draws = Math.floor(Number(this.draws.value));
    if (!models.length) { showError('Tick at least one model.'); return; }
    if (!(draws >= 1)) { showError('Draws must be a whole number of at least 1.'); return; }
    const bar = progressBar('starting…');
    replace(this.mcProgress, bar.el);
    clear(this.mcOut);
    try {
      await withBusyButton(button, 'running…', async () => {
        const done = await runJob(() => api.post(`${this.base}/montecarlo`, { models, draws }), bar, this.ctx.alive);
        if (!this.ctx.alive()) return;
        clear(this.mcProgress);
        this.renderMonteCarlo(done.result || {});
      });
    } catch (e) { clear(this.mcProgress); if (e.cancelled && e.body.status) showInfo('Monte Carlo cancelled.', 3000); else showError(e, 'Monte Carlo'); }
  }

  renderMonteCarlo(result) {
    const sc = this.scenario;
    const summary = result.summary || [];
    const hists = result.histograms || [];
    const issues = (sc.issues || []).filter((iss) => summary.some((r) => r.issue === iss.id));
    const models = [...new Set(summary.map((r) => r.model))];
    const cols = ['mean', 'q05', 'q50', 'q95'];
    // P(deal): the share of draws in which a change passes the issue's decision rule (veto players, votes)
    const deals = result.deals || [];
    const dealCell = (iss, m) => {
      const d = deals.find((x) => x.issue === iss.id && x.model === m);
      return h('td', { class: 'num', 'data-testid': `mc-deal-${iss.id}-${m}` }, d ? `${fmt(100 * d.probability, 1)}%` : '—');
    };
    const table = h('table', { class: 'data compact mc-table', 'data-testid': 'mc-summary' },
      h('thead', {}, h('tr', {}, h('th', {}, 'issue'), h('th', {}, 'model'), cols.map((c) => h('th', { class: 'num' }, c)),
        deals.length ? h('th', { class: 'num', title: 'share of draws in which a change passes the decision rule' }, 'P(deal)') : null)),
      h('tbody', {}, issues.flatMap((iss) => models.map((m, i) => {
        const r = summary.find((x) => x.issue === iss.id && x.model === m);
        if (!r) return null;
        return h('tr', { class: i === 0 ? 'group-first' : null, 'data-testid': `mc-row-${iss.id}-${m}` },
          i === 0 ? h('th', { scope: 'row', rowspan: models.length, class: 'group-label' }, iss.name || iss.id) : null,
          h('td', {}, h('span', { class: 'model-dot', style: { background: this.modelColour(m) } }), m),
          cols.map((k) => h('td', { class: 'num' }, fmt(r[k], 1))), deals.length ? dealCell(iss, m) : null);
      }))));
    const grid = h('div', { class: 'hist-grid' });
    grid.style.gridTemplateColumns = `repeat(${Math.min(3, Math.max(1, models.length))}, minmax(0, 1fr))`;
    for (const iss of issues) {
      // one x range per issue, shared by its models, so their spreads compare at a glance
      const ranges = hists.filter((x) => x.issue === iss.id && (x.edges || []).length).map((x) => [x.edges[0], x.edges[x.edges.length - 1]]);
      const [s0, s1] = issueScale(iss);
      let dom = ranges.length ? [Math.min(...ranges.map((r) => r[0])), Math.max(...ranges.map((r) => r[1]))] : [s0, s1];
      const pad = (dom[1] - dom[0]) * 0.08 || 1;
      dom = [Math.max(s0, dom[0] - pad), Math.min(s1, dom[1] + pad)];
      for (const m of models) {
        const hist = hists.find((x) => x.issue === iss.id && x.model === m);
        const r = summary.find((x) => x.issue === iss.id && x.model === m) || {};
        grid.append(h('figure', { class: 'chart-box small-chart' },
          h('figcaption', {}, h('strong', {}, iss.name || iss.id), ' · ', m),
          hist ? histogram(hist.edges || [], hist.counts || [], {
            xDomain: dom, testid: `histogram-${m}-${iss.id}`, color: this.modelColour(m),
            marks: [{ x: r.q05, label: 'q05', color: '#888' }, { x: r.q50, label: 'q50', color: REFERENCE }, { x: r.q95, label: 'q95', color: '#888' }].filter((mk) => Number.isFinite(Number(mk.x))),
            label: `distribution of ${iss.name} under ${m}`,
          }) : emptyNote('no histogram')));
      }
    }
    replace(this.mcOut, h('h3', {}, 'Quantiles of the outcomes'), table, h('h3', {}, 'Distributions of the outcomes'), grid);
  }

  // ---------------------------------------------------------------- sensitivity
  async runSensitivity(button) {
    const model = this.sensModel.value;
    try {
      replace(this.sensOut, busy('Sweeping every number across its range…'));
      const res = await withBusyButton(button, 'running…', () => api.post(`${this.base}/sensitivity`, { model }));
      if (!this.ctx.alive()) return;
      this.renderSensitivity(res.rows || [], model);
    } catch (e) { clear(this.sensOut); showError(e, 'Sensitivity'); }
  }

  renderSensitivity(rows, model) {
    const sc = this.scenario;
    const issues = (sc.issues || []).filter((iss) => rows.some((r) => r.issue === iss.id));
    if (!issues.length) { replace(this.sensOut, emptyNote('No uncertain numbers: give some numbers a range first.')); return; }
    replace(this.sensOut,
      legend([{ label: 'outcome with the input at its low end', color: '#5b8fd0' }, { label: 'at its high end', color: '#e59a3a' },
        { label: 'lowest to highest outcome across the sweep', color: '#9aa3af' }]),
      h('div', { class: 'chart-grid' }, issues.map((iss) => {
        const top = rows.filter((r) => r.issue === iss.id).sort((a, b) => Number(b.swing) - Number(a.swing)).slice(0, 10);
        return h('figure', { class: 'chart-box' },
          h('figcaption', {}, h('strong', {}, iss.name || iss.id), ' ', h('span', { class: 'muted small' }, `${model}: the ${top.length} inputs with the largest swing`)),
          tornado(top.map((r) => ({
            label: String(r.input), low: r.low, high: r.high, outcomeLow: Number(r.outcome_low), outcomeHigh: Number(r.outcome_high),
            base: Number(r.base_outcome), min: r.outcome_min, max: r.outcome_max,
          })),
            { testid: `tornado-${iss.id}`, xLabel: `outcome on ${iss.name || iss.id}`, label: `sensitivity of ${iss.name}` }));
      })));
  }
}
