// Helpers for the scenario document (the canonical scenario as JSON).

export const KINDS = ['state', 'government', 'person', 'party', 'armed group', 'organisation', 'public', 'faction', 'other'];
export const QUANTITIES = ['position', 'salience', 'risk'];

/** A number of the scenario as {value, low, high, distribution, basis, source, where} (or null). */
export function estimate(x) {
  if (x === null || x === undefined) return null;
  if (typeof x === 'number') return { value: x, low: null, high: null };
  if (typeof x === 'object') {
    const r = Array.isArray(x.range) ? x.range : null;
    return {
      value: x.value, low: r ? r[0] : null, high: r ? r[1] : null, distribution: x.distribution || null,
      basis: x.basis || '', source: x.source || null, where: x.where || '',
    };
  }
  return { value: Number(x), low: null, high: null };
}

export function cellKey(actor, issue, quantity) { return `${actor}|${issue || ''}|${quantity}`; }
export function parseKey(key) {
  const [actor, issue, quantity] = key.split('|');
  return { actor, issue: issue || null, quantity };
}
export function cellTestId(actor, issue, quantity) {
  return issue ? `cell-${actor}-${issue}-${quantity}` : `cell-${actor}--capability`;
}
/** The input name used by sensitivity runs and (we expect) evidence keys. */
export function inputKey(actor, issue, quantity) {
  return issue ? `${actor}.${issue}.${quantity}` : `${actor}.${quantity}`;
}

export function rawNumber(scenario, actor, issue, quantity) {
  const a = (scenario.actors || []).find((x) => x.id === actor);
  if (!a) return undefined;
  if (!issue) return a[quantity];
  const st = (a.stances || {})[issue];
  return st ? st[quantity] : undefined;
}

export function getEstimate(scenario, actor, issue, quantity) {
  return estimate(rawNumber(scenario, actor, issue, quantity));
}

export function hasStance(scenario, actor, issue) {
  const a = (scenario.actors || []).find((x) => x.id === actor);
  return !!(a && a.stances && a.stances[issue]);
}

export function issueScale(issue) {
  return Array.isArray(issue && issue.scale) && issue.scale.length === 2 ? issue.scale.map(Number) : [0, 100];
}

export function actorName(scenario, id) {
  const a = ((scenario && scenario.actors) || []).find((x) => x.id === id);
  return a ? a.name || id : id;
}

export function issueById(scenario, id) {
  return ((scenario && scenario.issues) || []).find((x) => x.id === id) || null;
}

export function sourceById(scenario, id) {
  return ((scenario && scenario.sources) || []).find((x) => x.id === id) || null;
}

export function clone(x) { return JSON.parse(JSON.stringify(x)); }
