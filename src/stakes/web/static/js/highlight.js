// Highlighted article text: the text is cut at every span boundary into segments; each segment
// becomes a text node (no span covers it) or a <mark> carrying the classes of every span that
// covers it, so overlapping and nested spans need no nesting of elements.
import { h } from './dom.js';

/**
 * Offsets from the server count code points (Python strings); JavaScript strings count UTF-16
 * units. Returns a function mapping a code-point offset to a UTF-16 offset.
 */
export function codePointMapper(text) {
  if (!/[\uD800-\uDFFF]/.test(text)) return (i) => i;
  const map = [0];
  let u = 0;
  for (const ch of text) { u += ch.length; map.push(u); }
  return (i) => map[Math.max(0, Math.min(map.length - 1, i))];
}

/**
 * segments(length, spans) → [{start, end, spans: [...]}] covering [0, length) without overlaps;
 * spans: [{start, end, ...}] (end exclusive), clipped to the text, empty ones dropped.
 */
export function segments(length, spans) {
  const clean = spans
    .map((sp) => ({ ...sp, start: Math.max(0, Math.min(length, Math.floor(Number(sp.start)))), end: Math.max(0, Math.min(length, Math.floor(Number(sp.end)))) }))
    .filter((sp) => Number.isFinite(sp.start) && Number.isFinite(sp.end) && sp.end > sp.start);
  const cuts = new Set([0, length]);
  for (const sp of clean) { cuts.add(sp.start); cuts.add(sp.end); }
  const points = [...cuts].sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]; const b = points[i + 1];
    if (b <= a) continue;
    out.push({ start: a, end: b, spans: clean.filter((sp) => sp.start <= a && sp.end >= b) });
  }
  return out;
}

/** DOM nodes for text[from, to) with the given spans (offsets already in UTF-16 units). */
export function highlightNodes(text, spans, from = 0, to = text.length) {
  const local = spans.map((sp) => ({ ...sp, start: sp.start - from, end: sp.end - from }));
  const part = text.slice(from, to);
  return segments(part.length, local).map((seg) => {
    const str = part.slice(seg.start, seg.end);
    if (!seg.spans.length) return document.createTextNode(str);
    const classes = [...new Set(seg.spans.map((sp) => sp.cls))];
    const titles = [...new Set(seg.spans.map((sp) => sp.title).filter(Boolean))];
    return h('mark', { class: classes, title: titles.join('\n') || null }, str);
  });
}
