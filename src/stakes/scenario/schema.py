"""The canonical scenario format: plain data (as read from YAML/JSON) ⇄ :class:`Scenario`.

``from_data`` checks every rule and collects *all* problems before raising one
:class:`~stakes.errors.ScenarioError`, so a user fixes a file in one pass. Nothing is coerced
silently: a number out of range, an unknown field or a duplicate id is an error, never a clamp.
The format is documented in ``docs/scenario-format.md``.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from stakes import limits
from stakes.errors import Problem, ScenarioError, did_you_mean
from stakes.scenario.documents import Lines, Path_
from stakes.scenario.model import (
    ACTOR_KINDS,
    DECISION_RULES,
    DISTRIBUTIONS,
    RISK_RANGE,
    SALIENCE_RANGE,
    Actor,
    Decision,
    Estimate,
    Issue,
    Observation,
    Scenario,
    Source,
    Stance,
)

FORMAT_VERSION = 1
ID_PATTERN = re.compile(r"^[^\W\d][\w.\-]*$|^\d[\w.\-]*$")
MAX_MAGNITUDE = 1e15
"""The largest size of any number in a scenario: a capability in dollars of GDP still fits, and the
models' weighted sums and squared distances stay far from overflowing."""
TOP_FIELDS = ("stakes", "title", "as_of", "description", "sources", "notes", "issues", "actors")
ISSUE_FIELDS = ("id", "name", "low", "high", "scale", "description", "status_quo", "decision", "outcomes")
DECISION_FIELDS = ("rule", "veto_players", "agenda_setter", "voters", "weights", "threshold", "decider",
                   "accepts", "basis", "source", "where")
OUTCOME_FIELDS = ("value", "range", "date", "basis", "source", "where")
RULE_FIELDS = {  # the actor fields each rule uses; the others must stay empty
    "bargaining": (),
    "veto": ("veto_players", "agenda_setter", "accepts"),
    "majority": ("voters", "weights", "agenda_setter"),
    "qualified_majority": ("voters", "weights", "threshold", "agenda_setter"),
    "single": ("decider",),
}
ACTOR_FIELDS = ("id", "name", "kind", "aliases", "description", "capability", "stances")
STANCE_FIELDS = ("position", "salience", "risk", "fixed")
ESTIMATE_FIELDS = ("value", "range", "distribution", "basis", "source", "where")
SOURCE_FIELDS = ("id", "title", "kind", "url", "published", "publisher", "note")


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<top>"


class _Checker:
    """Collects problems while converting plain data into scenario objects."""

    def __init__(self, lines: Lines, file: str | None):
        self.lines = lines
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, path: Path_, rule: str, fix: str, value: object = None) -> None:
        self.problems.append(
            Problem(field=_dotted(path), rule=rule, fix=fix, value=value, file=self.file,
                    line=self.lines(path))
        )

    def mapping(self, value: Any, path: Path_, allowed: tuple[str, ...], what: str) -> dict | None:
        if not isinstance(value, dict):
            self.problem(path, f"{what} must be a mapping of fields, not {type(value).__name__}",
                         f"write {what} as `field: value` lines ({', '.join(allowed)})")
            return None
        for key in value:
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                self.problem(path + (key,), f"unknown field in {what}", f"remove it or rename it ({hint})")
        return value

    def text(self, data: dict, key: str, path: Path_, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(path + (key,), "is required", f"add `{key}: ...`")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(path + (key,), "must be text", "write it as a plain or quoted string", value)
            return None
        value = str(value).strip()
        if required and not value:
            self.problem(path + (key,), "must not be empty", f"write a {key}")
            return None
        return value

    def identifier(self, data: dict, key: str, path: Path_) -> str | None:
        value = self.text(data, key, path)
        if value is not None and not ID_PATTERN.match(value):
            self.problem(path + (key,), "is not a valid id (letters, digits, '_', '-', '.'; no spaces)",
                         "use a short id such as `us_admin`", value)
            return None
        return value

    def interval(self, value: Any, path: Path_, scale: tuple[float, float], what: str,
                 example: str) -> tuple[float, float] | None:
        """A ``[low, high]`` pair of numbers inside ``scale`` (``what`` names it in the message,
        ``example`` shows the form), or None after reporting what is wrong with it."""
        if not (isinstance(value, list) and len(value) == 2):
            self.problem(path, "must be a list of two numbers [low, high]", f"write e.g. `{example}`", value)
            return None
        low, high = self.number(value[0], path + (0,)), self.number(value[1], path + (1,))
        if low is None or high is None:
            return None
        lo, hi = scale
        if low > high:
            self.problem(path, "low end is above high end", f"swap the two numbers: [{high:g}, {low:g}]", value)
        elif not (lo <= low and high <= hi):
            self.problem(path, f"{what} leaves [{lo:g}, {hi:g}]", f"keep both ends between {lo:g} and {hi:g}", value)
        else:
            return low, high
        return None

    def number(self, value: Any, path: Path_) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(path, "must be a number", "write a plain number such as 0.5", value)
            return None
        try:
            number = float(value)
        except OverflowError:  # an integer too large for a float
            number = math.inf
        if not math.isfinite(number):
            self.problem(path, "must be a finite number", "replace it with a real number", value)
            return None
        if abs(number) > MAX_MAGNITUDE:
            self.problem(path, f"is beyond ±{MAX_MAGNITUDE:g}, where the models' sums and squares overflow",
                         "rescale: only ratios of capabilities and positions relative to the scale matter", value)
            return None
        return number

    def estimate(self, value: Any, path: Path_, bounds: tuple[float, float], what: str,
                 sources: set[str]) -> Estimate | None:
        """A number, or a mapping {value, range, distribution, basis, source, where}."""
        lo, hi = bounds
        if isinstance(value, dict):
            data = self.mapping(value, path, ESTIMATE_FIELDS, what)
            if data is None:
                return None
            if "value" not in data:
                self.problem(path + ("value",), "is required", f"add `value:` with the {what}")
                return None
            number = self.number(data["value"], path + ("value",))
            low = high = None
            if "range" in data:
                bounds = self.interval(data["range"], path + ("range",), (lo, hi), f"{what} range",
                                       "range: [40, 60]")
                if bounds is not None:
                    low, high = bounds
                    if number is not None and not (low <= number <= high):
                        self.problem(path + ("value",), f"lies outside its own range [{low:g}, {high:g}]",
                                     "move the value inside the range or widen the range", number)
            distribution = data.get("distribution", "uniform")
            if distribution not in DISTRIBUTIONS:
                self.problem(path + ("distribution",), "unknown distribution",
                             f"use one of {', '.join(DISTRIBUTIONS)}", distribution)
            source = self.text(data, "source", path, required=False)
            if source is not None and source not in sources:
                self.problem(path + ("source",), "names no source of this scenario",
                             "add it under `sources:` or correct the id", source)
            basis = self.text(data, "basis", path, required=False)
            where = self.text(data, "where", path, required=False)
        else:
            number = self.number(value, path)
            low = high = None
            distribution, basis, source, where = "uniform", None, None, None
        if number is None:
            return None
        if not lo <= number <= hi:
            self.problem(path, f"{what} must lie in [{lo:g}, {hi:g}]",
                         f"use a number between {lo:g} and {hi:g} (values are never clipped)", number)
            return None
        return Estimate(number, low, high, distribution, basis, source, where)


def from_data(data: Any, lines: Lines | None = None, file: str | None = None) -> Scenario:
    """Build a validated :class:`Scenario` from plain data, or raise ``ScenarioError``."""
    check = _Checker(lines or Lines(), file)
    top = check.mapping(data, (), TOP_FIELDS, "the scenario")
    if top is None:
        raise ScenarioError(check.problems)
    _check_size(top, lines, file)
    version = top.get("stakes", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        check.problem(("stakes",), f"unsupported format version (this stakes reads {FORMAT_VERSION})",
                      f"write `stakes: {FORMAT_VERSION}`", version)
    title = check.text(top, "title", ())
    as_of = _date(check, top.get("as_of"), ("as_of",))
    sources = _sources(check, top.get("sources", []))
    source_ids = {s.id for s in sources}
    issues, declared = _issues(check, top.get("issues"), source_ids)
    actors = _actors(check, top.get("actors"), declared, source_ids)
    mentioned = _stance_keys(top.get("actors"))
    _decision_actors(check, issues, top.get("issues"), top.get("actors"))
    for index, issue in enumerate(issues):
        if issue.id not in mentioned:
            check.problem(("issues", index, "id"), "no actor takes a position on this issue",
                          f"add a stance `{issue.id}:` to at least one actor, or remove the issue",
                          issue.id)
    if check.problems:
        raise ScenarioError(check.problems)
    return Scenario(
        title=title or "",
        issues=tuple(issues),
        actors=tuple(actors),
        as_of=as_of,
        description=check.text(top, "description", (), required=False),
        sources=tuple(sources),
        notes=check.text(top, "notes", (), required=False),
    )


def _check_size(top: dict[str, Any], lines: Lines | None, file: str | None) -> None:
    """Refuse a scenario beyond the caps (actors × issues, length of a text) before validating it."""
    actors, issues = top.get("actors"), top.get("issues")
    if isinstance(actors, list) and isinstance(issues, list):
        limits.check_cells(len(actors), len(issues), file)
    too_long = limits.text_problems(top, file, lines=lines)
    if too_long:
        raise ScenarioError(too_long)


def _stance_keys(actors: Any) -> set[str]:
    """Issue ids some actor's stances name, valid or not (so one bad stance is not also reported as none)."""
    if not isinstance(actors, list):
        return set()
    return {key for actor in actors if isinstance(actor, dict) and isinstance(actor.get("stances"), dict)
            for key in actor["stances"]}


def _date(check: _Checker, value: Any, path: Path_) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    check.problem(path, "must be a date", "write it as YYYY-MM-DD", value)
    return None


def _list(check: _Checker, value: Any, path: Path_, what: str) -> list:
    if value is None:
        check.problem(path, "is required", f"add a list of {what}")
        return []
    if not isinstance(value, list):
        check.problem(path, f"must be a list of {what}", f"write each of the {what} as a `- ` item")
        return []
    return value


def _unique(check: _Checker, ids: list[tuple[str | None, Path_]], what: str) -> None:
    seen: dict[str, Path_] = {}
    for ident, path in ids:
        if ident is None:
            continue
        if ident in seen:
            check.problem(path, f"duplicate {what} id (first used at {_dotted(seen[ident])})",
                          f"give every {what} its own id", ident)
        else:
            seen[ident] = path


def _sources(check: _Checker, value: Any) -> list[Source]:
    out: list[Source] = []
    ids = []
    for index, item in enumerate(_list(check, value, ("sources",), "sources")):
        path: Path_ = ("sources", index)
        data = check.mapping(item, path, SOURCE_FIELDS, "a source")
        if data is None:
            continue
        ident = check.identifier(data, "id", path)
        ids.append((ident, path + ("id",)))
        title = check.text(data, "title", path)
        optional = {k: check.text(data, k, path, required=False)
                    for k in ("kind", "url", "published", "publisher", "note")}
        if ident is not None and title is not None:
            out.append(Source(id=ident, title=title, **optional))
    _unique(check, ids, "source")
    return out


def _issues(check: _Checker, value: Any, sources: set[str]) -> tuple[list[Issue], dict[str, Issue]]:
    """The valid issues, and every issue with a usable id (stances are checked against these, so one
    broken issue field is one problem, not one more for every stance on that issue)."""
    out: list[Issue] = []
    declared: dict[str, Issue] = {}
    ids = []
    items = _list(check, value, ("issues",), "issues")
    if value is not None and not items and isinstance(value, list):
        check.problem(("issues",), "lists no issue", "add at least one issue")
    for index, item in enumerate(items):
        path: Path_ = ("issues", index)
        data = check.mapping(item, path, ISSUE_FIELDS, "an issue")
        if data is None:
            continue
        ident = check.identifier(data, "id", path)
        ids.append((ident, path + ("id",)))
        name = check.text(data, "name", path)
        low = check.text(data, "low", path)
        high = check.text(data, "high", path)
        scale = (0.0, 100.0)
        if "scale" in data:
            raw = data["scale"]
            if not (isinstance(raw, list) and len(raw) == 2):
                check.problem(path + ("scale",), "must be two numbers [low, high]",
                              "write e.g. `scale: [0, 100]`", raw)
                continue
            a = check.number(raw[0], path + ("scale", 0))
            b = check.number(raw[1], path + ("scale", 1))
            if a is None or b is None:
                continue
            if not a < b:
                check.problem(path + ("scale",), "the low end must be below the high end",
                              "write the smaller number first", raw)
                continue
            scale = (a, b)
        status_quo = None
        if "status_quo" in data:
            status_quo = check.estimate(data["status_quo"], path + ("status_quo",), scale,
                                        "status quo", sources)
        decision = None
        if "decision" in data:
            decision = _decision(check, data["decision"], path + ("decision",), scale, sources)
        outcomes = _outcomes(check, data.get("outcomes", []), path + ("outcomes",), scale, sources)
        issue = Issue(ident or "", name or "", low or "", high or "", scale,
                      check.text(data, "description", path, required=False), status_quo,
                      decision, outcomes)
        if ident is not None:
            declared.setdefault(ident, issue)
        if None not in (ident, name, low, high):
            out.append(issue)
    _unique(check, ids, "issue")
    return out, declared


def _evidence(check: _Checker, data: dict, path: Path_, sources: set[str]) -> dict[str, str | None]:
    """``basis``, ``source`` and ``where`` of a block that cites evidence (the source must exist)."""
    source = check.text(data, "source", path, required=False)
    if source is not None and source not in sources:
        check.problem(path + ("source",), "names no source of this scenario",
                      "add it under `sources:` or correct the id", source)
    return {"basis": check.text(data, "basis", path, required=False), "source": source,
            "where": check.text(data, "where", path, required=False)}


def _ids(check: _Checker, data: dict, key: str, path: Path_) -> tuple[str, ...]:
    """A list of actor ids (checked against the actors later, by :func:`_decision_actors`)."""
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        check.problem(path + (key,), "must be a list of actor ids", f"write `{key}: [actor_id, ...]`", value)
        return ()
    for index, ident in enumerate(value):
        if ident in value[:index]:
            check.problem(path + (key, index), "names an actor twice", "list every actor once", ident)
    return tuple(dict.fromkeys(value))


def _decision(check: _Checker, value: Any, path: Path_, scale: tuple[float, float],
              sources: set[str]) -> Decision | None:
    """The ``decision:`` block of an issue: the rule and the fields that rule needs, nothing else."""
    data = check.mapping(value, path, DECISION_FIELDS, "a decision")
    if data is None:
        return None
    rule = check.text(data, "rule", path)
    if rule is None:
        return None
    if rule not in DECISION_RULES:
        hint = did_you_mean(rule, DECISION_RULES, "use one of")
        check.problem(path + ("rule",), "unknown decision rule", hint, rule)
        return None
    problems = len(check.problems)
    for key in DECISION_FIELDS[1:8]:
        if key in data and key not in RULE_FIELDS[rule]:
            fix = (f"remove it (the rule `{rule}` uses: {', '.join(RULE_FIELDS[rule]) or 'no actors'})"
                   if (rule, key) != ("majority", "threshold") else
                   "remove it (a majority needs more than half) or use `rule: qualified_majority`")
            check.problem(path + (key,), f"is not used by the rule `{rule}`", fix)
    veto_players = _ids(check, data, "veto_players", path)
    voters = _ids(check, data, "voters", path)
    agenda_setter = check.text(data, "agenda_setter", path, required=False)
    decider = check.text(data, "decider", path, required=False)
    if rule == "veto" and not veto_players:
        check.problem(path + ("veto_players",), "the rule `veto` needs at least one veto player",
                      "add `veto_players: [actor_id, ...]` (or use `rule: bargaining`)")
    if rule in ("majority", "qualified_majority") and not voters:
        check.problem(path + ("voters",), f"the rule `{rule}` needs voters", "add `voters: [actor_id, ...]`")
    if rule == "single" and decider is None:
        check.problem(path + ("decider",), "the rule `single` needs a decider", "add `decider: actor_id`")
    weights = None
    if "weights" in data:
        raw = data["weights"]
        if not isinstance(raw, dict):
            check.problem(path + ("weights",), "must map voter ids to weights",
                          "write `weights: {voter_id: 29, ...}`", raw)
        else:
            weights = {}
            for key, number in raw.items():
                weight = check.number(number, path + ("weights", key))
                if key not in voters:
                    check.problem(path + ("weights", key), "is not one of the voters",
                                  "add it to `voters:` or remove its weight", key)
                elif weight is not None and weight <= 0:
                    check.problem(path + ("weights", key), "a voter's weight must be above 0",
                                  "give a positive weight, or remove the voter", weight)
                elif weight is not None:
                    weights[key] = weight
            missing = [v for v in voters if v not in raw]
            if missing:
                check.problem(path + ("weights",), f"gives no weight to {', '.join(missing)}",
                              "give every voter a weight, or remove `weights:` for equal weights")
    threshold = None
    if "threshold" in data:
        threshold = check.number(data["threshold"], path + ("threshold",))
        if threshold is not None and not 0.5 < threshold <= 1:
            check.problem(path + ("threshold",), "a qualified majority's threshold must lie in (0.5, 1]",
                          "give the share of the voters' total weight needed, e.g. 0.71", threshold)
    elif rule == "qualified_majority":
        check.problem(path + ("threshold",), "the rule `qualified_majority` needs a threshold",
                      "add `threshold:` (the share of the voters' total weight needed, e.g. 0.71)")
    accepts = _accepts(check, data, path, scale, veto_players) if "accepts" in data else None
    evidence = _evidence(check, data, path, sources)
    if len(check.problems) > problems:
        return None
    return Decision(rule, veto_players, agenda_setter, voters, weights, threshold, decider, accepts, **evidence)


def _accepts(check: _Checker, data: dict[str, Any], path: Path_, scale: tuple[float, float],
             veto_players: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """``accepts: {veto_player: [low, high]}``: the outcomes some veto players would sign."""
    raw = data["accepts"]
    if not isinstance(raw, dict) or not raw:
        check.problem(path + ("accepts",), "must map veto players to the interval of outcomes each would sign",
                      "write `accepts: {veto_player: [low, high], ...}`", raw)
        return {}
    out = {}
    for key, interval in raw.items():
        place = path + ("accepts", key)
        if key not in veto_players:
            check.problem(place, "is not one of the veto players", "add it to `veto_players:` or remove it here", key)
        elif (bounds := check.interval(interval, place, scale, "what it signs", f"{key}: [70, 100]")) is not None:
            out[key] = bounds
    return out


def _outcomes(check: _Checker, value: Any, path: Path_, scale: tuple[float, float],
              sources: set[str]) -> tuple[Observation, ...]:
    """The ``outcomes:`` of an issue: observed values on its scale, each with a date and evidence."""
    if not isinstance(value, list):
        check.problem(path, "must be a list of observed outcomes", "write each outcome as a `- value: ...` item")
        return ()
    lo, hi = scale
    out = []
    for index, item in enumerate(value):
        here = path + (index,)
        data = check.mapping(item, here, OUTCOME_FIELDS, "an outcome")
        if data is None:
            continue
        problems = len(check.problems)
        number = None
        if "value" not in data:
            check.problem(here + ("value",), "is required", "add `value:` (the observed point on the issue's scale)")
        else:
            number = check.number(data["value"], here + ("value",))
            if number is not None and not lo <= number <= hi:
                check.problem(here + ("value",), f"an outcome must lie in [{lo:g}, {hi:g}]",
                              f"use a number on the issue's scale, between {lo:g} and {hi:g}", number)
        low = high = None
        if "range" in data:
            bounds = check.interval(data["range"], here + ("range",), scale, "outcome range", "range: [60, 80]")
            if bounds is not None:
                low, high = bounds
                if number is not None and not low <= number <= high:
                    check.problem(here + ("value",), f"lies outside its own range [{low:g}, {high:g}]",
                                  "move the value inside the range or widen the range", number)
        if "date" not in data:
            check.problem(here + ("date",), "is required", "add `date:` (when it was observed, YYYY-MM-DD)")
            when = None
        else:
            when = _date(check, data["date"], here + ("date",))
        evidence = _evidence(check, data, here, sources)
        if len(check.problems) == problems and number is not None and when is not None:
            out.append(Observation(number, low, high, when, **evidence))
    return tuple(out)


def _decision_actors(check: _Checker, issues: list[Issue], raw_issues: Any, raw_actors: Any) -> None:
    """Every actor a decision rule names exists and takes a stance on that issue; a rule other than
    ``bargaining`` needs the issue's status quo (the reversion point)."""
    stances: dict[str, set[str]] = {}
    if isinstance(raw_actors, list):
        for actor in raw_actors:
            if isinstance(actor, dict) and isinstance(actor.get("id"), str):
                keys = actor.get("stances")
                stances[actor["id"]] = set(keys) if isinstance(keys, dict) else set()
    where = {item["id"]: k for k, item in enumerate(raw_issues if isinstance(raw_issues, list) else [])
             if isinstance(item, dict) and isinstance(item.get("id"), str)}
    for issue in issues:
        decision = issue.decision
        if decision is None:
            continue
        path: Path_ = ("issues", where.get(issue.id, 0), "decision")
        named = [(("veto_players", k), a) for k, a in enumerate(decision.veto_players)]
        named += [(("voters", k), a) for k, a in enumerate(decision.voters)]
        named += [((key,), getattr(decision, key)) for key in ("agenda_setter", "decider")
                  if getattr(decision, key) is not None]
        for place, actor_id in named:
            if actor_id not in stances:
                hint = did_you_mean(actor_id, stances, "actors")
                check.problem(path + place, "names no actor of this scenario", hint, actor_id)
            elif issue.id not in stances[actor_id]:
                check.problem(path + place, f"this actor takes no stance on `{issue.id}`",
                              f"add a stance `{issue.id}:` to actor `{actor_id}` (its ideal point), "
                              "or leave it out of the rule", actor_id)
        if decision.rule != "bargaining" and issue.status_quo is None:
            check.problem(path + ("rule",), f"the rule `{decision.rule}` needs the issue's status quo "
                          "(what happens when no decision is reached)",
                          f"add `status_quo:` to issue `{issue.id}`", decision.rule)


def _actors(check: _Checker, value: Any, issues: dict[str, Issue], sources: set[str]) -> list[Actor]:
    out: list[Actor] = []
    ids = []
    items = _list(check, value, ("actors",), "actors")
    if value is not None and not items and isinstance(value, list):
        check.problem(("actors",), "lists no actor", "add at least one actor")
    for index, item in enumerate(items):
        path: Path_ = ("actors", index)
        data = check.mapping(item, path, ACTOR_FIELDS, "an actor")
        if data is None:
            continue
        ident = check.identifier(data, "id", path)
        ids.append((ident, path + ("id",)))
        name = check.text(data, "name", path)
        kind = check.text(data, "kind", path)
        if kind is not None and kind not in ACTOR_KINDS:
            check.problem(path + ("kind",), "unknown actor kind", f"use one of: {', '.join(ACTOR_KINDS)}",
                          kind)
        aliases = data.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            check.problem(path + ("aliases",), "must be a list of names", "write `aliases: [name, ...]`",
                          aliases)
            aliases = []
        if "capability" not in data:
            check.problem(path + ("capability",), "is required",
                          "add `capability:` (how much this actor can move outcomes; any non-negative scale)")
            capability = None
        else:
            capability = check.estimate(data["capability"], path + ("capability",), (0.0, math.inf),
                                        "capability", sources)
        stances = _stances(check, data.get("stances"), path + ("stances",), issues, sources)
        if None not in (ident, name, kind, capability):
            out.append(Actor(ident, name, kind, capability, stances, tuple(aliases),
                             check.text(data, "description", path, required=False)))
    _unique(check, ids, "actor")
    return out


def _stances(check: _Checker, value: Any, path: Path_, issues: dict[str, Issue],
             sources: set[str]) -> dict[str, Stance]:
    if value is None:
        check.problem(path, "is required", "add `stances:` with a position and salience per issue")
        return {}
    if not isinstance(value, dict):
        check.problem(path, "must map issue ids to stances", "write `stances: {issue_id: {...}}`")
        return {}
    out: dict[str, Stance] = {}
    for issue_id, item in value.items():
        here = path + (issue_id,)
        issue = issues.get(issue_id)
        if issue is None:
            hint = did_you_mean(issue_id, issues, "issues")
            check.problem(here, "names no issue of this scenario", hint, issue_id)
            continue
        data = check.mapping(item, here, STANCE_FIELDS, "a stance")
        if data is None:
            continue
        for key in ("position", "salience"):
            if key not in data:
                check.problem(here + (key,), "is required", f"add `{key}:`")
        position = salience = risk = None
        if "position" in data:
            position = check.estimate(data["position"], here + ("position",), issue.scale,
                                      "position", sources)
        if "salience" in data:
            salience = check.estimate(data["salience"], here + ("salience",), SALIENCE_RANGE,
                                      "salience", sources)
        if "risk" in data:
            risk = check.estimate(data["risk"], here + ("risk",), RISK_RANGE, "risk attitude", sources)
        fixed = data.get("fixed", False)
        if not isinstance(fixed, bool):
            check.problem(here + ("fixed",), "must be true or false",
                          "write `fixed: true` for a position the actor will not move from", fixed)
            fixed = False
        if position is not None and salience is not None and (risk is not None or "risk" not in data):
            out[issue_id] = Stance(position, salience, risk, fixed)
    return out


def estimate_to_data(estimate: Estimate) -> float | dict[str, Any]:
    """A bare number when the estimate carries nothing else, a mapping otherwise."""
    data: dict[str, Any] = {"value": _plain(estimate.value)}
    if not estimate.is_exact:
        data["range"] = [_plain(estimate.low), _plain(estimate.high)]
    if estimate.distribution != "uniform":
        data["distribution"] = estimate.distribution
    for key in ("basis", "source", "where"):
        if getattr(estimate, key) is not None:
            data[key] = getattr(estimate, key)
    return data["value"] if len(data) == 1 else data


def decision_to_data(decision: Decision) -> dict[str, Any]:
    """A decision block with only the fields it sets."""
    return _drop_none({
        "rule": decision.rule,
        "veto_players": list(decision.veto_players),
        "agenda_setter": decision.agenda_setter,
        "voters": list(decision.voters),
        "weights": None if decision.weights is None else {k: _plain(v) for k, v in decision.weights.items()},
        "threshold": _plain(decision.threshold),
        "decider": decision.decider,
        "accepts": None if decision.accepts is None else {k: [_plain(low), _plain(high)]
                                                          for k, (low, high) in decision.accepts.items()},
        "basis": decision.basis, "source": decision.source, "where": decision.where,
    })


def observation_to_data(observation: Observation) -> dict[str, Any]:
    """An observed outcome as a mapping (the date as YYYY-MM-DD)."""
    return _drop_none({
        "value": _plain(observation.value),
        "range": None if observation.low is None else [_plain(observation.low), _plain(observation.high)],
        "date": observation.date.isoformat(),
        "basis": observation.basis, "source": observation.source, "where": observation.where,
    })


def _plain(number: float | None) -> float | int | None:
    if number is None:
        return None
    return int(number) if float(number).is_integer() and abs(number) < 2**53 else float(number)


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None and v != [] and v != ()}


def to_data(scenario: Scenario) -> dict[str, Any]:
    """The canonical plain-data form of a scenario (what YAML and JSON files hold)."""
    return _drop_none({
        "stakes": FORMAT_VERSION,
        "title": scenario.title,
        "as_of": scenario.as_of.isoformat() if scenario.as_of else None,
        "description": scenario.description,
        "sources": [_drop_none(vars(s).copy()) for s in scenario.sources],
        "notes": scenario.notes,
        "issues": [
            _drop_none({
                "id": i.id, "name": i.name, "low": i.low, "high": i.high,
                "scale": [_plain(i.scale[0]), _plain(i.scale[1])],
                "description": i.description,
                "status_quo": estimate_to_data(i.status_quo) if i.status_quo else None,
                "decision": decision_to_data(i.decision) if i.decision else None,
                "outcomes": [observation_to_data(o) for o in i.outcomes],
            })
            for i in scenario.issues
        ],
        "actors": [
            _drop_none({
                "id": a.id, "name": a.name, "kind": a.kind,
                "aliases": list(a.aliases),
                "description": a.description,
                "capability": estimate_to_data(a.capability),
                "stances": {
                    issue_id: _drop_none({
                        "position": estimate_to_data(s.position),
                        "salience": estimate_to_data(s.salience),
                        "risk": estimate_to_data(s.risk) if s.risk else None,
                        "fixed": True if s.fixed else None,
                    })
                    for issue_id, s in a.stances.items()
                },
            })
            for a in scenario.actors
        ],
    })
