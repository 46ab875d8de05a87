"""Property tests: a valid scenario survives writing and reading back in every format that holds it."""

from __future__ import annotations

import errno
import os
import string
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stakes
from stakes import files
from stakes.errors import ScenarioError
from stakes.files import OutputError
from stakes.scenario import tables
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

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text as a scenario file keeps it: no surrogates, control characters or line/paragraph separators,
# and no surrounding whitespace (the reader strips it).
words = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=12) \
    .map(str.strip).filter(bool)
idents = st.builds(str.__add__, st.sampled_from(string.ascii_lowercase),
                   st.text(string.ascii_lowercase + string.digits + "_", max_size=6))


maybe_words = st.none() | words
flags = st.booleans()
fractions = st.floats(0, 1)
magnitudes = st.floats(0, 1e12)
picks = st.integers(0, 2**16)
maybe_dates = st.none() | st.dates(date(1, 1, 1), date(9999, 12, 31))


def finite(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def number(draw: st.DrawFn, low: float, high: float) -> float:
    """A float in [low, high] (high may be infinite), from shared strategies to keep generation fast."""
    if high == float("inf"):
        return float(low + draw(magnitudes))
    return float(min(high, max(low, low + (high - low) * draw(fractions))))


def pick(draw: st.DrawFn, options: list | tuple) -> Any:
    return options[draw(picks) % len(options)]


def estimate(draw: st.DrawFn, low: float, high: float, sources: list[str]) -> Estimate:
    """An exact number or a full estimate (range, distribution, basis, source, where) within [low, high]."""
    value = number(draw, low, high)
    if draw(flags):
        return Estimate(value)
    lo = hi = None
    if draw(flags):
        lo, hi = number(draw, low, value), number(draw, value, high)
    return Estimate(value, lo, hi, distribution=pick(draw, DISTRIBUTIONS), basis=draw(maybe_words),
                    source=pick(draw, sources) if sources and draw(flags) else None,
                    where=draw(maybe_words))


def decision(draw: st.DrawFn, takers: list[str], sources: list[str]) -> Decision:
    """A valid rule of any kind naming only ``takers`` (the actors with a stance on the issue)."""
    rule = pick(draw, DECISION_RULES)
    some = [a for a in takers if draw(flags)] or takers[:1]
    setter = pick(draw, takers) if rule in ("veto", "majority", "qualified_majority") and draw(flags) else None
    evidence = {"basis": draw(maybe_words), "source": pick(draw, sources) if sources and draw(flags) else None,
                "where": draw(maybe_words)}
    if rule == "veto":
        return Decision(rule, veto_players=tuple(some), agenda_setter=setter, **evidence)
    if rule in ("majority", "qualified_majority"):
        weights = {a: number(draw, 1e-3, 1e3) for a in some} if draw(flags) else None
        threshold = number(draw, 0.51, 1.0) if rule == "qualified_majority" else None
        return Decision(rule, agenda_setter=setter, voters=tuple(some), weights=weights, threshold=threshold,
                        **evidence)
    if rule == "single":
        return Decision(rule, decider=pick(draw, takers), **evidence)
    return Decision(rule, **evidence)


def observation(draw: st.DrawFn, low: float, high: float, sources: list[str]) -> Observation:
    value = number(draw, low, high)
    lo = hi = None
    if draw(flags):
        lo, hi = number(draw, low, value), number(draw, value, high)
    return Observation(value, lo, hi, draw(st.dates(date(1, 1, 1), date(9999, 12, 31))), draw(maybe_words),
                       pick(draw, sources) if sources and draw(flags) else None, draw(maybe_words))


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A scenario obeying every rule of the format."""
    source_ids = draw(st.lists(idents, max_size=2, unique=True))
    sources = tuple(Source(i, draw(words), *(draw(maybe_words) for _ in range(5))) for i in source_ids)
    issues = []
    for issue_id in draw(st.lists(idents, min_size=1, max_size=2, unique=True)):
        a, b = number(draw, -1e6, 1e6), number(draw, -1e6, 1e6)
        scale = (min(a, b), max(a, b)) if a != b else (a, a + 1)
        status_quo = estimate(draw, *scale, source_ids) if draw(flags) else None
        issues.append(Issue(issue_id, draw(words), draw(words), draw(words), scale, draw(maybe_words),
                            status_quo))
    actors = []
    for n, actor_id in enumerate(draw(st.lists(idents, min_size=1, max_size=3, unique=True))):
        chosen = [i for i in issues if n == 0 or draw(flags)]  # the first actor keeps every issue in use
        stances = {
            issue.id: Stance(estimate(draw, *issue.scale, source_ids),
                             estimate(draw, *SALIENCE_RANGE, source_ids),
                             estimate(draw, *RISK_RANGE, source_ids) if draw(flags) else None)
            for issue in chosen
        }
        aliases = (draw(words),) if draw(flags) else ()
        actors.append(Actor(actor_id, draw(words), pick(draw, ACTOR_KINDS),
                            estimate(draw, 0.0, float("inf"), source_ids), stances, aliases,
                            draw(maybe_words)))
    for k, issue in enumerate(issues):  # rules name actors with a stance; they need a status quo
        takers = [a.id for a in actors if issue.id in a.stances]
        rule = decision(draw, takers, source_ids) if issue.status_quo is not None and draw(flags) else None
        outcomes = tuple(observation(draw, *issue.scale, source_ids) for _ in range(draw(st.integers(0, 2))))
        issues[k] = replace(issue, decision=rule, outcomes=outcomes)
    return Scenario(draw(words), tuple(issues), tuple(actors), draw(maybe_dates), draw(maybe_words),
                    sources, draw(maybe_words))


@SETTINGS
@given(scenarios())
def test_yaml_and_json_round_trip(scenario: Scenario) -> None:
    assert stakes.loads(stakes.dumps(scenario, "yaml")) == scenario
    assert stakes.loads(stakes.dumps(scenario, "json"), fmt="json") == scenario


# --- CSV layouts: only numbers and names travel; salience goes through the 0-100 scale ---------------

names = st.builds(lambda first, rest: " ".join((first + rest).split()),
                  st.sampled_from(string.ascii_uppercase), st.text(string.ascii_lowercase + " ", max_size=8))
codes = st.builds(str.__add__, st.sampled_from(string.ascii_letters),
                  st.text(string.ascii_letters + string.digits + "_-", max_size=24))
maybe_line = st.none() | words.map(lambda w: " ".join(w.split()))


@st.composite
def table_scenarios(draw: st.DrawFn) -> Scenario:
    """Scenarios a table holds: names giving distinct ids, scales from lowest to highest position."""
    issue_names = draw(st.lists(names, min_size=1, max_size=3, unique_by=tables._slug))
    if len(issue_names) == 1:
        issue_names = ["Issue"]
    actor_names = draw(st.lists(names, min_size=2, max_size=6, unique_by=tables._slug))
    stances: dict[str, dict[str, Stance]] = {tables._slug(n): {} for n in actor_names}
    issues = []
    for issue_name in issue_names:
        issue_id = tables._slug(issue_name)
        takers = [n for n in actor_names if draw(flags)]
        takers = takers if len(takers) >= 2 else actor_names
        positions = [number(draw, -1e6, 1e6) for _ in takers]
        if min(positions) == max(positions):
            positions[0] -= 1
        for taker, position in zip(takers, positions, strict=True):
            stances[tables._slug(taker)][issue_id] = Stance(Estimate(position), Estimate(draw(fractions)))
        issues.append(Issue(issue_id, issue_name, "low", "high", (min(positions), max(positions))))
    actors = tuple(Actor(tables._slug(n), n, "other", Estimate(number(draw, 0, 1e9)),
                         stances[tables._slug(n)]) for n in actor_names if stances[tables._slug(n)])
    return Scenario("t", tuple(issues), actors)


@st.composite
def ktab_scenarios(draw: st.DrawFn) -> Scenario:
    """Scenarios KTAB can read: 0-100 scales, every actor on every issue, saliences summing to at most 1."""
    issue_names = draw(st.lists(names, min_size=1, max_size=3, unique_by=tables._slug))
    issues = tuple(Issue(tables._slug(n), n, "0 on the KTAB scale", "100 on the KTAB scale")
                   for n in issue_names)
    share = 1 / len(issues)
    actors = tuple(
        Actor(code, code, "other", Estimate(number(draw, 0, 1e8)),
              {i.id: Stance(Estimate(number(draw, 0, 100)), Estimate(number(draw, 0, share)))
               for i in issues},
              description=draw(maybe_line))
        for code in draw(st.lists(codes, min_size=3, max_size=8, unique=True)))
    return Scenario(" ".join(draw(words).split()), issues, actors, description=draw(maybe_line))


def assert_same_numbers(read: Scenario, written: Scenario) -> None:
    assert [a.id for a in read.actors] == [a.id for a in written.actors]
    # a long table lists issues as they first appear in it, so compare them by id
    assert sorted((i.id, i.name) for i in read.issues) == sorted((i.id, i.name) for i in written.issues)
    for issue in read.issues:
        assert issue.scale == pytest.approx(written.issue(issue.id).scale, rel=1e-12, abs=1e-12)
    for actor, original in zip(read.actors, written.actors, strict=True):
        assert actor.name == original.name
        assert actor.capability.value == pytest.approx(original.capability.value, rel=1e-12)
        assert set(actor.stances) == set(original.stances)
        for issue_id, stance in actor.stances.items():
            want = original.stances[issue_id]
            assert stance.position.value == pytest.approx(want.position.value, rel=1e-12, abs=1e-12)
            assert stance.salience.value == pytest.approx(want.salience.value, rel=1e-12, abs=1e-14)


@SETTINGS
@given(table_scenarios())
def test_table_csv_round_trip(scenario: Scenario) -> None:
    assert_same_numbers(stakes.loads(stakes.dumps(scenario, "csv"), fmt="csv"), scenario)


@SETTINGS
@given(ktab_scenarios())
def test_ktab_csv_round_trip(scenario: Scenario) -> None:
    read = stakes.loads(stakes.dumps(scenario, "ktab-csv"), fmt="csv")
    assert_same_numbers(read, scenario)
    assert read.title == scenario.title and read.description == scenario.description
    assert [a.description for a in read.actors] == [a.description for a in scenario.actors]


# --- saving is atomic ---------------------------------------------------------------------------------

def test_save_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("old contents\n")
    scenario = stakes.load("eu-emissions")
    assert stakes.save(scenario, path) == path
    assert stakes.load(path) == scenario
    assert os.listdir(tmp_path) == ["s.yaml"]


def test_a_failed_conversion_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("old contents\n")
    off_scale = stakes.loads("Actor,Capability,Position,Salience\nA,1,0,50\nB,1,10,50\nC,1,5,5\n",
                             fmt="csv")  # its scale is [0, 10]; KTAB's is [0, 100]
    with pytest.raises(ScenarioError, match="0–100"):
        stakes.save(off_scale, path, fmt="ktab-csv")
    assert path.read_text() == "old contents\n"
    assert os.listdir(tmp_path) == ["s.csv"]


def test_a_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("old contents\n")

    def refuse(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(OutputError, match="disk is full"):
        stakes.save(stakes.load("eu-emissions"), path)
    assert path.read_text() == "old contents\n"
    assert os.listdir(tmp_path) == ["s.yaml"]  # no temporary file left behind
