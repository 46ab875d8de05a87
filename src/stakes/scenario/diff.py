"""What changed between two versions of a scenario, in words a change history can show."""

from __future__ import annotations

from dataclasses import fields

from stakes.scenario.model import Decision, Estimate, Scenario

NUMBER_PARTS = ("value", "low", "high", "distribution", "basis", "source", "where")
DECISION_PARTS = tuple(f.name for f in fields(Decision))


def diff(old: Scenario, new: Scenario) -> list[str]:
    """One line per change: ``netanyahu.rafah_operation.position: 85 → 60``, ``added actor x``…

    Numbers are named by the keys Monte Carlo and sensitivity use (``ACTOR.capability``,
    ``ACTOR.ISSUE.position``, ``ISSUE.status_quo``); text fields by their name; a decision rule by
    its rule or its changed fields (``hostage_deal.decision veto_players changed``).
    """
    lines: list[str] = []
    for field in ("title", "as_of", "description", "notes"):
        if getattr(old, field) != getattr(new, field):
            lines.append(f"{field} changed")
    _listing(lines, "issue", [i.id for i in old.issues], [i.id for i in new.issues])
    _listing(lines, "actor", [a.id for a in old.actors], [a.id for a in new.actors])
    _listing(lines, "source", [s.id for s in old.sources], [s.id for s in new.sources])
    old_issues = {i.id: i for i in old.issues}
    for issue in new.issues:
        before = old_issues.get(issue.id)
        if before is None:
            continue
        for field in ("name", "low", "high", "scale", "description"):
            if getattr(before, field) != getattr(issue, field):
                lines.append(f"{issue.id}.{field} changed")
        _number(lines, f"{issue.id}.status_quo", before.status_quo, issue.status_quo)
        if before.decision != issue.decision:
            _decision(lines, issue.id, before.decision, issue.decision)
        if before.outcomes != issue.outcomes:
            lines.append(f"{issue.id}.outcomes: {len(before.outcomes)} → {len(issue.outcomes)} observed"
                         if len(before.outcomes) != len(issue.outcomes) else f"{issue.id}.outcomes changed")
    old_actors = {a.id: a for a in old.actors}
    for actor in new.actors:
        before = old_actors.get(actor.id)
        if before is None:
            continue
        for field in ("name", "kind", "aliases", "description"):
            if getattr(before, field) != getattr(actor, field):
                lines.append(f"{actor.id}.{field} changed")
        _number(lines, f"{actor.id}.capability", before.capability, actor.capability)
        for issue_id in dict.fromkeys([*before.stances, *actor.stances]):
            was, now = before.stances.get(issue_id), actor.stances.get(issue_id)
            key = f"{actor.id}.{issue_id}"
            if was is None or now is None:
                lines.append(f"{'added' if was is None else 'removed'} stance {key}")
                continue
            for quantity in ("position", "salience", "risk"):
                _number(lines, f"{key}.{quantity}", getattr(was, quantity), getattr(now, quantity))
            if was.fixed != now.fixed:
                lines.append(f"{key} {'fixed' if now.fixed else 'no longer fixed'}")
    return lines


def _decision(lines: list[str], issue_id: str, old: Decision | None, new: Decision | None) -> None:
    """``ISSUE.decision: veto → majority``, or the fields of one rule that changed."""
    if old is None or new is None or old.rule != new.rule:
        lines.append(f"{issue_id}.decision: {old.rule if old else 'none'} → {new.rule if new else 'none'}")
        return
    changed = [name for name in DECISION_PARTS if getattr(old, name) != getattr(new, name)]
    lines.append(f"{issue_id}.decision {', '.join(changed)} changed")


def _listing(lines: list[str], what: str, old: list[str], new: list[str]) -> None:
    lines += [f"added {what} {i}" for i in new if i not in old]
    lines += [f"removed {what} {i}" for i in old if i not in new]


def _number(lines: list[str], key: str, old: Estimate | None, new: Estimate | None) -> None:
    if old == new:
        return
    if old is None or new is None:
        lines.append(f"{key}: {_show(old)} → {_show(new)}")
        return
    if old.value != new.value:
        lines.append(f"{key}: {old.value:g} → {new.value:g}")
    if (old.low, old.high) != (new.low, new.high):
        lines.append(f"{key} range: {_range(old)} → {_range(new)}")
    changed = [part for part in NUMBER_PARTS[3:] if getattr(old, part) != getattr(new, part)]
    if changed:
        lines.append(f"{key} {', '.join(changed)} changed")


def _show(estimate: Estimate | None) -> str:
    return "none" if estimate is None else f"{estimate.value:g}"


def _range(estimate: Estimate) -> str:
    return "exact" if estimate.is_exact else f"[{estimate.low:g}, {estimate.high:g}]"
