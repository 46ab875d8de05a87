"""The draft scenario read from the reference article: valid, with the principal actors on the right sides."""

from __future__ import annotations

from datetime import date

import pytest

from stakes.reading.article import Article
from stakes.reading.draft import actor_ids, draft_scenario, read_articles, to_corpus
from stakes.scenario import dumps, load, loads
from tests.conftest import shared_path

SIDE_MARGIN = 15.0
"""A reference position at least this far from the middle of the scale is a clearly stated side."""


@pytest.fixture(scope="module")
def drafted():
    reference = load("rafah-2024")
    text = shared_path("reference", "rafah-2024.txt").read_text(encoding="utf-8")
    reading = read_articles([Article(text, title="Reference article")], list(reference.issues), date(2024, 3, 28))
    draft = draft_scenario(reading, as_of=date(2024, 3, 28), issue_sources=reference.sources)
    return reference, loads(dumps(draft)), reading


def _match(reference_actor, draft) -> list:
    """Draft actors that share a name or alias with a reference actor (case-insensitive)."""
    names = {n.lower() for n in (reference_actor.name, *reference_actor.aliases)}
    return [a for a in draft.actors if {n.lower() for n in (a.name, *a.aliases)} & names
            or any(n in a.name.lower() for n in names if len(n) > 4)]


def test_draft_is_valid_and_cites_the_article(drafted):
    _, draft, _ = drafted
    article = draft.sources[0].id
    for actor in draft.actors:
        for stance in actor.stances.values():
            assert stance.position.basis and "confidence" in stance.position.basis
            if stance.position.source is not None:
                assert stance.position.source == article
                assert stance.position.where.startswith("sentence ")


def test_every_principal_actor_is_found(drafted):
    reference, draft, _ = drafted
    missing = [a.id for a in reference.actors if not _match(a, draft)]
    assert not missing, f"reference actors not found: {missing}"


def test_clearly_stated_sides_hold(drafted):
    reference, draft, _ = drafted
    wrong = []
    checked = 0
    for ref in reference.actors:
        for issue_id, stance in ref.stances.items():
            if stance.position.source is None:
                continue
            middle = sum(reference.issue(issue_id).scale) / 2
            if abs(stance.position.value - middle) < SIDE_MARGIN:
                continue
            ref_side = stance.position.value > middle
            for actor in _match(ref, draft):
                found = actor.stances.get(issue_id)
                if found is None or found.position.basis.startswith("No stance"):
                    continue
                checked += 1
                if (found.position.value > middle) != ref_side:
                    wrong.append((ref.id, actor.id, issue_id, found.position.value))
    assert checked >= 6  # only stances read from sentences that speak to the issue
    assert not wrong, wrong


def test_analysis_converts_to_corpus_records(drafted):
    _, draft, reading = drafted
    analysis = reading.analyses[0]
    records = to_corpus(analysis, actor_ids(draft, reading), reading.issues)
    ids = {a.id for a in draft.actors}
    assert records.mentions and {m.actor_id for m in records.mentions} <= ids
    assert records.stances and all(0 <= s.position <= 100 and 0 < s.confidence < 1 for s in records.stances)
    for kind, start, end in records.spans():
        assert 0 <= start < end <= len(analysis.text), kind


@pytest.mark.parametrize("text, has_stance", [
    ("Defense Minister Yoav Gallant pressed for talks and concessions to bring the hostages home.", False),
    ("Defense Minister Yoav Gallant called for a ceasefire in Gaza.", True),
])
def test_bargaining_alone_places_nobody_on_the_escalation_axis(text, has_stance):
    reading = read_articles([Article(text + " Israel vowed to press on with the offensive.")], None,
                            date(2024, 3, 1))
    gallant = next(k for k, a in reading.analyses[0].actors.items() if a.name == "Yoav Gallant")
    assert any(e.actor == gallant for e in reading.analyses[0].stances) == has_stance
    draft = draft_scenario(reading)
    actor = next(a for a in draft.actors if a.name == "Yoav Gallant")
    assert bool(actor.stances) == has_stance
    assert all(s.position.basis and "confidence 0.00" not in s.position.basis for s in actor.stances.values())
