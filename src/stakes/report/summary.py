"""The report's plain-language summary: sentences filled in from the results, nothing else.

Every sentence comes from a fixed template whose blanks are numbers from the forecasts, the Monte
Carlo draws, the sensitivity table or the what-if comparison, and names from the scenario. Wording is
neutral: the templates say what a model computes, never why an actor acts or what ought to happen.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from stakes.scenario.model import Estimate, Issue, Scenario
from stakes.uncertainty.compare import BASELINE
from stakes.uncertainty.montecarlo import DEAL, Event

if TYPE_CHECKING:
    from stakes.report.build import Report

STOP_WORDS = {
    "converged": "positions stopped moving",
    "round_limit": "the round limit was reached",
    "cycle": "positions were cycling",
    "static": "",
}
OP_WORDS = {">": "above", ">=": "at or above", "<": "below", "<=": "at or below"}
FIELD_WORDS = {"capability": "capability", "position": "position", "salience": "salience", "risk": "risk attitude"}


@dataclass(frozen=True)
class Block:
    """Sentences shown together: as one paragraph, or as a list (one item per sentence)."""

    sentences: tuple[str, ...]
    listed: bool = False


@dataclass(frozen=True)
class Paragraph:
    """What the summary says about one topic (the scenario as a whole, or one issue)."""

    heading: str
    blocks: tuple[Block, ...]

    @property
    def sentences(self) -> list[str]:
        return [s for block in self.blocks for s in block.sentences]


def value(issue: Issue, x: float) -> str:
    """A number on an issue's scale, as precise as the scale's width makes meaningful (0–100: whole numbers)."""
    width = abs(issue.width) or 1.0
    decimals = max(0, 2 - math.floor(math.log10(width)))
    text = f"{x:.{decimals}f}"
    return "0" if float(text) == 0 else text


def interval(low: float, high: float, spec: str = ".4g") -> str:
    """``5–20``, or ``-0.8 to -0.2`` where a dash between negative numbers would misread."""
    sep = " to " if low < 0 or high < 0 else "–"
    return f"{low:{spec}}{sep}{high:{spec}}"


def number(x: float | None) -> str:
    """A table cell: four significant digits, empty for a missing value."""
    return "" if x is None or pd.isna(x) else f"{x:.4g}"


def percent(x: float | None) -> str:
    """A table cell: a probability as a percentage with one decimal, empty for a missing value."""
    return "" if x is None or pd.isna(x) else f"{x:.1%}"


def share(p: float) -> str:
    """A probability as a percentage that never rounds a rare event to 0% or a near-certain one to 100%."""
    if p == 0 or p == 1:
        return f"{p:.0%}"
    if p < 0.01:
        return "under 1%"
    if p > 0.99:
        return "over 99%"
    return f"{p:.0%}"


def listing(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def event_words(event: Event, issue: Issue) -> str:
    if event.op == DEAL:
        return "a change from the status quo passes the decision rule"
    return f"the outcome is {OP_WORDS[event.op]} {value(issue, event.value)}"


def input_label(scenario: Scenario, key: str, issue_id: str | None = None) -> str:
    """An input key (``actor.capability``, ``actor.issue.position``, ``issue.status_quo``) in words.

    The issue is named only when it differs from ``issue_id``, the issue being described.
    """
    for issue in scenario.issues:
        if key == f"{issue.id}.status_quo":
            return "status quo" if issue.id == issue_id else f"status quo of {issue.name}"
    for actor in scenario.actors:
        if key == f"{actor.id}.capability":
            return f"capability of {actor.name}"
        for other in actor.stances:
            for field, words in FIELD_WORDS.items():
                if key == f"{actor.id}.{other}.{field}":
                    where = "" if other == issue_id else f" on {scenario.issue(other).name}"
                    return f"{words} of {actor.name}{where}"
    return key


def numbers(scenario: Scenario) -> list[tuple[str, str, Estimate]]:
    """Every number of the scenario as (whose: issue or actor name, which number, the estimate)."""
    out = [(i.name, "status quo", i.status_quo) for i in scenario.issues if i.status_quo is not None]
    for actor in scenario.actors:
        out.append((actor.name, "capability", actor.capability))
        for issue_id, stance in actor.stances.items():
            out += [(actor.name, f"{issue_id} position", stance.position),
                    (actor.name, f"{issue_id} salience", stance.salience)]
            if stance.risk is not None:
                out.append((actor.name, f"{issue_id} risk", stance.risk))
    return out


def summarize(report: Report) -> list[Paragraph]:
    """The whole summary: one paragraph on the scenario, then one per issue."""
    paragraphs = [_scenario_paragraph(report)]
    outcomes = report.outcome_table()
    for issue in report.scenario.issues:
        rows = outcomes[outcomes["issue"] == issue.id]
        if rows.empty:
            continue
        blocks = [
            Block((_scale_sentence(issue),)),
            Block(tuple(_model_sentence(issue, row) for row in rows.itertuples()), listed=True),
            Block(tuple(_spread_sentences(issue, rows) + _event_sentences(report, issue))),
            Block(tuple(_sensitivity_sentences(report, issue))),
            Block(tuple(_whatif_sentences(report, issue)), listed=True),
        ]
        paragraphs.append(Paragraph(issue.name, tuple(b for b in blocks if b.sentences)))
    return paragraphs


def _scenario_paragraph(report: Report) -> Paragraph:
    sc = report.scenario
    estimates = [e for _, _, e in numbers(sc)]
    cited = sum(1 for e in estimates if not e.is_estimate)
    ranged = sum(1 for e in estimates if not e.is_exact)
    dated = f" (as of {sc.as_of.isoformat()})" if sc.as_of else ""
    sentences = [
        f"The scenario{dated} has {_count(len(sc.actors), 'actor')} and {_count(len(sc.issues), 'issue')}.",
        f"Of its {len(estimates)} numbers, {cited} {_verb(cited, 'cites', 'cite')} a source and "
        f"{len(estimates) - cited} {_verb(len(estimates) - cited, 'is an', 'are')} analyst's "
        f"{_verb(len(estimates) - cited, 'estimate', 'estimates')}; {ranged} {_verb(ranged, 'carries', 'carry')} "
        f"an uncertainty range, which the Monte Carlo run varies over "
        f"{_count(report.montecarlo.draws, 'draw')}.",
    ]
    return Paragraph("The scenario", (Block(tuple(sentences)),))


def _verb(n: int, singular: str, plural: str) -> str:
    return singular if n == 1 else plural


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _scale_sentence(issue: Issue) -> str:
    lo, hi = issue.scale
    text = f"{issue.name} is measured from {lo:g} ({issue.low.rstrip('.')}) to {hi:g} ({issue.high.rstrip('.')})."
    if issue.status_quo is not None:
        text += f" The status quo is {value(issue, issue.status_quo.value)}."
    return text


def _model_sentence(issue: Issue, row) -> str:
    text = f"Under the {row.model} model the forecast is {value(issue, row.forecast)}"
    if row.rounds:
        stop = STOP_WORDS.get(row.stop_reason, "")
        text += f" after {_count(int(row.rounds), 'round')}" + (f" ({stop})" if stop else "")
    low, high = value(issue, row.q05), value(issue, row.q95)
    if low == high:
        return text + f"; at least 90% of the {int(row.draws)} draws give {low}."
    return text + f"; 90% of the {int(row.draws)} draws lie between {low} and {high} (median {value(issue, row.q50)})."


def _spread_sentences(issue: Issue, rows: pd.DataFrame) -> list[str]:
    shown = {m: value(issue, f) for m, f in zip(rows["model"], rows["forecast"])}
    sentences = []
    if len(shown) > 1:
        as_shown = {m: float(v) for m, v in shown.items()}
        low, high = min(as_shown.values()), max(as_shown.values())
        if low == high:
            sentences.append(f"All {len(shown)} models forecast {shown[rows['model'].iloc[0]]}.")
        else:
            at_low = listing([m for m, v in as_shown.items() if v == low])
            at_high = listing([m for m, v in as_shown.items() if v == high])
            sentences.append(f"The models' forecasts range from {value(issue, low)} ({at_low}) to "
                             f"{value(issue, high)} ({at_high}).")
    if issue.status_quo is not None:
        sq = issue.status_quo.value
        diffs = [float(v) - float(value(issue, sq)) for v in shown.values()]
        sentences.append(_shift_sentence(issue, diffs, len(shown)))
    return sentences


def _shift_sentence(issue: Issue, diffs: list[float], models: int) -> str:
    low, high = min(diffs), max(diffs)
    subject = "The forecast is" if models == 1 else "Every forecast is"
    if low == high == 0:
        return f"{subject} at the status quo."
    if low < 0 < high:
        return (f"The forecasts lie between {value(issue, -low)} points below and {value(issue, high)} points "
                f"above the status quo.")
    direction = "above" if high > 0 else "below"
    a, b = sorted((abs(low), abs(high)))
    by = value(issue, a) if a == b else f"{value(issue, a)} to {value(issue, b)}"
    return f"{subject} {by} points {direction} the status quo."


def _event_sentences(report: Report, issue: Issue) -> list[str]:
    table = report.probabilities()
    sentences = []
    for event in report.events:
        if event.issue != issue.id:
            continue
        rows = table[table["event"] == str(event)]
        parts = [f"{share(p)} under {m}" for m, p in zip(rows["model"], rows["probability"])]
        if not parts:
            continue
        sentences.append(f"{event_words(event, issue).capitalize()} ({event}) in this share of draws: "
                         f"{listing(parts)}.")
    return sentences


def _sensitivity_sentences(report: Report, issue: Issue) -> list[str]:
    if report.sensitivity is None:
        return []
    rows = report.sensitivity[report.sensitivity["issue"] == issue.id].sort_values("swing", ascending=False,
                                                                                 kind="stable")
    if rows.empty:
        return []
    model = report.sensitivity_model
    top = rows.iloc[0]
    if top["swing"] == 0:
        return [f"Under the {model} model, varying any single input over its range leaves the outcome at "
                f"{value(issue, top['base_outcome'])}."]

    def span(row: pd.Series) -> str:
        return f"{value(issue, row['outcome_min'])} to {value(issue, row['outcome_max'])}"

    sc = report.scenario
    text = (f"Varying one input at a time under the {model} model, the outcome moves most with the "
            f"{input_label(sc, top['input'], issue.id)}: over its range, {interval(top['low'], top['high'], '.3g')}, "
            f"the outcome runs from {span(top)}")
    others = [r for _, r in rows.iloc[1:3].iterrows() if r["swing"] > 0]
    if others:
        text += ". Next come " + listing([f"the {input_label(sc, r['input'], issue.id)}, with outcomes from {span(r)}"
                                          for r in others])
    return [text + "."]


def _whatif_sentences(report: Report, issue: Issue) -> list[str]:
    if report.comparison is None:
        return []
    table = report.comparison_table()
    rows = table[table["issue"] == issue.id]
    baseline = rows[rows["variant"] == BASELINE].set_index("model")
    sentences = []
    for _, part in rows[rows["variant"] != BASELINE].groupby("variant", sort=False):
        changes = []
        for row in part.itertuples():
            before, after = value(issue, baseline.loc[row.model, "q50"]), value(issue, row.q50)
            changes.append(f"{after} under {row.model} (baseline {before})")
        text = f"With the what-if “{part['title'].iloc[0]}”, the median outcome is {listing(changes)}."
        for event in report.events:
            column = f"P({event})"
            if event.issue != issue.id or column not in part:
                continue
            moves = [f"{share(row[column])} under {row['model']} (baseline {share(baseline.loc[row['model'], column])})"
                     for _, row in part.iterrows()
                     if not (pd.isna(row[column]) or pd.isna(baseline.loc[row["model"], column]))]
            if moves:
                text += f" The share of draws in which {event_words(event, issue)} is {listing(moves)}."
        sentences.append(text)
    return sentences
