"""Reading EU legislative decisions in the layout of the DEU data sets into scenarios with outcomes.

The "Decision-making in the European Union" data (Thomson, Stokman, Achen & König, *The European Union
Decides*, 2006; Thomson et al. 2012 for DEU II) record, for controversial issues of Commission
proposals, each actor's position and salience on a 0–100 scale, the reference point (what happens
without a decision) and the outcome adopted. This module reads that information in a long CSV
layout, one row per proposal, issue and actor (documented column by column in ``docs/backtest.md``):

``proposal, issue, actor, position, salience`` (required), ``capability`` (weight in the Council, e.g.
votes; default 1), and per issue ``outcome``, ``reference_point``, ``outcome_date``, ``rule``
(``qmv`` or ``unanimity``), ``procedure`` (``COD``/``CNS``), ``threshold``, ``low``, ``high``,
``issue_description``. Issue-level cells may be repeated on every row of the issue or written once;
two different values for one issue are an error.

Every proposal becomes one scenario (its issues share the actors); each issue's outcome becomes an
:class:`~stakes.scenario.model.Observation` and the Council's voting rule a decision rule: unanimity →
``veto`` by every member state (and the Parliament under codecision), QMV → ``qualified_majority`` of
the member states weighted by ``capability``. Problems are reported as ``file:line`` with the column.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from stakes.errors import ScenarioError
from stakes.scenario import schema
from stakes.scenario.documents import Lines, Path_, read_text
from stakes.scenario.model import Scenario
from stakes.scenario.tables import _Problems, _rows, _slug

SCALE = (0.0, 100.0)
REQUIRED = ("proposal", "issue", "actor", "position", "salience")
ISSUE_COLUMNS = ("outcome", "reference_point", "outcome_date", "rule", "procedure", "threshold", "low", "high",
                 "issue_description")
OPTIONAL = ("capability",) + ISSUE_COLUMNS
ALIASES = {"proposal_id": "proposal", "issue_id": "issue", "pos": "position", "sal": "salience",
           "reference point": "reference_point", "refpoint": "reference_point", "ref": "reference_point",
           "status_quo": "reference_point", "sq": "reference_point", "votes": "capability",
           "date": "outcome_date", "voting_rule": "rule", "description": "issue_description"}
RULES = {"qmv": "qualified_majority", "qualified majority": "qualified_majority",
         "qualified_majority": "qualified_majority", "unanimity": "veto", "unanimous": "veto"}
CODECISION = ("cod", "codecision", "co-decision", "ordinary legislative procedure", "olp")
INSTITUTIONS = {"commission": "European Commission", "com": "European Commission", "ec": "European Commission",
                "european commission": "European Commission", "ep": "European Parliament",
                "parliament": "European Parliament", "european parliament": "European Parliament"}
QMV_THRESHOLD = 0.71
"""Share of the weighted Council votes a qualified majority needs when the file gives no ``threshold``
(62 of 87 votes before 2004, 71.3%; the Nice weights after 2004 need about 72–74%)."""


def is_deu(text: str) -> bool:
    """True when the first row of a CSV text names the DEU layout's ``proposal`` and ``issue`` columns."""
    rows = _rows(text, None)
    if not rows:
        return False
    header = {_column(c) for c in rows[0][1]}
    return {"proposal", "issue", "actor"} <= header


def read_deu(path: str | Path) -> list[Scenario]:
    """Read a DEU-layout CSV file: one validated scenario per proposal, in the file's order."""
    path = Path(path)
    return read_deu_text(read_text(path), file=str(path))


def _column(cell: str) -> str:
    name = cell.strip().lower()
    return ALIASES.get(name, name.replace(" ", "_"))


def read_deu_text(text: str, file: str = "<text>") -> list[Scenario]:
    """Read DEU-layout CSV text (see the module's docstring); every problem reported at once."""
    found = _Problems(file)
    rows = _rows(text, file)
    if not rows:
        found.add(None, "<document>", "the file is empty",
                  f"write a header line with the columns {', '.join(REQUIRED)} and one row per actor and issue")
        found.raise_any()
    header_line, header = rows[0]
    columns = [_column(c) for c in header]
    for k, name in enumerate(columns):
        if name not in REQUIRED + OPTIONAL:
            found.add(header_line, header[k], "unknown column",
                      f"use the columns {', '.join(REQUIRED + OPTIONAL)} (see docs/backtest.md)")
        elif name in columns[:k]:
            found.add(header_line, header[k], "column named twice", "keep one of the two columns")
    for name in REQUIRED:
        if name not in columns:
            found.add(header_line, name, "required column is missing", f"add a `{name}` column")
    found.raise_any()

    proposals: dict[str, dict[str, Any]] = {}
    for line, cells in rows[1:]:
        if len(cells) > len(columns):
            found.add(line, "<row>", f"the row has {len(cells)} cells and the header {len(columns)}",
                      "remove the extra cells or add their column to the header")
            continue
        cell = dict(zip(columns, cells + [""] * (len(columns) - len(cells))))
        missing = [name for name in ("proposal", "issue", "actor") if not cell[name]]
        for name in missing:
            found.add(line, name, "is empty", f"write the {name} this row belongs to")
        position = found.number(cell["position"], line, "position", *SCALE, " (the DEU scale)")
        salience = found.number(cell["salience"], line, "salience", *SCALE, " (DEU saliences run from 0 to 100)")
        capability = found.number(cell["capability"], line, "capability", 0.0) if cell.get("capability") else None
        if missing:
            continue
        proposal = proposals.setdefault(cell["proposal"], {"line": line, "issues": {}, "actors": {}})
        issue = proposal["issues"].setdefault(cell["issue"], {"line": line, "stances": {}, "cells": {}})
        actor_id = _slug(cell["actor"]) or "actor"
        actor = proposal["actors"].setdefault(actor_id, {"name": cell["actor"], "line": line, "capability": None})
        if capability is not None and actor["capability"] is None:
            actor["capability"], actor["capability_line"] = capability, line
        elif capability is not None and capability != actor["capability"]:
            found.add(line, "capability", f"differs from line {actor['capability_line']} ({actor['capability']:g})",
                      "give an actor one capability within a proposal", capability)
        if actor_id in issue["stances"]:
            found.add(line, "actor", f"has a second row for issue {cell['issue']!r} "
                      f"(first on line {issue['stances'][actor_id][2]})", "keep one row per actor and issue",
                      cell["actor"])
        elif position is not None and salience is not None:
            issue["stances"][actor_id] = (position, salience, line)
        for name in ISSUE_COLUMNS:
            value = cell.get(name, "")
            if not value:
                continue
            seen = issue["cells"].get(name)
            if seen is not None and seen[0] != value:
                found.add(line, name, f"differs from line {seen[1]} ({seen[0]!r}) for the same issue",
                          "write one value per issue (repeat it or leave the other rows empty)", value)
            elif seen is None:
                issue["cells"][name] = (value, line)
    scenarios_data = [_proposal_data(found, name, proposal, file) for name, proposal in proposals.items()]
    found.raise_any()
    scenarios, problems = [], []
    for data, lines in scenarios_data:
        try:
            scenarios.append(schema.from_data(data, Lines(lines), file=file))
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    return scenarios


def _proposal_data(found: _Problems, name: str, proposal: dict[str, Any], file: str
                   ) -> tuple[dict[str, Any], dict[Path_, int]]:
    """A proposal as canonical plain data (what a YAML file would hold) and the CSV line of each part."""
    lines: dict[Path_, int] = {(): proposal["line"], ("title",): proposal["line"]}
    issues, issue_ids = [], {}
    for k, (issue_name, issue) in enumerate(proposal["issues"].items()):
        ident = _slug(issue_name) or f"issue{k + 1}"
        if not ident[0].isalpha():
            ident = f"issue_{ident}"
        issue_ids[issue_name] = ident
        lines[("issues", k)] = issue["line"]
        cells = {key: value for key, (value, _) in issue["cells"].items()}
        where = {key: line for key, (_, line) in issue["cells"].items()}
        item: dict[str, Any] = {
            "id": ident, "name": f"Proposal {name}, issue {issue_name}",
            "low": cells.get("low", "0 on the DEU scale for this issue"),
            "high": cells.get("high", "100 on the DEU scale for this issue"),
            "scale": [0, 100],
        }
        if "issue_description" in cells:
            item["description"] = cells["issue_description"]
        if "reference_point" in cells:
            value = found.number(cells["reference_point"], where["reference_point"], "reference_point", *SCALE)
            if value is not None:
                item["status_quo"] = {"value": value, "basis": "reference point recorded in the data set"}
        if "outcome" in cells:
            value = found.number(cells["outcome"], where["outcome"], "outcome", *SCALE)
            when = _date(found, cells.get("outcome_date"), where.get("outcome_date", where["outcome"]))
            if value is not None and when is not None:
                item["outcomes"] = [{"value": value, "date": when, "basis": "outcome recorded in the data set",
                                     "where": f"{Path(file).name}, line {where['outcome']}"}]
        decision = _decision(found, cells, where, issue["stances"], proposal["actors"])
        if decision is not None:
            item["decision"] = decision
            lines[("issues", k, "decision")] = where["rule"]
        issues.append(item)
    actors = []
    for j, (actor_id, actor) in enumerate(proposal["actors"].items()):
        stances = {}
        for issue_name, issue in proposal["issues"].items():
            if actor_id in issue["stances"]:
                position, salience, line = issue["stances"][actor_id]
                stances[issue_ids[issue_name]] = {"position": position, "salience": salience / 100.0}
                lines[("actors", j, "stances", issue_ids[issue_name])] = line
        lines[("actors", j)] = actor["line"]
        institution = INSTITUTIONS.get(actor["name"].strip().lower())
        actors.append({"id": actor_id, "name": institution or actor["name"],
                       "kind": "organisation" if institution else "state",
                       "capability": _capability(actor),
                       "stances": stances})
    data = {"stakes": schema.FORMAT_VERSION, "title": f"Proposal {name}",
            "description": f"Proposal {name} as read from a file in the DEU layout: {len(issues)} issue(s), "
                           f"{len(actors)} actors, positions and saliences on 0-100.",
            "issues": issues, "actors": actors}
    return data, lines


def _capability(actor: dict[str, Any]) -> float:
    """The capability given on any of the actor's rows, else 1 (every actor counts the same)."""
    return 1.0 if actor["capability"] is None else actor["capability"]


def _date(found: _Problems, value: str | None, line: int) -> date | None:
    if not value:
        found.add(line, "outcome_date", "is missing for an issue with an outcome",
                  "write the date the outcome was adopted (YYYY-MM-DD) in the `outcome_date` column")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        found.add(line, "outcome_date", "is not a date", "write it as YYYY-MM-DD", value)
        return None


def _decision(found: _Problems, cells: dict[str, str], where: dict[str, int],
              stances: dict[str, tuple[float, float, int]], actors: dict[str, dict[str, Any]]
              ) -> dict[str, Any] | None:
    """The Council's rule as a decision block: unanimity → veto, QMV → qualified majority of the states."""
    if "rule" not in cells:
        return None
    rule = RULES.get(cells["rule"].strip().lower())
    if rule is None:
        found.add(where["rule"], "rule", "unknown Council voting rule",
                  "write `qmv` or `unanimity` (or leave it empty for plain bargaining)", cells["rule"])
        return None
    if "reference_point" not in cells:
        found.add(where["rule"], "rule", "a voting rule needs the issue's reference point (what happens "
                  "without a decision)", "fill the `reference_point` column for this issue, or leave `rule` empty",
                  cells["rule"])
        return None
    states = [a for a in stances if a in actors and actors[a]["name"].strip().lower() not in INSTITUTIONS]
    if not states:
        found.add(where["rule"], "rule", "no member state takes a position on this issue",
                  "add the member states' rows, or leave `rule` empty")
        return None
    codecision = cells.get("procedure", "").strip().lower() in CODECISION
    if rule == "veto":
        parliament = [a for a in stances if actors[a]["name"].strip().lower() in ("ep", "parliament",
                                                                                 "european parliament")]
        players = states + (parliament if codecision else [])
        return {"rule": "veto", "veto_players": players,
                "basis": "unanimity in the Council" + (" and the Parliament's assent under codecision"
                                                        if codecision and parliament else "")}
    threshold = QMV_THRESHOLD
    if "threshold" in cells:
        value = found.number(cells["threshold"], where["threshold"], "threshold", 0.5, 1.0)
        threshold = value if value is not None else threshold
    return {"rule": "qualified_majority", "voters": states,
            "weights": {a: _capability(actors[a]) for a in states}, "threshold": threshold,
            "basis": "qualified majority in the Council, member states weighted by their capability (votes)"}


__all__ = ["is_deu", "read_deu", "read_deu_text"]
