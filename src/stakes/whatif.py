"""What-ifs: small, named changes applied to a scenario without editing its file.

The vocabulary, one change per command-line ``--change`` or per YAML list item::

    us_admin.capability *= 0.5                 scale a number (also =, +=, -=)
    netanyahu.rafah_operation.position = 60    set a position, salience or risk
    rafah_operation.status_quo += 10           move an issue's status quo
    drop far_right                             remove an actor (and its place in decision rules)
    fix netanyahu.rafah_operation              the actor keeps this position (``fix netanyahu``: every one)
    merge gantz gallant as centre              replace actors by one coalition actor
    add {id: un2, name: ..., kind: ..., capability: 5, stances: {...}}   a new actor (YAML mapping)

``=`` makes a number exact (its range is dropped); ``*=``, ``+=`` and ``-=`` move the number and its
uncertainty range together, and the range is cut back to what the number allows (a salience range
never leaves [0, 1]). The number itself is never clipped: a change that pushes it out of bounds is an
error naming the what-if and the change. A changed number keeps its evidence and its basis notes the
what-if.

Decision rules follow the actors. ``drop`` takes the actor out of the rules that name it: a dropped
veto player no longer blocks (when none is left the issue is decided by plain bargaining, which is what
a veto rule without veto players means), a dropped agenda setter leaves the veto players to bargain, a
dropped voter's weight leaves the vote; dropping the single decider or the last voter is refused (no
rule is left to decide). ``merge`` puts the coalition where its members stood in every rule: a veto
player if any member was, a voter with the members' summed weights, the agenda setter or decider if a
member was; it signs (``accepts``) only what every member that stated an interval would sign.

A what-if file is YAML: a list (or ``whatifs:`` holding a list) of ``{id, title, description,
changes}``. The bundled scenarios' what-ifs sit beside them as ``NAME.whatifs.yaml``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from stakes.errors import Problem, ScenarioError, StakesError
from stakes.scenario import schema
from stakes.scenario.documents import Lines, parse_text, read_text
from stakes.scenario.model import (
    RISK_RANGE,
    SALIENCE_RANGE,
    Actor,
    Decision,
    Estimate,
    Scenario,
    Stance,
)

_ID = r"[\w\-]+"
_ASSIGN = re.compile(rf"^(?P<target>{_ID}(?:\.{_ID}){{1,2}})\s*(?P<op>\*=|\+=|-=|=)\s*(?P<value>\S+)$")
_DROP = re.compile(rf"^drop\s+(?P<actor>{_ID})$")
_FIX = re.compile(rf"^fix\s+(?P<actor>{_ID})(?:\.(?P<issue>{_ID}))?$")
_MERGE = re.compile(rf"^merge\s+(?P<members>{_ID}(?:[\s,]+{_ID})+)\s+as\s+(?P<into>{_ID})$")
_ADD = re.compile(r"^add\s+(?P<actor>\{.*\})$", re.DOTALL)
OPERATIONS = ("set", "scale", "shift", "drop", "fix", "merge", "add")
WHATIF_FIELDS = ("id", "title", "description", "changes")
VOCABULARY = ("`ACTOR.capability *= 0.5` (or =, +=, -=), `ACTOR.ISSUE.position|salience|risk = N`, "
              "`ISSUE.status_quo = N`, `drop ACTOR`, `fix ACTOR.ISSUE`, `merge A B as NEW` or "
              "`add {id: ..., ...}`")


@dataclass(frozen=True)
class Change:
    """One edit: ``op`` is one of :data:`OPERATIONS`; ``text`` is how it was written."""

    op: str
    target: str = ""
    value: float | None = None
    members: tuple[str, ...] = ()
    actor: dict[str, Any] | None = None
    text: str = ""
    origin: str | None = None
    """Where the change was written (``file:line``), for error messages."""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class WhatIf:
    """A named set of changes to compare against the baseline scenario."""

    id: str
    title: str
    changes: tuple[Change, ...]
    description: str | None = None

    def apply(self, scenario: Scenario) -> Scenario:
        """The scenario with every change applied in order; each result is validated like a scenario file."""
        out = scenario
        for change in self.changes:
            try:
                out = _validated(_apply(out, change))
            except ScenarioError as exc:
                place = f"what-if {self.id!r}, `{change}`" + (f" ({change.origin})" if change.origin else "")
                raise ScenarioError([replace(p, file=place, line=None) for p in exc.problems]) from None
        return out


def parse_change(text: str, origin: str | None = None) -> Change:
    """One change as written on the command line, e.g. ``"us_admin.capability *= 0.5"``."""
    text = " ".join(text.split())
    if m := _ASSIGN.match(text):
        try:
            value = float(m["value"])
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise _error(text, f"{m['value']!r} is not a number", "write e.g. `us_admin.capability *= 0.5`",
                         origin)
        op = {"=": "set", "*=": "scale", "+=": "shift", "-=": "shift"}[m["op"]]
        return Change(op, m["target"], -value if m["op"] == "-=" else value, text=text, origin=origin)
    if m := _DROP.match(text):
        return Change("drop", m["actor"], text=text, origin=origin)
    if m := _FIX.match(text):
        target = m["actor"] if m["issue"] is None else f"{m['actor']}.{m['issue']}"
        return Change("fix", target, text=text, origin=origin)
    if m := _MERGE.match(text):
        members = tuple(re.split(r"[\s,]+", m["members"]))
        if len(set(members)) < len(members):
            raise _error(text, "names a member twice", "list each member once", origin)
        return Change("merge", m["into"], members=members, text=text, origin=origin)
    if m := _ADD.match(text):
        try:
            actor = yaml.safe_load(m["actor"])
        except yaml.YAMLError:
            actor = None
        return add_change(actor, origin)
    raise _error(text, "is not a what-if change", f"write one of {VOCABULARY}", origin)


def add_change(actor: Any, origin: str | None = None) -> Change:
    """The change that adds ``actor`` (a mapping in the scenario file's actor format)."""
    if not isinstance(actor, dict) or not isinstance(actor.get("id"), str):
        raise _error(f"add {actor!r}", "the new actor must be a mapping with an id",
                     "write `add: {id: ..., name: ..., kind: ..., capability: ..., stances: {...}}`", origin)
    return Change("add", actor["id"], actor=actor, text=f"add {actor['id']}", origin=origin)


def whatif_from_changes(changes: list[str], id: str = "changes", title: str | None = None) -> WhatIf:
    """A what-if from command-line change strings."""
    parsed = tuple(parse_change(c) for c in changes)
    return WhatIf(id=id, title=title or "; ".join(str(c) for c in parsed), changes=parsed)


def load_whatifs(path: str | Path) -> list[WhatIf]:
    """Read what-ifs from a YAML file: a list (or ``whatifs:``) of ``{id, title, description, changes}``.

    A change is a string in the command-line vocabulary, or ``{add: {...actor...}}``.
    """
    path = Path(path)
    return loads_whatifs(read_text(path), file=str(path))


def loads_whatifs(text: str, file: str = "<what-ifs>") -> list[WhatIf]:
    """What-ifs from YAML or JSON text, as in a what-if file."""
    data, lines = parse_text(text, file=file)
    return whatifs_from_data(data, lines, file)


def whatifs_from_data(data: Any, lines: Lines | None = None, file: str = "<what-ifs>") -> list[WhatIf]:
    """What-ifs from parsed data (``lines(path)`` gives the line of a place, when known)."""
    lines = lines or Lines()
    top: tuple[str | int, ...] = ("whatifs",) if isinstance(data, dict) else ()
    items = data.get("whatifs") if isinstance(data, dict) else data

    def fail(where: tuple[str | int, ...], rule: str, fix: str, value: object = None) -> ScenarioError:
        field = ".".join(str(p) for p in where) or "<what-ifs>"
        return ScenarioError([Problem(field, rule, fix, value=value, file=file, line=lines(where))])

    if isinstance(data, dict) and set(data) != {"whatifs"}:
        raise fail((), "a what-if file holds only `whatifs:`", "move every what-if under `whatifs:`")
    if not isinstance(items, list) or not items:
        raise fail(top, "must be a list of what-ifs", "write `- id: ...` items, each with `changes:`")
    out: list[WhatIf] = []
    for k, item in enumerate(items):
        where = top + (k,)
        if not isinstance(item, dict):
            raise fail(where, "a what-if must be a mapping", "write `id:`, `title:` and `changes:` under `- `")
        unknown = [key for key in item if key not in WHATIF_FIELDS]
        if unknown:
            raise fail(where + (unknown[0],), "unknown field in a what-if",
                       f"use only {', '.join(WHATIF_FIELDS)}")
        ident = item.get("id")
        if not isinstance(ident, str) or not re.fullmatch(_ID, ident) or ident == "baseline":
            raise fail(where + ("id",), "needs an id (letters, digits, '_', '-'; not 'baseline')",
                       "add e.g. `id: us_conditions_aid`", ident)
        if ident in {w.id for w in out}:
            raise fail(where + ("id",), "this id is used twice", "give every what-if its own id", ident)
        changes = item.get("changes")
        if not isinstance(changes, list) or not changes:
            raise fail(where + ("changes",), "must be a list of changes", f"write one of {VOCABULARY} per item")
        parsed = tuple(_read_change(raw, _place(file, lines(where + ("changes", j))))
                       for j, raw in enumerate(changes))
        for key in ("title", "description"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise fail(where + (key,), "must be text", "write it as a plain or quoted string", item[key])
        out.append(WhatIf(id=ident, title=" ".join((item.get("title") or ident).split()), changes=parsed,
                          description=" ".join(item["description"].split()) if item.get("description") else None))
    return out


def whatifs_to_data(whatifs: Sequence[WhatIf]) -> list[dict[str, Any]]:
    """What-ifs as plain data, the inverse of :func:`whatifs_from_data`."""
    return [{"id": w.id, "title": w.title, **({"description": w.description} if w.description else {}),
             "changes": [{"add": c.actor} if c.op == "add" else c.text for c in w.changes]} for w in whatifs]


def _place(file: str, line: int | None) -> str:
    return file if line is None else f"{file}:{line}"


def _read_change(raw: Any, origin: str) -> Change:
    if isinstance(raw, dict) and set(raw) == {"add"}:
        return add_change(raw["add"], origin)
    if isinstance(raw, str):
        return parse_change(raw, origin)
    raise _error(repr(raw), "is not a what-if change", f"write one of {VOCABULARY}", origin)


def whatifs_path(scenario: str | Path) -> Path:
    """Where a scenario's what-ifs live: ``NAME.whatifs.yaml`` beside the file or bundled scenario."""
    path = Path(scenario)
    if path.suffix.lower() in (".yaml", ".yml", ".json", ".csv", ".xml"):
        return path.with_name(f"{path.stem}.whatifs.yaml")
    return Path(str(resources.files("stakes") / "data" / "scenarios" / f"{scenario}.whatifs.yaml"))


def bundled_whatifs(scenario_name: str | Path) -> list[WhatIf]:
    """The what-ifs that go with a scenario (bundled name or file); empty when it has none."""
    path = whatifs_path(scenario_name)
    return load_whatifs(path) if path.is_file() else []


def select_whatifs(scenario: str | Path, sources: Sequence[str] = (), changes: Sequence[str] = ()) -> list[WhatIf]:
    """What-ifs from files, from ``bundled`` (the scenario's own set) and from changes (together one what-if)."""
    found: list[WhatIf] = []
    for source in sources:
        if source == "bundled":
            bundled = bundled_whatifs(scenario)
            if not bundled:
                raise StakesError(f"no what-ifs ship with {scenario} (looked for {whatifs_path(scenario)}); "
                                  "name a what-if file or use --change")
            found += bundled
        else:
            found += load_whatifs(source)
    if changes:
        found.append(whatif_from_changes(list(changes)))
    ids = [w.id for w in found]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise StakesError(f"what-if id {repeated[0]!r} appears more than once; give every what-if its own id")
    return found


def _error(text: str, rule: str, fix: str, origin: str | None = None) -> ScenarioError:
    return ScenarioError([Problem("<what-if>", rule, fix, value=text, file=origin)])


def _validated(scenario: Scenario) -> Scenario:
    return schema.from_data(schema.to_data(scenario))


def _moved(estimate: Estimate, change: Change, bounds: tuple[float, float]) -> Estimate:
    """``estimate`` set, scaled or shifted as ``change`` says; a moved range is cut back to ``bounds``."""
    def move(x: float) -> float:
        return change.value if change.op == "set" else x * change.value if change.op == "scale" else x + change.value

    new = move(estimate.value)
    if not bounds[0] <= new <= bounds[1]:
        raise _error(change.target, f"would become {new:g}, outside [{bounds[0]:g}, {bounds[1]:g}]",
                     "change the what-if so the number stays within bounds (numbers are never clipped)")
    basis = f"{estimate.basis} [what-if: {change}]" if estimate.basis else f"[what-if: {change}]"
    if change.op == "set":  # the what-if, not the cited evidence, now gives the number
        return replace(estimate, value=new, low=None, high=None, basis=basis, source=None, where=None)
    low = high = None
    if not estimate.is_exact:
        low, high = sorted((move(estimate.low), move(estimate.high)))
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return replace(estimate, value=new, low=low, high=high, basis=basis)


def _apply(scenario: Scenario, change: Change) -> Scenario:
    if change.op in ("set", "scale", "shift"):
        return _apply_number(scenario, change)
    if change.op == "drop":
        _actor(scenario, change.target)
        issues = tuple(replace(i, decision=_without(i.decision, change, i.id)) if i.decision else i
                       for i in scenario.issues)
        return replace(scenario, issues=issues,
                       actors=tuple(a for a in scenario.actors if a.id != change.target))
    if change.op == "fix":
        return _fix(scenario, change)
    if change.op == "merge":
        return _merge(scenario, change)
    if change.op == "add":
        data = schema.to_data(scenario)
        data["actors"].append(change.actor)
        return schema.from_data(data)
    raise _error(str(change), f"unknown operation {change.op!r}", f"use one of {', '.join(OPERATIONS)}")


def _actor(scenario: Scenario, actor_id: str) -> Actor:
    for actor in scenario.actors:
        if actor.id == actor_id:
            return actor
    raise _error(actor_id, "names no actor of the scenario",
                 f"use one of: {', '.join(a.id for a in scenario.actors)}")


def _apply_number(scenario: Scenario, change: Change) -> Scenario:
    parts = change.target.split(".")
    issue_ids = [i.id for i in scenario.issues]
    if parts[-1] == "status_quo":
        if len(parts) != 2 or parts[0] not in issue_ids:
            raise _error(parts[0], "names no issue of the scenario", f"use one of: {', '.join(issue_ids)}")
        issue = scenario.issue(parts[0])
        if issue.status_quo is None and change.op != "set":
            raise _error(change.target, "the issue has no status quo to scale or shift",
                         f"set one first: `{parts[0]}.status_quo = N`")
        current = issue.status_quo or Estimate(0.0)
        new = replace(issue, status_quo=_moved(current, change, issue.scale))
        return replace(scenario, issues=tuple(new if i.id == issue.id else i for i in scenario.issues))
    actor = _actor(scenario, parts[0])
    if parts[1:] == ["capability"]:
        changed = replace(actor, capability=_moved(actor.capability, change, (0.0, math.inf)))
    elif len(parts) == 3 and parts[2] in ("position", "salience", "risk"):
        issue_id, field = parts[1], parts[2]
        if issue_id not in actor.stances:
            raise _error(change.target, f"{actor.id} takes no stance on {issue_id!r}",
                         f"its stances: {', '.join(actor.stances) or 'none'}")
        stance = actor.stances[issue_id]
        current = getattr(stance, field)
        if current is None and change.op != "set":
            raise _error(change.target, f"{actor.id} states no {field} on {issue_id}",
                         f"set one: `{change.target} = N`")
        bounds = {"position": scenario.issue(issue_id).scale, "salience": SALIENCE_RANGE, "risk": RISK_RANGE}
        moved = _moved(current or Estimate(0.0), change, bounds[field])
        changed = replace(actor, stances={**actor.stances, issue_id: replace(stance, **{field: moved})})
    else:
        raise _error(change.target, "is not a number of the scenario",
                     "name ACTOR.capability, ACTOR.ISSUE.position|salience|risk or ISSUE.status_quo")
    return replace(scenario, actors=tuple(changed if a.id == actor.id else a for a in scenario.actors))


def _without(decision: Decision, change: Change, issue_id: str) -> Decision:
    """``decision`` once the actor ``change`` drops has left it (see the module docstring)."""
    gone = change.target
    if gone not in decision.actors:
        return decision
    if decision.decider == gone or decision.voters == (gone,):
        role = "decides" if decision.decider == gone else "is the only voter on"
        raise _error(str(change), f"{gone} {role} {issue_id!r} (rule `{decision.rule}`); without it no rule is left",
                     "change the issue's `decision:` in the scenario first, or merge the actor into a coalition")
    basis = f"{decision.basis} [what-if: {change}]" if decision.basis else f"[what-if: {change}]"
    veto_players = tuple(a for a in decision.veto_players if a != gone)
    if decision.rule == "veto" and not veto_players:
        return Decision("bargaining", basis=basis, source=decision.source, where=decision.where)
    weights = None if decision.weights is None else {k: w for k, w in decision.weights.items() if k != gone}
    accepts = None if decision.accepts is None else {k: v for k, v in decision.accepts.items() if k != gone} or None
    return replace(decision, veto_players=veto_players, voters=tuple(a for a in decision.voters if a != gone),
                   weights=weights, accepts=accepts, basis=basis,
                   agenda_setter=None if decision.agenda_setter == gone else decision.agenda_setter)


def _merged(decision: Decision, change: Change) -> Decision:
    """``decision`` with the coalition of ``change`` in its members' places (see the module docstring)."""
    members, into = set(change.members), change.target
    if not members & set(decision.actors):
        return decision

    def rename(ids: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(into if a in members else a for a in ids))

    weights = None
    if decision.weights is not None:
        weights = {}
        for voter, weight in decision.weights.items():
            key = into if voter in members else voter
            weights[key] = weights.get(key, 0.0) + weight
    elif len(members & set(decision.voters)) > 1:  # equal weights: the coalition carries its members' votes
        weights = {into if v in members else v: 0.0 for v in decision.voters}
        for voter in decision.voters:
            weights[into if voter in members else voter] += 1.0
    accepts = None
    if decision.accepts is not None:  # the coalition signs what every member that stated a set would sign
        accepts = {k: v for k, v in decision.accepts.items() if k not in members}
        stated = [v for k, v in decision.accepts.items() if k in members]
        if stated:
            low, high = max(v[0] for v in stated), min(v[1] for v in stated)
            if low > high:
                raise _error(str(change), f"the members of {into} sign outcomes that do not overlap "
                             f"({', '.join(f'{a:g}–{b:g}' for a, b in stated)})",
                             "merge actors whose `accepts:` intervals overlap, or edit the decision first")
            accepts[into] = (low, high)
    basis = f"{decision.basis} [what-if: {change}]" if decision.basis else f"[what-if: {change}]"
    return replace(decision, veto_players=rename(decision.veto_players), voters=rename(decision.voters),
                   weights=weights, accepts=accepts or None, basis=basis,
                   agenda_setter=into if decision.agenda_setter in members else decision.agenda_setter,
                   decider=into if decision.decider in members else decision.decider)


def _fix(scenario: Scenario, change: Change) -> Scenario:
    """Mark one stance (``ACTOR.ISSUE``) or all of an actor's stances (``ACTOR``) as fixed."""
    actor_id, _, issue_id = change.target.partition(".")
    actor = _actor(scenario, actor_id)
    if issue_id and issue_id not in actor.stances:
        raise _error(change.target, f"{actor_id} takes no stance on {issue_id!r}",
                     f"its stances: {', '.join(actor.stances) or 'none'}")
    stances = {key: replace(stance, fixed=True) if key == issue_id or not issue_id else stance
               for key, stance in actor.stances.items()}
    changed = replace(actor, stances=stances)
    return replace(scenario, actors=tuple(changed if a.id == actor_id else a for a in scenario.actors))


def _combined(estimates: list[Estimate], weight: np.ndarray, note: str) -> Estimate:
    """The ``weight``-weighted mean of numbers and of their range ends (as if they moved together)."""
    weight = weight / weight.sum() if weight.sum() > 0 else np.full(len(weight), 1 / len(weight))
    value = float(np.dot(weight, [e.value for e in estimates]))
    if all(e.is_exact for e in estimates):
        return Estimate(value, basis=note)
    low = float(np.dot(weight, [e.value if e.is_exact else e.low for e in estimates]))
    high = float(np.dot(weight, [e.value if e.is_exact else e.high for e in estimates]))
    return Estimate(value, min(low, value), max(high, value), basis=note)


def _merge(scenario: Scenario, change: Change) -> Scenario:
    """The members become one coalition actor, placed where the first member stood.

    Capability is the members' sum. On each issue, the coalition's position is the mean of the
    members' positions weighted by capability × salience (what the weighted models see), its
    salience the capability-weighted mean salience (a member without a stance counts as 0 there)
    and its risk attitude the weighted mean of those stated. Ranges combine the same way, as if the
    members' numbers moved together. The coalition is fixed on an issue only if every member is.
    """
    members = [_actor(scenario, m) for m in change.members]
    taken = {a.id for a in scenario.actors} - set(change.members)
    if change.target in taken:
        raise _error(change.target, "is the id of another actor", "choose a new id for the coalition")
    names = " + ".join(m.name for m in members)
    note = f"coalition of {names} ({change})"
    capability = np.array([m.capability.value for m in members])
    stances: dict[str, Stance] = {}
    for issue in scenario.issues:
        involved = [(m, m.stances[issue.id]) for m in members if issue.id in m.stances]
        if not involved:
            continue
        cap = np.array([m.capability.value for m, _ in involved])
        sal = np.array([s.salience.value for _, s in involved])
        salience = _combined([s.salience for _, s in involved], cap, note)
        share = cap.sum() / capability.sum() if capability.sum() > 0 else 1.0
        salience = replace(salience, value=salience.value * share,
                           low=None if salience.low is None else salience.low * share,
                           high=None if salience.high is None else salience.high * share)
        risky = [(k, s.risk) for k, (_, s) in enumerate(involved) if s.risk is not None]
        risk = (_combined([r for _, r in risky], (cap * sal)[[k for k, _ in risky]], note) if risky else None)
        stances[issue.id] = Stance(position=_combined([s.position for _, s in involved], cap * sal, note),
                                   salience=salience, risk=risk, fixed=all(s.fixed for _, s in involved))
    low = sum(m.capability.value if m.capability.is_exact else m.capability.low for m in members)
    high = sum(m.capability.value if m.capability.is_exact else m.capability.high for m in members)
    total = float(capability.sum())
    coalition = Actor(
        id=change.target, name=names, kind="faction",
        capability=Estimate(total, None if low == high else low, None if low == high else high,
                            basis=f"sum of the members' capabilities; {note}"),
        stances=stances, aliases=tuple(dict.fromkeys(a for m in members for a in (m.name, *m.aliases))),
        description=f"Coalition formed by a what-if: {names}.")
    first = next(k for k, a in enumerate(scenario.actors) if a.id in change.members)
    kept = [a for a in scenario.actors if a.id not in change.members]
    kept.insert(sum(1 for a in scenario.actors[:first] if a.id not in change.members), coalition)
    issues = tuple(replace(i, decision=_merged(i.decision, change)) if i.decision else i for i in scenario.issues)
    return replace(scenario, issues=issues, actors=tuple(kept))
