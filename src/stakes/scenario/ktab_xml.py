"""KTAB's XML scenarios (the ``smpSchema.xsd`` format of KAPSARC's Spatial Model of Politics).

A KTAB XML file holds a scenario (dimensions; actors with a capability, a position and a salience per
dimension) and how to run it (a PRNG seed, the SMP's model parameters, and an ideal-adjustment
matrix saying how fast each actor's ideal accommodates others' positions).
:func:`read_ktab_xml` reads the scenario into a :class:`Scenario` as the KTAB CSV reader does (each
dimension an issue on 0–100, saliences divided by 100, capability = KTAB's power) and lists the
run settings in its notes; :func:`ktab_xml_settings` returns those settings as the seed and the
keyword arguments of :class:`stakes.models.smp.SpatialModel`.

Every broken rule is reported with the file, the line of the XML element and the fix. Document
type declarations (and so entities) are refused, which keeps untrusted files harmless.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from stakes.errors import Problem, ScenarioError
from stakes.scenario import schema
from stakes.scenario.documents import Lines, Path_
from stakes.scenario.model import Scenario

SCALE = (0.0, 100.0)
MAX_SEED = 2**64 - 1
ADJUST_TOL = 1e-10  # slack on "an actor's ideal-adjustment rates sum to at most 1"
# XML element → (SpatialModel parameter, KTAB's names; smpSchema.xsd spells two of them differently)
MODEL_PARAMETERS = {
    "VictoryProbModel": ("victory_prob_model", ("Linear", "Square", "Quartic", "Octic", "Binary")),
    "PCEModel": ("pce_model", ("Conditional", "MarkovIncentive", "MarkovUniform")),
    "StateTransitions": ("state_transitions", ("Deterministic", "Stochastic")),
    "VotingRule": ("voting_rule", ("Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp")),
    "BigRAdjust": ("big_r_adjust", ("None", "OneThird", "Half", "TwoThirds", "Full")),
    "BigRRange": ("big_r_range", ("Min", "Mid", "Max")),
    "ThirdPartyCommit": ("third_party_commit", ("NoCommit", "SemiCommit", "FullCommit")),
    "InterVecBrgn": ("inter_vec_brgn", ("S1P1", "S2P2", "S2PMax")),
    "BargnModel": ("bargain_model", ("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp")),
}
SCHEMA_SPELLINGS = {"Proportional": "Prop", "No": "None"}


@dataclass(frozen=True)
class KtabSettings:
    """How a KTAB XML scenario asks to be run: its PRNG seed and the SMP's keyword arguments."""

    seed: int | None
    model_params: dict[str, Any]


@dataclass
class _Element:
    """An XML element with the line it starts on."""

    tag: str
    line: int
    text: str = ""
    children: list[_Element] = field(default_factory=list)

    def first(self, tag: str) -> _Element | None:
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: str) -> list[_Element]:
        return [c for c in self.children if c.tag == tag]


class _Reader:
    """Turns the XML tree into the canonical plain data, collecting every problem on the way."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.lines: dict[Path_, int] = {}

    def problem(self, line: int | None, where: str, rule: str, fix: str, value: object = None) -> None:
        self.problems.append(Problem(field=where, rule=rule, fix=fix, value=value, file=self.file, line=line))

    def child(self, parent: _Element, tag: str, fix: str) -> _Element | None:
        found = parent.first(tag)
        if found is None:
            self.problem(parent.line, f"<{parent.tag}>", f"has no <{tag}> element", fix)
        return found

    def text(self, element: _Element) -> str:
        return element.text.strip()

    def number(self, element: _Element, where: str, example: str) -> float | None:
        raw = self.text(element)
        if not raw:
            self.problem(element.line, where, f"<{element.tag}> is empty", f"write a number, e.g. {example}")
            return None
        try:
            value = float(raw)
        except ValueError:
            self.problem(element.line, where, f"<{element.tag}> is not a number",
                         f"write a plain number, e.g. {example}", raw)
            return None
        if not math.isfinite(value):
            self.problem(element.line, where, f"<{element.tag}> must be a finite number",
                         "replace it with a real number", raw)
            return None
        return value


def _parse(text: str, file: str) -> _Element:
    """The document's element tree, or ``ScenarioError`` at the line where the XML breaks."""
    root: list[_Element] = []
    stack: list[_Element] = []
    parser = expat.ParserCreate()

    def start(tag: str, attributes: dict[str, str]) -> None:
        element = _Element(tag, parser.CurrentLineNumber)
        (stack[-1].children if stack else root).append(element)
        stack.append(element)

    def end(tag: str) -> None:
        stack.pop()

    def characters(data: str) -> None:
        if stack:
            stack[-1].text += data

    def refuse(*args: Any) -> None:
        raise ScenarioError([Problem(field="<document>", file=file, line=parser.CurrentLineNumber,
                                     rule="has a document type declaration, which stakes does not read",
                                     fix="remove the <!DOCTYPE …> declaration")])

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.StartDoctypeDeclHandler = refuse
    try:
        parser.Parse(text.removeprefix("\ufeff"), True)
    except expat.ExpatError as exc:
        rule = f"is not well-formed XML ({expat.errors.messages[exc.code]}, column {exc.offset + 1})"
        raise ScenarioError([Problem(field="<document>", rule=rule, file=file, line=exc.lineno,
                                     fix="correct the XML there (tags, quotes, ampersands)")]) from None
    if not root or root[0].tag != "Scenario":
        line = root[0].line if root else None
        raise ScenarioError([Problem(field="<document>", rule="the root element is not <Scenario>", file=file,
                                     line=line, fix="use KTAB's format: <Scenario> with <name>, <desc>, "
                                     "<prngSeed>, <Dimensions>, <Actors> (see smpSchema.xsd)")])
    return root[0]


def _slug(text: str) -> str:
    """An id made from a name: lower case, runs of other characters turned into ``_``."""
    return re.sub(r"[^\w.\-]+", "_", text.lower()).strip("_.-")


def _fraction(percent: float) -> float:
    """A 0–100 salience as a 0–1 fraction, without binary noise (43.31 → 0.4331)."""
    return float(f"{percent / 100:.15g}")


def _issues(reader: _Reader, scenario: _Element) -> list[dict[str, Any]]:
    dims = reader.child(scenario, "Dimensions", "add <Dimensions> with one <dName> per dimension")
    if dims is None:
        return []
    names = dims.all("dName")
    if not names:
        reader.problem(dims.line, "<Dimensions>", "lists no <dName>", "add one <dName> per dimension")
    issues: list[dict[str, Any]] = []
    for d, element in enumerate(names):
        column = reader.text(element)
        if not column:
            reader.problem(element.line, "<dName>", "is empty", "name the dimension")
            column = f"dimension {d + 1}"
        name = re.sub(r"\s*\bposition$", "", column, flags=re.IGNORECASE) or column
        ident = _slug(name)
        if not schema.ID_PATTERN.match(ident) or ident in [i["id"] for i in issues]:
            ident = f"dim{d + 1}"
        reader.lines[("issues", d)] = element.line
        issues.append({"id": ident, "name": name, "low": "0 on the KTAB scale",
                       "high": "100 on the KTAB scale", "scale": list(SCALE),
                       "description": f"KTAB dimension \u201c{column}\u201d; KTAB positions run from 0 to "
                                      "100 and the file does not say in words what the ends mean."})
    return issues


def _actor(reader: _Reader, element: _Element, index: int, issue_ids: list[str]) -> dict[str, Any] | None:
    path: Path_ = ("actors", index)
    reader.lines[path] = element.line
    name_el = reader.child(element, "name", "give the actor a <name>, a short code such as `XJ`")
    ident = reader.text(name_el) if name_el is not None else ""
    if name_el is not None and not schema.ID_PATTERN.match(ident):
        reader.problem(name_el.line, "<name>", "is not a valid actor id (letters, digits, '_', '-', '.'; "
                       "no spaces)", "write a short code such as `XJ`; put the full name in <description>",
                       ident)
        return None
    if name_el is not None:
        reader.lines[path + ("id",)] = name_el.line
    description_el = element.first("description")
    description = reader.text(description_el) if description_el is not None else ""
    capability = None
    cap_el = reader.child(element, "capability", "add the actor's <capability> (KTAB's power, above 0)")
    if cap_el is not None:
        reader.lines[path + ("capability",)] = cap_el.line
        capability = reader.number(cap_el, ident or f"actor {index + 1}", "40")
        if capability is not None and not capability > 0:
            reader.problem(cap_el.line, ident, "<capability> must be above 0 (KTAB refuses an actor without "
                           "power)", "give the actor a positive capability or leave it out", capability)
            capability = None
    coords = _components(reader, element, "Position", "dCoord", ident, issue_ids, "52.8")
    sal_el = element.first("Salience")
    sals = _components(reader, element, "Salience", "dSal", ident, issue_ids, "25")
    stances: dict[str, Any] = {}
    if coords is not None and sals is not None:
        total = 0.0
        for d, issue_id in enumerate(issue_ids):
            (position, p_line), (salience, s_line) = coords[d], sals[d]
            reader.lines[path + ("stances", issue_id, "position")] = p_line
            reader.lines[path + ("stances", issue_id, "salience")] = s_line
            if salience is not None and not 0.0 <= salience <= 100.0:
                reader.problem(s_line, ident, "<dSal> must lie in [0, 100] (KTAB's salience, a percentage)",
                               "use a number between 0 and 100", salience)
                salience = None
            if position is not None and salience is not None:
                total += salience
                stances[issue_id] = {"position": position, "salience": _fraction(salience)}
        if total > 100.0:
            reader.problem(sal_el.line, ident, f"the saliences sum to {total:g}, above 100 (KTAB's limit: "
                           "no more than all of an actor's attention)",
                           "lower them so they sum to at most 100")
    if capability is None or not ident:
        return None
    return {"id": ident, "name": ident, "kind": "other", "description": description or None,
            "capability": capability, "stances": stances}


def _components(reader: _Reader, actor: _Element, block: str, tag: str, who: str, issue_ids: list[str],
                example: str) -> list[tuple[float | None, int]] | None:
    """The numbers of a <Position> or <Salience> block, one per dimension, with their lines."""
    element = reader.child(actor, block, f"add <{block}> with one <{tag}> per dimension")
    if element is None:
        return None
    items = element.all(tag)
    if len(items) != len(issue_ids):
        reader.problem(element.line, who or f"<{block}>", f"<{block}> has {len(items)} <{tag}>, but "
                       f"there are {len(issue_ids)} dimensions", f"give one <{tag}> per <dName>, in order")
        return None
    return [(reader.number(item, who, example), item.line) for item in items]


def _settings(reader: _Reader, scenario: _Element, actor_ids: list[str]) -> KtabSettings:
    """The seed, the model parameters and the ideal adjustment, checked as KTAB checks them."""
    seed = None
    seed_el = scenario.first("prngSeed")
    if seed_el is not None:
        raw = reader.text(seed_el)
        if raw.isdigit() and int(raw) <= MAX_SEED:
            seed = int(raw)
        else:
            reader.problem(seed_el.line, "<prngSeed>", "must be a whole number from 0 to 2^64 − 1",
                           "write the seed as digits, e.g. 03507583219545544127", raw)
    params: dict[str, Any] = {}
    block = scenario.first("ModelParameters")
    if block is not None:
        for tag, (param, names) in MODEL_PARAMETERS.items():
            element = reader.child(block, tag, f"add <{tag}> (one of {', '.join(names)})")
            if element is None:
                continue
            value = reader.text(element)
            value = SCHEMA_SPELLINGS.get(value, value)
            if value not in names:
                reader.problem(element.line, f"<{tag}>", "is not one of KTAB's options", f"use one of "
                               f"{', '.join(names)}", reader.text(element))
                continue
            params[param] = value
    adjustment = scenario.first("IdealAdjustment")
    if adjustment is not None:
        rates: dict[str, dict[str, float]] = {}
        rows: dict[str, int] = {}
        for pair in adjustment.all("iaPair"):
            ends = []
            for tag in ("adjustingIdeal", "referencePos"):
                element = reader.child(pair, tag, f"add <{tag}> naming an actor")
                name = reader.text(element) if element is not None else None
                if element is not None and name not in actor_ids:
                    reader.problem(element.line, f"<{tag}>", "names no actor of this scenario",
                                   f"use one of {', '.join(actor_ids)}", name)
                    name = None
                ends.append(name)
            adjust_el = reader.child(pair, "adjust", "add <adjust>, a rate between 0 and 1")
            rate = reader.number(adjust_el, "<adjust>", "0.25") if adjust_el is not None else None
            if rate is not None and not 0.0 <= rate <= 1.0:
                reader.problem(adjust_el.line, "<adjust>", "must lie in [0, 1]", "use a rate between 0 and 1",
                               rate)
                rate = None
            if None not in ends and rate is not None:
                rates.setdefault(ends[0], {})[ends[1]] = rate
                rows.setdefault(ends[0], pair.line)
        for who, row in rates.items():
            total = sum(row.values()) + (0.0 if who in row else 1.0)
            if total > 1.0 + ADJUST_TOL:
                reader.problem(rows[who], "<IdealAdjustment>", f"the rates adjusting {who}'s ideal sum to "
                               f"{total:g}, above 1 (its own rate is 1 unless an <iaPair> gives it)",
                               f"lower them, or add an <iaPair> from {who} to {who} with the rate it keeps")
        if rates:
            params["accommodation"] = rates
    return KtabSettings(seed, params)


def _notes(settings: KtabSettings) -> str | None:
    """The run settings a Scenario cannot hold, in words, so nothing is lost silently."""
    parts = []
    if settings.seed is not None:
        parts.append(f"PRNG seed {settings.seed:020d}.")
    model = {k: v for k, v in settings.model_params.items() if k != "accommodation"}
    if model:
        parts.append("SMP model parameters: " + ", ".join(f"{k}={v}" for k, v in model.items()) + ".")
    for who, row in settings.model_params.get("accommodation", {}).items():
        parts.append(f"Ideal adjustment of {who}: " + ", ".join(f"{r:g} toward {to}" for to, r in row.items())
                     + ".")
    if not parts:
        return None
    return ("Imported from a KTAB XML scenario, whose run settings are not part of a stakes scenario; "
            "stakes.scenario.ktab_xml.ktab_xml_settings returns them for stakes.models.smp.SpatialModel. "
            + " ".join(parts))


def _read(text: str, file: str) -> tuple[dict[str, Any], _Reader, KtabSettings]:
    scenario = _parse(text, file)
    reader = _Reader(file)
    reader.lines[()] = scenario.line
    name = scenario.first("name")
    desc = scenario.first("desc")
    for key, element in (("title", name), ("description", desc)):
        if element is not None:
            reader.lines[(key,)] = element.line
    issues = _issues(reader, scenario)
    issue_ids = [i["id"] for i in issues]
    actors_el = reader.child(scenario, "Actors", "add <Actors> with one <Actor> per actor")
    actors: list[dict[str, Any]] = []
    names: dict[str, int] = {}
    if actors_el is not None:
        reader.lines[("actors",)] = actors_el.line
        for element in actors_el.all("Actor"):
            name_el = element.first("name")
            actor_name = reader.text(name_el) if name_el is not None else ""
            if actor_name in names:
                reader.problem(name_el.line, "<name>", "duplicate actor name (first on line "
                               f"{names[actor_name]})", "give every actor its own name", actor_name)
                continue
            if actor_name:
                names[actor_name] = name_el.line
            actor = _actor(reader, element, len(actors), issue_ids)
            if actor is not None:
                actors.append(actor)
            else:
                reader.lines.pop(("actors", len(actors)), None)
    settings = _settings(reader, scenario, list(names))
    stem = Path(file).stem if not file.startswith("<") else ""
    data = {"title": (reader.text(name) if name is not None else "") or stem or "KTAB scenario",
            "description": (reader.text(desc) if desc is not None else "") or None,
            "notes": _notes(settings), "issues": issues, "actors": actors}
    return data, reader, settings


def read_ktab_xml(text: str, file: str = "<text>") -> Scenario:
    """A KTAB XML scenario as a validated :class:`Scenario`, or ``ScenarioError`` listing every problem."""
    data, reader, _ = _read(text, file)
    if reader.problems:
        raise ScenarioError(reader.problems)
    return schema.from_data(data, Lines(reader.lines), file=file)


def ktab_xml_settings(text: str, file: str = "<text>") -> KtabSettings:
    """The seed and the :class:`~stakes.models.smp.SpatialModel` arguments a KTAB XML scenario gives.

    Parameters the file leaves out keep KTAB's defaults; ``accommodation`` is keyed by actor id.
    """
    _, reader, settings = _read(text, file)
    if reader.problems:
        raise ScenarioError(reader.problems)
    return settings
