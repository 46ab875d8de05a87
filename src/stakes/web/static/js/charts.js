// SVG charts built with createElementNS (via dom.s). Labels are text nodes.
import { h, s, fmt } from './dom.js';

// Twelve hues far apart (after Kelly's colours of maximum contrast), none grey: grey and black are
// kept for reference lines (model outcomes, quantiles), so no series can be mistaken for one.
export const PALETTE = [
  '#0067a5', '#f38400', '#008856', '#be0032', '#875692', '#a1caf1',
  '#c2b280', '#e68fac', '#17becf', '#882d17', '#8db600', '#d4a900',
];
// past twelve series the colours repeat with another line style, so every (colour, style) differs
export const DASHES = ['', '6 3', '2 3', '8 3 2 3'];
// reference lines: one colour, told apart by their style and label
export const REFERENCE = '#333333';
export const REFERENCE_DASHES = ['5 4', '1 3', '10 3', '5 2 1 2', '2 6', '12 4 2 4'];

export function colour(i) { return PALETTE[i % PALETTE.length]; }
export function dash(i) { return DASHES[Math.floor(i / PALETTE.length) % DASHES.length]; }

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min, max, count = 5) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const span = max - min;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const ticks = [];
  const first = Math.ceil(min / step - 1e-9) * step;
  for (let v = first; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

function scale(d0, d1, r0, r1) {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

function extent(values, pad = 0) {
  let lo = Infinity; let hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) { lo -= 1; hi += 1; }
  const p = (hi - lo) * pad;
  return [lo - p, hi + p];
}

const DAY = 86400000;
function dateLabel(ms) {
  const d = new Date(ms);
  return d.toISOString().slice(0, 10);
}

function timeTicks(min, max, count = 5) {
  const span = max - min;
  const steps = [DAY, 7 * DAY, 30 * DAY, 91 * DAY, 365 * DAY];
  const step = steps.find((st) => span / st <= count) || 365 * DAY * Math.ceil(span / (365 * DAY * count));
  const ticks = [];
  for (let v = Math.ceil(min / step) * step; v <= max; v += step) ticks.push(v);
  return ticks.length ? ticks : [min];
}

function svgRoot(width, height, label, testid) {
  // scales down with its box, but never grows much past its drawn size (text stays readable)
  return s('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': label || 'chart',
    'data-testid': testid || null, preserveAspectRatio: 'xMinYMin meet', style: { maxWidth: `${Math.round(width * 1.15)}px` },
  });
}

function axisLeft(g, ticks, y, x0, x1, format) {
  for (const t of ticks) {
    const yy = y(t);
    g.append(s('line', { x1: x0, x2: x1, y1: yy, y2: yy, class: 'grid' }));
    g.append(s('text', { x: x0 - 6, y: yy, class: 'tick', 'text-anchor': 'end', 'dominant-baseline': 'middle' }, format(t)));
  }
}

function axisBottom(g, ticks, x, y0, format, gridTop) {
  g.append(s('line', { x1: x(ticks[0] ?? 0), x2: x(ticks[ticks.length - 1] ?? 0), y1: y0, y2: y0, class: 'axis' }));
  for (const t of ticks) {
    const xx = x(t);
    if (gridTop !== undefined) g.append(s('line', { x1: xx, x2: xx, y1: gridTop, y2: y0, class: 'grid' }));
    g.append(s('line', { x1: xx, x2: xx, y1: y0, y2: y0 + 4, class: 'axis' }));
    g.append(s('text', { x: xx, y: y0 + 16, class: 'tick', 'text-anchor': 'middle' }, format(t)));
  }
}

/** HTML legend: [{label, color, dash, title}] */
export function legend(items, testid) {
  return h('div', { class: 'legend', 'data-testid': testid || null },
    items.map((it) => h('span', { class: 'legend-item', title: it.title || null },
      h('span', { class: ['swatch', it.dash ? 'swatch-dashed' : ''], style: { 'border-color': it.color, background: it.dash ? 'transparent' : it.color } }),
      h('span', {}, it.label), it.sub ? [' ', h('span', { class: 'actor-id' }, it.sub)] : null)));
}

/**
 * Line chart. series: [{label, color, dash, points: [{x, y, title}]}].
 * options: xDomain, yDomain, time (x are ms timestamps), xLabel, yLabel, hlines: [{y, label, color}],
 * yEnds: [lowText, highText] shown at the ends of the y axis.
 */
export function lineChart(series, options = {}) {
  const W = options.width || 640; const H = options.height || 300;
  const m = { top: 16, right: options.hlines && options.hlines.length ? 110 : 20, bottom: 38, left: 52 };
  const allX = series.flatMap((se) => se.points.map((p) => p.x));
  const allY = series.flatMap((se) => se.points.map((p) => p.y)).concat((options.hlines || []).map((l) => l.y));
  const [x0, x1] = options.xDomain || extent(allX);
  const [y0, y1] = options.yDomain || extent(allY, 0.08);
  const x = scale(x0, x1, m.left, W - m.right);
  const y = scale(y0, y1, H - m.bottom, m.top);
  const svg = svgRoot(W, H, options.label, options.testid);
  const g = s('g', {});
  svg.append(g);
  axisLeft(g, niceTicks(y0, y1, 5), y, m.left, W - m.right, (v) => fmt(v, 2));
  const xt = options.time ? timeTicks(x0, x1, 5) : niceTicks(x0, x1, Math.min(8, Math.max(1, x1 - x0)))
    .filter((t) => !options.integerX || Number.isInteger(t));
  axisBottom(g, xt, x, H - m.bottom, options.time ? dateLabel : (v) => fmt(v, 2));
  if (options.xLabel) g.append(s('text', { x: (m.left + W - m.right) / 2, y: H - 4, class: 'axis-label', 'text-anchor': 'middle' }, options.xLabel));
  if (options.yLabel) g.append(s('text', { x: 12, y: (m.top + H - m.bottom) / 2, class: 'axis-label', 'text-anchor': 'middle', transform: `rotate(-90 12 ${(m.top + H - m.bottom) / 2})` }, options.yLabel));
  // horizontal reference lines (e.g. outcomes); labels nudged apart so they do not overlap
  const hl = (options.hlines || []).map((line) => ({ ...line, py: y(line.y) })).sort((a, b) => a.py - b.py);
  let lastLabel = -Infinity;
  for (const line of hl) {
    const yy = line.py;
    const ly = Math.max(yy, lastLabel + 12);
    lastLabel = ly;
    g.append(s('line', {
      x1: m.left, x2: W - m.right, y1: yy, y2: yy, class: 'hline', stroke: line.color || REFERENCE,
      style: line.dash ? { 'stroke-dasharray': line.dash } : null,
    },
      s('title', {}, `${line.label}: ${fmt(line.y)}`)));
    g.append(s('text', { x: W - m.right + 4, y: ly, class: 'hline-label', 'dominant-baseline': 'middle', fill: line.color || '#333' },
      `${line.label} ${fmt(line.y, 1)}`));
  }
  series.forEach((se, i) => {
    const pts = se.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
    if (!pts.length) return;
    const color = se.color || colour(i);
    const grp = s('g', { class: 'series', 'data-series': se.label });
    if (pts.length > 1) {
      grp.append(s('polyline', {
        points: pts.map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' '),
        fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-dasharray': se.dash || null, class: 'line',
      }, s('title', {}, se.label)));
    }
    for (const p of pts) {
      const dot = s('circle', { cx: x(p.x).toFixed(1), cy: y(p.y).toFixed(1), r: pts.length > 40 ? 2 : 3, fill: color, class: 'dot' },
        s('title', {}, p.title || `${se.label}: ${fmt(p.y)}`));
      if (p.onClick) { dot.addEventListener('click', p.onClick); dot.classList.add('clickable'); }
      grp.append(dot);
    }
    g.append(grp);
  });
  if (options.yEnds) {
    g.append(s('text', { x: m.left + 4, y: m.top + 10, class: 'end-label' }, '▲ ' + options.yEnds[1]));
    g.append(s('text', { x: m.left + 4, y: H - m.bottom - 6, class: 'end-label' }, '▼ ' + options.yEnds[0]));
  }
  return svg;
}

/** Histogram from bin edges and counts; marks: [{x, label, color}]. */
export function histogram(edges, counts, options = {}) {
  const W = options.width || 360; const H = options.height || 170;
  const m = { top: 12, right: 12, bottom: 30, left: 40 };
  const [x0, x1] = options.xDomain || [edges[0], edges[edges.length - 1]];
  const maxC = Math.max(1, ...counts);
  const x = scale(x0, x1, m.left, W - m.right);
  const y = scale(0, maxC, H - m.bottom, m.top);
  const svg = svgRoot(W, H, options.label, options.testid);
  axisLeft(svg, niceTicks(0, maxC, 3), y, m.left, W - m.right, (v) => fmt(v, 0));
  counts.forEach((c, i) => {
    const a = x(edges[i]); const b = x(edges[i + 1]);
    svg.append(s('rect', { x: a.toFixed(1), y: y(c).toFixed(1), width: Math.max(0.5, b - a - 1).toFixed(1), height: (y(0) - y(c)).toFixed(1), class: 'bar', fill: options.color || '#1f6fb4' },
      s('title', {}, `${fmt(edges[i])}–${fmt(edges[i + 1])}: ${c}`)));
  });
  axisBottom(svg, niceTicks(x0, x1, 5), x, H - m.bottom, (v) => fmt(v, 1));
  for (const mk of placeLabels(options.marks || [], x, m.left, W - m.right)) {
    svg.append(s('line', { x1: mk.px, x2: mk.px, y1: m.top, y2: H - m.bottom, class: 'mark', stroke: mk.color || '#c62f3a' }, s('title', {}, `${mk.label}: ${fmt(mk.x)}`)));
    svg.append(s('text', { x: mk.tx, y: m.top + 8 + mk.row * 15, class: 'mark-label', 'text-anchor': mk.anchor, fill: mk.color || '#c62f3a' }, mk.label));
  }
  return svg;
}

const LABEL_CHAR = 6.2; // width of a mark label's character in SVG units (10px font), a little generous

/**
 * Where each mark's label goes: beside its line (to the right, or to the left near the right edge),
 * in the first row where it overlaps no label already placed. Returns the marks with px (line x),
 * tx, anchor and row.
 */
export function placeLabels(marks, x, left, right) {
  const rows = [];
  return [...marks].sort((a, b) => a.x - b.x).map((mk) => {
    const px = x(mk.x);
    const width = String(mk.label).length * LABEL_CHAR;
    const toLeft = px + 3 + width > right;
    const span = toLeft ? [px - 3 - width, px - 3] : [px + 3, px + 3 + width];
    let row = rows.findIndex((taken) => taken.every(([a, b]) => span[1] + 2 <= a || span[0] >= b + 2));
    if (row < 0) { rows.push([]); row = rows.length - 1; }
    rows[row].push(span);
    return { ...mk, px, row, tx: toLeft ? px - 3 : px + 3, anchor: toLeft ? 'end' : 'start' };
  });
}

/**
 * Tornado chart: rows [{label, low, high, outcomeLow, outcomeHigh, base, title}], largest first.
 * Each bar runs from the base outcome to the outcome at the input's low end (one colour) and at
 * its high end (another).
 */
export function tornado(rows, options = {}) {
  const W = options.width || 640;
  const rowH = 24;
  const m = { top: 24, right: 40, bottom: 34, left: 230 };
  const H = m.top + m.bottom + rowH * Math.max(1, rows.length);
  const vals = rows.flatMap((r) => [r.outcomeLow, r.outcomeHigh, r.base, Number(r.min), Number(r.max)]);
  const [x0, x1] = options.xDomain || extent(vals, 0.05);
  const x = scale(x0, x1, m.left, W - m.right);
  const svg = svgRoot(W, H, options.label, options.testid);
  const ticks = niceTicks(x0, x1, 6);
  axisBottom(svg, ticks, x, H - m.bottom, (v) => fmt(v, 1), m.top);
  const base = rows.length ? rows[0].base : null;
  rows.forEach((r, i) => {
    const yy = m.top + i * rowH;
    const label = r.label.length > 34 ? r.label.slice(0, 33) + '…' : r.label;
    svg.append(s('text', { x: m.left - 8, y: yy + rowH / 2, class: 'tick', 'text-anchor': 'end', 'dominant-baseline': 'middle' },
      s('title', {}, r.label), label));
    const seg = (from, to, cls, text) => {
      const a = Math.min(x(from), x(to)); const b = Math.max(x(from), x(to));
      svg.append(s('rect', { x: a.toFixed(1), y: yy + 4, width: Math.max(1, b - a).toFixed(1), height: rowH - 8, class: cls },
        s('title', {}, text)));
    };
    if (Number.isFinite(Number(r.min)) && Number.isFinite(Number(r.max)) && Number(r.max) > Number(r.min)) {
      svg.append(s('line', { x1: x(Number(r.min)).toFixed(1), x2: x(Number(r.max)).toFixed(1), y1: yy + rowH / 2, y2: yy + rowH / 2, class: 'sweep' },
        s('title', {}, `${r.label}: outcomes from ${fmt(r.min)} to ${fmt(r.max)} across the sweep`)));
    }
    seg(r.base, r.outcomeLow, 'bar-low', `${r.label} at its low end ${fmt(r.low)}: outcome ${fmt(r.outcomeLow)}`);
    seg(r.base, r.outcomeHigh, 'bar-high', `${r.label} at its high end ${fmt(r.high)}: outcome ${fmt(r.outcomeHigh)}`);
  });
  if (base !== null && Number.isFinite(base)) {
    svg.append(s('line', { x1: x(base), x2: x(base), y1: m.top - 6, y2: H - m.bottom, class: 'base-line' }));
    svg.append(s('text', { x: x(base), y: m.top - 10, class: 'mark-label', 'text-anchor': 'middle' }, `base ${fmt(base, 1)}`));
  }
  if (options.xLabel) svg.append(s('text', { x: (m.left + W - m.right) / 2, y: H - 4, class: 'axis-label', 'text-anchor': 'middle' }, options.xLabel));
  return svg;
}

/** Network graph on a circle: nodes [{id, events}], edges [{source, target, events, types}]. */
export function network(nodes, edges, options = {}) {
  const W = options.width || 640; const H = options.height || 520;
  const cx = W / 2; const cy = H / 2; const R = Math.min(W, H) / 2 - 70;
  const svg = svgRoot(W, H, options.label || 'actor network', options.testid);
  const maxNode = Math.max(1, ...nodes.map((n) => n.events || 0));
  const maxEdge = Math.max(1, ...edges.map((e) => e.events || 0));
  const nodeLabel = (id) => {
    const l = options.nodeLabel ? options.nodeLabel(id) : null;
    return { text: String((l && l.text) || id), sub: l && l.sub ? String(l.sub) : '' };
  };
  const name = (id) => { const l = nodeLabel(id); return l.sub ? `${l.text} (${l.sub})` : l.text; };
  const pos = new Map();
  const sorted = [...nodes].sort((a, b) => String(a.id).localeCompare(String(b.id)));
  sorted.forEach((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, sorted.length) - Math.PI / 2;
    pos.set(n.id, { x: cx + R * Math.cos(a), y: cy + R * Math.sin(a), a, r: 5 + 18 * Math.sqrt((n.events || 0) / maxNode) });
  });
  const defs = s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 3.5, markerHeight: 3.5, orient: 'auto-start-reverse' },
    s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' })));
  svg.append(defs);
  const eg = s('g', { class: 'edges' });
  for (const e of edges) {
    const a = pos.get(e.source); const b = pos.get(e.target);
    if (!a || !b || a === b) continue;
    const dx = b.x - a.x; const dy = b.y - a.y; const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len; const uy = dy / len;
    // bend slightly so a→b and b→a do not overlap
    const mx = (a.x + b.x) / 2 - uy * 18; const my = (a.y + b.y) / 2 + ux * 18;
    const sx = a.x + ux * a.r; const sy = a.y + uy * a.r;
    const tx = b.x - ux * (b.r + 2); const ty = b.y - uy * (b.r + 2);
    const types = Object.entries(e.types || {}).sort((p, q) => q[1] - p[1]).map(([k, v]) => `${k}: ${v}`).join(', ');
    eg.append(s('path', {
      d: `M ${sx.toFixed(1)} ${sy.toFixed(1)} Q ${mx.toFixed(1)} ${my.toFixed(1)} ${tx.toFixed(1)} ${ty.toFixed(1)}`,
      class: 'edge', 'stroke-width': (1.5 + 4.5 * (e.events || 0) / maxEdge).toFixed(1), 'marker-end': 'url(#arrow)', fill: 'none',
    }, s('title', {}, `${name(e.source)} → ${name(e.target)}: ${e.events} events${types ? ' (' + types + ')' : ''}`)));
  }
  svg.append(eg);
  const ng = s('g', { class: 'nodes' });
  for (const n of sorted) {
    const p = pos.get(n.id);
    const lx = cx + (R + p.r + 8) * Math.cos(p.a); const ly = cy + (R + p.r + 8) * Math.sin(p.a);
    const anchor = Math.abs(Math.cos(p.a)) < 0.3 ? 'middle' : Math.cos(p.a) > 0 ? 'start' : 'end';
    // options.nodeLabel(id) → {text, sub}: a readable name with the id in small grey text under it
    const lab = nodeLabel(n.id);
    const text = lab.text.length > 24 ? lab.text.slice(0, 23) + '…' : lab.text;
    ng.append(s('g', { class: 'node', 'data-node': n.id },
      s('title', {}, `${lab.sub ? `${lab.text} (${lab.sub})` : lab.text}: ${n.events} events`),
      s('circle', { cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: p.r.toFixed(1) }),
      // a two-line label grows away from its node: upwards above the circle, downwards below it
      s('text', { x: lx.toFixed(1), y: (lab.sub ? ly + (Math.sin(p.a) < -0.5 ? -13 : Math.sin(p.a) > 0.5 ? 0 : -6) : ly).toFixed(1), 'text-anchor': anchor, 'dominant-baseline': 'middle', class: 'node-label' },
        text, lab.sub ? s('tspan', { x: lx.toFixed(1), dy: '13', class: 'node-sub' }, lab.sub) : null)));
  }
  svg.append(ng);
  return svg;
}
