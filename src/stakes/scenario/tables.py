"""CSV layouts other tools use, read into and written from a :class:`Scenario`.

Two layouts (documented in ``docs/scenario-format.md``):

* ``ktab`` — the CSV input of KAPSARC's KTAB spatial model of politics. Line 1:
  ``name, description, #actors, #dimensions``; line 2: column headers; then one row per actor:
  ``id, description, power, (position, salience) per dimension``, positions and saliences on 0–100.
* ``table`` — ``Actor,Capability,Position,Salience`` with one row per actor, salience on 0–100, as
  used by replications of Bueno de Mesquita's expected-utility model; an optional ``Issue`` column
  lists several issues in long format (one row per actor and issue).

A CSV file carries only numbers and names: reading gives exact estimates without sources, and writing
drops ranges, bases, sources and the words for the ends of each scale. Reading checks the CSV-level
rules (cells, counts, 0–100 ranges) with the CSV's line and column names, then hands the data to
:func:`stakes.scenario.schema.from_data` so a CSV scenario obeys every rule a YAML one does.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from pathlib import Path
from typing import Any

from stakes.csvsafe import escape_cell, unescape_cell
from stakes.errors import Problem, ScenarioError
from stakes.scenario import schema
from stakes.scenario.documents import Lines, Path_
from stakes.scenario.model import Actor, Scenario

LAYOUTS = ("ktab", "table")
TABLE_COLUMNS = ("actor", "issue", "capability", "position", "salience")
TABLE_REQUIRED = ("actor", "capability", "position", "salience")
KTAB_SCALE = (0.0, 100.0)
# Limits KTAB's reader (SMPModel::csvRead) enforces; a file beyond them is one KTAB refuses.
KTAB_ACTORS = (3, 250)
KTAB_MAX_POWER = 1e8
KTAB_TEXT_LIMITS = {"actor id": 25, "actor description": 256, "scenario name": 512,
                    "scenario description": 512, "dimension name": 256}
KTAB_QUOTE = "&quot;"  # how KTAB's CSV reader spells a double quote inside text
_TOLERANCE = 1e-9

Row = tuple[int, list[str]]


class _Problems:
    """Collects problems found in one CSV file so they are all reported together."""

    def __init__(self, file: str | None):
        self.file = file
        self.items: list[Problem] = []

    def add(self, line: int | None, field: str, rule: str, fix: str, value: object = None) -> None:
        self.items.append(Problem(field=field, rule=rule, fix=fix, value=value, file=self.file, line=line))

    def raise_any(self) -> None:
        if self.items:
            raise ScenarioError(self.items)

    def number(self, cell: str, line: int, column: str, low: float = -math.inf,
               high: float = math.inf, scale: str = "") -> float | None:
        """A finite number in [low, high] from one cell, or ``None`` after recording why not."""
        if not cell:
            self.add(line, column, "is empty", "write a number")
            return None
        try:
            value = float(cell)
        except ValueError:
            self.add(line, column, "is not a number", "write a plain number such as 40 or 0.5", cell)
            return None
        if not math.isfinite(value):
            self.add(line, column, "must be a finite number", "replace it with a real number", cell)
            return None
        if not low <= value <= high:
            where = f"[{low:g}, {high:g}]" if math.isfinite(high) else f"at least {low:g}"
            self.add(line, column, f"must lie in {where}{scale}",
                     f"use a number in {where} (values are never clipped)", value)
            return None
        return value


def detect_layout(text: str) -> str:
    """``"table"`` when the first row starts with an ``Actor`` column, else ``"ktab"``."""
    return _layout_of(_rows(text, None))


def _layout_of(rows: list[Row]) -> str:
    return "table" if rows and rows[0][1][0].lower() == "actor" else "ktab"


def read_csv_text(text: str, file: str = "<text>", layout: str | None = None) -> Scenario:
    """Read CSV text in one of :data:`LAYOUTS` (``None``: detect it) into a validated scenario."""
    if layout is not None and layout not in LAYOUTS:
        raise ScenarioError([Problem(field="<layout>", value=layout, rule="unknown CSV layout",
                                     fix=f"use one of {', '.join(LAYOUTS)}", file=file)])
    rows = _rows(text, file)
    if not rows:
        raise ScenarioError([Problem(field="<document>", rule="the file is empty", file=file, fix=(
            "write a header line `Actor,Capability,Position,Salience` and one row per actor, "
            "or KTAB's layout (see docs/scenario-format.md)"))])
    layout = layout or _layout_of(rows)
    return _read_table(rows, file) if layout == "table" else _read_ktab(rows, file)


def write_csv_text(scenario: Scenario, layout: str = "table") -> str:
    """The scenario in one of :data:`LAYOUTS`, or ``ScenarioError`` saying why it does not fit."""
    if layout == "table":
        return _write_table(scenario)
    if layout == "ktab":
        return _write_ktab(scenario)
    raise ScenarioError([Problem(field="<layout>", value=layout, rule="unknown CSV layout",
                                 fix=f"use one of {', '.join(LAYOUTS)}")])


def _rows(text: str, file: str | None) -> list[Row]:
    """Non-blank CSV rows with the line each starts on; cells stripped, trailing empty cells dropped."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    rows: list[Row] = []
    start = 1
    try:
        for record in reader:
            cells = [unescape_cell(cell.strip()) for cell in record]
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ScenarioError([Problem(field="<document>", rule=f"the file is not readable as CSV ({exc})",
                                     fix="check the quotes on that line", file=file,
                                     line=reader.line_num)]) from None
    return rows


def _slug(text: str) -> str:
    """An id made from a name: lower case, runs of other characters turned into ``_``."""
    return re.sub(r"[^\w.\-]+", "_", text.lower()).strip("_.-")


def _title(file: str | None, fallback: str) -> str:
    stem = Path(file).stem if file else ""
    return stem if stem and not stem.startswith("<") else fallback


def _validated(data: dict[str, Any], lines: dict[Path_, int], file: str | None) -> Scenario:
    return schema.from_data(data, Lines(lines), file=file)


# --- KTAB -----------------------------------------------------------------------------------------

def _read_ktab(rows: list[Row], file: str | None) -> Scenario:
    found = _Problems(file)
    head_line, head = rows[0]
    layout_fix = ("start the file with `name, description, #actors, #dimensions` (KTAB's layout) or with "
                  "the header `Actor,Capability,Position,Salience` (the table layout)")
    if len(head) < 4:
        found.add(head_line, "<first line>", f"the first line has {len(head)} value(s); KTAB's has 4 "
                  "(name, description, #actors, #dimensions)", layout_fix)
        found.raise_any()
    n_actors = _count(found, head[2], head_line, "#actors")
    n_dims = _count(found, head[3], head_line, "#dimensions")
    found.raise_any()
    if len(rows) < 2:
        found.add(head_line, "<header>", "the header line is missing", "add the header line "
                  "`Actor,Description,Power,` then a position and a salience column per dimension")
        found.raise_any()
    header_line, header = rows[1]
    width = 3 + 2 * n_dims
    if len(header) != width:
        found.add(header_line, "<header>", f"the header has {len(header)} columns; {n_dims} dimension(s) "
                  f"need {width}", "write Actor, Description, Power, then a position and a salience column "
                  "per dimension, or correct #dimensions on line 1")
        found.raise_any()
    actor_rows = rows[2:]
    if len(actor_rows) != n_actors:
        found.add(head_line, "#actors", f"the file lists {len(actor_rows)} actor row(s)",
                  "make the count on line 1 match the actor rows", n_actors)

    issues, issue_ids = [], []
    for d in range(n_dims):
        column = _unquote(header[3 + 2 * d])
        name = re.sub(r"\s*\bposition$", "", column, flags=re.IGNORECASE) or column
        ident = _slug(name)
        if not schema.ID_PATTERN.match(ident) or ident in issue_ids:
            ident = f"dim{d + 1}"
        issue_ids.append(ident)
        issues.append({
            "id": ident, "name": name, "low": "0 on the KTAB scale", "high": "100 on the KTAB scale",
            "scale": [0, 100],
            "description": f"KTAB dimension \u201c{column}\u201d; KTAB positions run from 0 to 100 and "
                           "the file does not say in words what the ends mean."})

    actors: list[dict[str, Any]] = []
    lines: dict[Path_, int] = {("title",): head_line, ("description",): head_line}
    lines.update({("issues", d): header_line for d in range(n_dims)})
    first_row: dict[str, int] = {}
    for line, cells in actor_rows:
        if len(cells) != width:
            found.add(line, "<row>", f"the row has {len(cells)} value(s), expected {width} "
                      f"({', '.join(header)})", "give every actor an id, a description, a power and a "
                      "position and salience per dimension")
            continue
        ident = cells[0]
        if not schema.ID_PATTERN.match(ident):
            found.add(line, header[0], "is not a valid actor id (letters, digits, '_', '-', '.'; "
                      "no spaces)", "write a short code such as `XJ`; put the full name in the "
                      "description", ident)
            continue
        if ident in first_row:
            found.add(line, header[0], f"duplicate actor id (first on line {first_row[ident]})",
                      "give every actor its own id", ident)
            continue
        first_row[ident] = line
        power = found.number(cells[2], line, header[2], 0.0, KTAB_MAX_POWER)
        stances = {}
        for d, issue_id in enumerate(issue_ids):
            position = found.number(cells[3 + 2 * d], line, header[3 + 2 * d], *KTAB_SCALE,
                                    scale=" (KTAB's position scale)")
            salience = found.number(cells[4 + 2 * d], line, header[4 + 2 * d], 0.0, 100.0,
                                    scale=" (KTAB's salience, a percentage)")
            if position is not None and salience is not None:
                stances[issue_id] = {"position": position, "salience": _fraction(salience)}
        total = sum(stance["salience"] for stance in stances.values())
        if total > 1 + _TOLERANCE:
            found.add(line, "<row>", f"the saliences add up to {total * 100:g}; KTAB allows at most 100 "
                      "(all of an actor's attention)", "lower them so they sum to at most 100")
        lines[("actors", len(actors))] = line
        description = _unquote(cells[1]) or None
        actors.append({"id": ident, "name": ident, "kind": "other", "description": description,
                       "capability": power, "stances": stances})
    found.raise_any()
    data = {"title": _unquote(head[0]) or _title(file, "KTAB scenario"),
            "description": _unquote(head[1]) or None, "issues": issues, "actors": actors}
    return _validated(data, lines, file)


def _count(found: _Problems, cell: str, line: int, field: str) -> int:
    try:
        value = int(cell)
    except ValueError:
        value = 0
    if value < 1:
        found.add(line, field, "must be a whole number of at least 1",
                  "write the count as a plain whole number, e.g. `26`", cell)
    return value


def _unquote(cell: str) -> str:
    return cell.replace(KTAB_QUOTE, '"').replace("&amp;", "&")


def _ktab_text(text: str | None) -> str:
    """Text on one line (KTAB reads a line per record), with double quotes in KTAB's escape.

    A literal ``&`` is written ``&amp;`` so that text which itself contains ``&quot;`` reads back unchanged.
    """
    return " ".join((text or "").split()).replace("&", "&amp;").replace('"', KTAB_QUOTE)


def _write_ktab(scenario: Scenario) -> str:
    found = _Problems(None)
    issues = scenario.issues
    for i, issue in enumerate(issues):
        if issue.scale != KTAB_SCALE:
            found.add(None, f"issues[{i}].scale", "KTAB positions lie on a 0–100 scale",
                      "rescale the issue to `scale: [0, 100]` (and its positions with it) before writing "
                      "KTAB's layout", list(issue.scale))
        _limit(found, f"issues[{i}].name", f"{issue.name} Position", "dimension name")
    count = len(scenario.actors)
    if not KTAB_ACTORS[0] <= count <= KTAB_ACTORS[1]:
        found.add(None, "actors", f"KTAB reads {KTAB_ACTORS[0]} to {KTAB_ACTORS[1]} actors, not {count}",
                  "add or remove actors, or use another format", count)
    _limit(found, "title", scenario.title, "scenario name")
    _limit(found, "description", scenario.description, "scenario description")
    for a, actor in enumerate(scenario.actors):
        where = f"actors[{a}]"
        _limit(found, f"{where}.id", actor.id, "actor id")
        _limit(found, f"{where}.description", _ktab_description(actor), "actor description")
        if actor.capability.value > KTAB_MAX_POWER:
            found.add(None, f"{where}.capability", f"KTAB reads a power of at most {KTAB_MAX_POWER:g}",
                      "scale all capabilities down by the same factor", actor.capability.value)
        missing = [issue.id for issue in issues if issue.id not in actor.stances]
        if missing:
            found.add(None, f"{where}.stances", f"has no stance on {', '.join(missing)}; KTAB needs a "
                      "position and salience for every actor on every dimension",
                      "give the actor a stance on every issue, or use the YAML or table format", actor.id)
        total = sum(stance.salience.value for stance in actor.stances.values())
        if total > 1 + _TOLERANCE:
            found.add(None, f"{where}.stances", "KTAB requires an actor's saliences to add up to at most "
                      f"100%; these add up to {total * 100:g}%",
                      "lower the actor's saliences so they sum to at most 1", actor.id)
    found.raise_any()

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([escape_cell(_ktab_text(scenario.title)), escape_cell(_ktab_text(scenario.description)), count,
                     len(issues)])
    header = ["Actor", "Description", "Power"]
    for issue in issues:
        name = _ktab_text(issue.name)
        header += [escape_cell(f"{name} Position"), escape_cell(f"{name} Salience")]
    writer.writerow(header)
    for actor in scenario.actors:
        row = [escape_cell(actor.id), escape_cell(_ktab_text(_ktab_description(actor))),
               _number(actor.capability.value)]
        for issue in issues:
            stance = actor.stances[issue.id]
            row += [_number(stance.position.value), _percent(stance.salience.value)]
        writer.writerow(row)
    return out.getvalue()


def _ktab_description(actor: Actor) -> str:
    """KTAB's description column: the actor's description, else its name when that says more than the id."""
    if actor.description:
        return actor.description
    return actor.name if actor.name != actor.id else ""


def _limit(found: _Problems, field: str, text: str | None, what: str) -> None:
    limit = KTAB_TEXT_LIMITS[what]
    if text is not None and len(_ktab_text(text)) > limit:
        found.add(None, field, f"KTAB reads a {what} of at most {limit} characters",
                  "shorten it", text[:40] + "…")


def _fraction(percent: float) -> float:
    """A 0–100 salience as a 0–1 fraction without binary noise (43.31 → 0.4331, not 0.4331000…04)."""
    return float(f"{percent / 100:.15g}")


def _number(value: float) -> str:
    """The shortest text that reads back as the same float, without a trailing ``.0``."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(float(value))


def _percent(fraction: float) -> str:
    """A 0–1 salience on the 0–100 scale; 15 significant digits hide binary noise such as 0.3 * 100."""
    return _number(float(f"{fraction * 100:.15g}"))


# --- Actor/Capability/Position/Salience table -----------------------------------------------------

def _read_table(rows: list[Row], file: str | None) -> Scenario:
    found = _Problems(file)
    header_line, header = rows[0]
    columns: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = " ".join(raw.split()).lower()
        if name in columns:
            found.add(header_line, raw, "column appears twice", "keep only one of them")
        elif name not in TABLE_COLUMNS:
            near = difflib.get_close_matches(name, TABLE_COLUMNS, n=1)
            hint = f"did you mean `{near[0].capitalize()}`?" if near else (
                "the table layout has the columns Actor, Capability, Position, Salience and optionally "
                "Issue; keep other data in the YAML format")
            found.add(header_line, raw or f"column {index + 1}", "unknown column",
                      f"remove it or rename it ({hint})")
        else:
            columns[name] = index
    for name in TABLE_REQUIRED:
        if name not in columns:
            found.add(header_line, name.capitalize(), "column is missing",
                      "use the header `Actor,Capability,Position,Salience` (optionally with `Issue`)")
    if len(rows) < 2:
        found.add(header_line, "<rows>", "the table has a header but no actor rows",
                  "add one row per actor (per issue, with an Issue column)")
    found.raise_any()

    actors: dict[str, dict[str, Any]] = {}
    issues: dict[str, dict[str, Any]] = {}
    width = len(header)
    for line, cells in rows[1:]:
        if len(cells) != width:
            found.add(line, "<row>", f"the row has {len(cells)} value(s), expected {width} "
                      f"({', '.join(header)})", "give every row one value per column")
            continue
        name = cells[columns["actor"]]
        ident = _slug(name)
        if not ident:
            found.add(line, header[columns["actor"]], "gives no usable actor id",
                      "name the actor with letters or digits", name)
            continue
        issue_name = cells[columns["issue"]] if "issue" in columns else "Issue"
        issue_id = _slug(issue_name)
        if not issue_id:
            found.add(line, header[columns["issue"]], "gives no usable issue id",
                      "name the issue with letters or digits", issue_name)
            continue
        capability = found.number(cells[columns["capability"]], line, header[columns["capability"]], 0.0)
        position = found.number(cells[columns["position"]], line, header[columns["position"]])
        salience = found.number(cells[columns["salience"]], line, header[columns["salience"]], 0.0, 100.0,
                                scale=" (the table gives salience on 0–100)")
        actor = actors.setdefault(ident, {"line": line, "name": name, "capability": capability,
                                          "stances": {}})
        stance_line = actor["stances"].get(issue_id, (None,))[0]
        if stance_line is not None:
            what = "actor" if "issue" not in columns else f"actor and issue ({name}, {issue_name})"
            found.add(line, header[columns["actor"]], f"duplicate {what} (first on line {stance_line})",
                      "give every actor one row" + ("" if "issue" not in columns else " per issue"), name)
            continue
        if capability is not None and actor["capability"] is not None and capability != actor["capability"]:
            found.add(line, header[columns["capability"]], f"differs from this actor's capability on "
                      f"line {actor['line']} ({actor['capability']:g})",
                      "give the actor the same capability on every row", capability)
        issue = issues.setdefault(issue_id, {"line": line, "name": issue_name, "positions": []})
        if position is not None:
            issue["positions"].append(position)
        actor["stances"][issue_id] = (line, position, salience)
    found.raise_any()

    issue_data = []
    for issue_id, issue in issues.items():
        low, high = min(issue["positions"]), max(issue["positions"])
        if low == high:
            found.add(issue["line"], "Position", f"every actor on issue {issue['name']!r} takes the same "
                      "position, so the table gives no scale", "the table layout takes the scale from the "
                      "lowest and highest position; write this scenario in YAML with an explicit `scale:`",
                      low)
            continue
        issue_data.append({
            "id": issue_id, "name": issue["name"],
            "low": f"{low:g}, the lowest position in the table",
            "high": f"{high:g}, the highest position in the table", "scale": [low, high],
            "description": "Read from a CSV table, which gives no words for the ends of the scale; the "
                           "scale runs from the lowest to the highest position given."})
    found.raise_any()
    lines: dict[Path_, int] = {("issues", i): issue["line"] for i, issue in enumerate(issues.values())}
    actor_data = []
    for a, (ident, actor) in enumerate(actors.items()):
        lines[("actors", a)] = actor["line"]
        stances = {}
        for issue_id, (line, position, salience) in actor["stances"].items():
            lines[("actors", a, "stances", issue_id)] = line
            stances[issue_id] = {"position": position, "salience": _fraction(salience)}
        actor_data.append({"id": ident, "name": actor["name"], "kind": "other",
                           "capability": actor["capability"], "stances": stances})
    data = {"title": _title(file, "CSV table scenario"), "issues": issue_data, "actors": actor_data}
    return _validated(data, lines, file)


def _write_table(scenario: Scenario) -> str:
    found = _Problems(None)
    _distinct(found, [a.name for a in scenario.actors], "actors", "actor")
    many = len(scenario.issues) > 1
    if many:
        _distinct(found, [i.name for i in scenario.issues], "issues", "issue")
    for a, actor in enumerate(scenario.actors):
        if not actor.stances:
            found.add(None, f"actors[{a}].stances", "the actor takes no stance, so it has no row in a "
                      "table", "give it a stance or leave it out of the CSV", actor.id)
    found.raise_any()

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Actor"] + (["Issue"] if many else []) + ["Capability", "Position", "Salience"])
    for actor in scenario.actors:
        for issue in scenario.issues:
            stance = actor.stances.get(issue.id)
            if stance is not None:
                writer.writerow([escape_cell(actor.name)] + ([escape_cell(issue.name)] if many else []) + [
                    _number(actor.capability.value), _number(stance.position.value),
                    _percent(stance.salience.value)])
    return out.getvalue()


def _distinct(found: _Problems, names: list[str], field: str, what: str) -> None:
    """The table layout makes ids from names; two names giving the same id (or none) cannot be read back."""
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        ident = _slug(name)
        if not ident or ident in seen:
            rule = (f"gives no {what} id" if not ident
                    else f"gives the same {what} id as {field}[{seen[ident]}] in the table layout")
            found.add(None, f"{field}[{index}].name", rule,
                      f"rename the {what} so names differ in letters or digits", name)
        else:
            seen[ident] = index
