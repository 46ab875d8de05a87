"""Properties of the bundled default scenario ``rafah-2024``.

The scenario is derived from one reference article (an opinion piece). These tests check that it
loads, that every number carries its evidence, that analyst's estimates are marked as such, that
citations point at real paragraphs, and that the article's text is paraphrased, never copied.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

import stakes
from stakes.scenario.io import DEFAULT_SCENARIO, bundled_scenarios
from tests.conftest import shared_path

NAME = "rafah-2024"
MIN_SHARED_WORDS = 8  # a run of this many consecutive words shared with the article counts as copying


@pytest.fixture(scope="module")
def scenario() -> stakes.Scenario:
    return stakes.load(NAME)


@pytest.fixture(scope="module")
def yaml_text() -> str:
    return bundled_scenarios()[NAME].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def article() -> str:
    return shared_path("reference", "rafah-2024.txt").read_text(encoding="utf-8")


def all_estimates(sc: stakes.Scenario) -> list[tuple[str, stakes.Estimate]]:
    """Every number of the scenario with a readable label: status quos, capabilities, stances."""
    out: list[tuple[str, stakes.Estimate]] = []
    for issue in sc.issues:
        if issue.status_quo is not None:
            out.append((f"issue {issue.id} status_quo", issue.status_quo))
    for actor in sc.actors:
        out.append((f"{actor.id} capability", actor.capability))
        for issue_id, stance in actor.stances.items():
            out.append((f"{actor.id}.{issue_id} position", stance.position))
            out.append((f"{actor.id}.{issue_id} salience", stance.salience))
            if stance.risk is not None:
                out.append((f"{actor.id}.{issue_id} risk", stance.risk))
    return out


def words(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2013", "-").replace("\u2014", "-")
    return re.findall(r"[a-z0-9]+(?:['\-.][a-z0-9]+)*", text)


def ngrams(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def is_heading(line: str) -> bool:
    """Section headings are the short body-less lines without closing punctuation."""
    return not line.rstrip().endswith((".", "!", "?", '"', "\u201d", ")"))


def body_paragraphs(text: str) -> list[str]:
    """The numbering convention stated in the scenario's notes: non-empty, non-heading lines."""
    return [line for line in text.splitlines() if line.strip() and not is_heading(line)]


# --- loading and shape -------------------------------------------------------------------------


def test_is_the_bundled_default(scenario: stakes.Scenario) -> None:
    assert DEFAULT_SCENARIO == NAME
    assert NAME in bundled_scenarios()
    assert stakes.load().title == scenario.title


def test_round_trips_through_the_validator(scenario: stakes.Scenario) -> None:
    again = stakes.loads(stakes.dumps(scenario))
    assert again == scenario


def test_size(scenario: stakes.Scenario) -> None:
    assert len(scenario.issues) >= 2
    assert len(scenario.actors) >= 10
    ids = {i.id for i in scenario.issues}
    assert {"rafah_operation", "hostage_deal"} <= ids


def test_every_issue_has_several_actors(scenario: stakes.Scenario) -> None:
    for issue in scenario.issues:
        data = scenario.issue_data(issue.id)
        assert data.n >= 5, f"issue {issue.id} has only {data.n} actors"
        assert data.position.min() < data.position.max(), f"issue {issue.id}: no disagreement"


def test_date_and_source(scenario: stakes.Scenario) -> None:
    assert scenario.as_of is not None
    assert date(2024, 3, 1) <= scenario.as_of <= date(2024, 6, 20)
    (ref,) = [s for s in scenario.sources if s.id == "ref"]
    assert ref.kind == "opinion article"
    assert "opinion" in (scenario.notes or "").lower()


# --- evidence behind every number -----------------------------------------------------------


def test_every_number_has_a_basis(scenario: stakes.Scenario) -> None:
    missing = [label for label, e in all_estimates(scenario) if not (e.basis and e.basis.strip())]
    assert not missing, f"numbers without a basis: {missing}"


def test_unsourced_numbers_are_marked_analyst_estimates_with_a_range(scenario: stakes.Scenario) -> None:
    bad = []
    for label, e in all_estimates(scenario):
        if e.source is None:
            if e.is_exact:
                bad.append(f"{label}: no range")
            if "analyst" not in (e.basis or "").lower():
                bad.append(f"{label}: basis does not say it is an analyst's estimate")
            if e.where is not None:
                bad.append(f"{label}: has `where` but no source")
    assert not bad, bad


def test_sourced_numbers_say_where(scenario: stakes.Scenario) -> None:
    known = {s.id for s in scenario.sources}
    for label, e in all_estimates(scenario):
        if e.source is not None:
            assert e.source in known, label
            assert e.where and re.fullmatch(r"paragraphs? \d+(, \d+)*", e.where), (label, e.where)


def test_every_number_has_a_range_containing_it(scenario: stakes.Scenario) -> None:
    for label, e in all_estimates(scenario):
        assert not e.is_exact, f"{label} has no range"
        assert e.low <= e.value <= e.high, label


def test_positions_lie_on_their_scales(scenario: stakes.Scenario) -> None:
    for actor in scenario.actors:
        for issue_id, stance in actor.stances.items():
            lo, hi = scenario.issue(issue_id).scale
            assert lo <= stance.position.low <= stance.position.high <= hi
            assert 0 <= stance.salience.low <= stance.salience.high <= 1


def test_cited_paragraphs_exist(scenario: stakes.Scenario, article: str) -> None:
    count = len(body_paragraphs(article))
    assert count > 0
    for label, e in all_estimates(scenario):
        if e.where:
            numbers = [int(n) for n in re.findall(r"\d+", e.where)]
            assert numbers and all(1 <= n <= count for n in numbers), (label, e.where, count)


# --- paraphrase, not copy; neutral wording ----------------------------------------------------


def test_no_run_of_words_copied_from_the_article(yaml_text: str, article: str) -> None:
    shared = ngrams(words(yaml_text), MIN_SHARED_WORDS) & ngrams(words(article), MIN_SHARED_WORDS)
    assert not shared, f"copied from the article: {[' '.join(g) for g in sorted(shared)]}"


def test_no_article_sentence_verbatim(yaml_text: str, article: str) -> None:
    flat = " ".join(words(yaml_text))
    for sentence in re.split(r"(?<=[.!?])\s+", article):
        tokens = words(sentence)
        if len(tokens) >= 5:
            assert " ".join(tokens) not in flat, sentence


def test_does_not_adopt_the_articles_evaluative_vocabulary(yaml_text: str) -> None:
    lowered = yaml_text.lower()
    for term in ("imperialis", "oppressive", "regime", "defies", "cling to power"):
        assert term not in lowered, term


# --- the actors the article is about ---------------------------------------------------------


def find_actor(sc: stakes.Scenario, alias: str) -> stakes.Actor | None:
    alias = alias.lower()
    for actor in sc.actors:
        names = [actor.name, actor.id, *actor.aliases]
        if any(alias in n.lower() for n in names):
            return actor
    return None


@pytest.mark.parametrize("aliases", [
    ("Netanyahu",), ("Gantz",), ("Gallant",), ("Hamas",), ("Egypt",), ("Hezbollah",),
    ("Biden", "United States"), ("Ben-Gvir",), ("Smotrich",), ("Lieberman",), ("Jordan",),
])
def test_principal_actors_present(scenario: stakes.Scenario, aliases: tuple[str, ...]) -> None:
    found = [find_actor(scenario, a) for a in aliases]
    assert all(found), f"no actor for {aliases}"
    assert len({a.id for a in found}) == 1, f"{aliases} name different actors"


def test_actors_not_in_the_article_are_absent(scenario: stakes.Scenario) -> None:
    assert find_actor(scenario, "Qatar") is None


def test_article_claims_are_reflected(scenario: stakes.Scenario) -> None:
    """Orderings the article states directly, checked on the central values."""
    pos = {a.id: {i: s.position.value for i, s in a.stances.items()} for a in scenario.actors}
    netanyahu = find_actor(scenario, "Netanyahu").id
    us = find_actor(scenario, "Biden").id
    hamas = find_actor(scenario, "Hamas").id
    gantz = find_actor(scenario, "Gantz").id
    far_right = find_actor(scenario, "Smotrich").id
    egypt = find_actor(scenario, "Egypt").id
    lieberman = find_actor(scenario, "Lieberman").id
    # Netanyahu presses on with Rafah against US calls for restraint; Egypt warns against it.
    assert pos[netanyahu]["rafah_operation"] > 50 > pos[us]["rafah_operation"] > pos[egypt]["rafah_operation"]
    # Hamas demands withdrawal; Israel wants to resume fighting after a release; far right opposes a ceasefire.
    hd = "hostage_deal"
    assert pos[hamas][hd] > pos[us][hd] > pos[gantz][hd] > pos[netanyahu][hd] > pos[far_right][hd]
    # Lieberman calls for taking the war into Lebanon; the US fears being drawn in.
    assert pos[lieberman]["northern_front"] > pos[netanyahu]["northern_front"] > pos[us]["northern_front"]


# --- forecasts ------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["mean", "median"])
def test_forecasts_are_plausible(scenario: stakes.Scenario, model: str) -> None:
    outcomes = stakes.forecast(scenario, model=model).outcomes
    assert set(outcomes) == {i.id for i in scenario.issues}
    for issue_id, value in outcomes.items():
        data = scenario.issue_data(issue_id)
        assert data.position.min() <= value <= data.position.max()
    # Neither extreme: the Rafah operation is neither abandoned nor launched at once in full, and
    # a deal falls short of a permanent end of the war with withdrawal.
    assert 25 < outcomes["rafah_operation"] < 80
    assert 20 < outcomes["hostage_deal"] < 75
