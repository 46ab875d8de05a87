"""Topics: what an act concerns refines a CAMEO family's head code (the codebook's parallel codes)."""

from __future__ import annotations

from datetime import date

import pytest

from stakes.reading.nlp import build_pipeline, make_doc, nlp_pipeline
from stakes.reading.topics import FAMILIES, MONEY, WORDS, refine, topics_of
from tests.coding import coded


@pytest.mark.parametrize("code, words, expected", [
    ("120", {"request", "for", "long-range", "missile"}, "122"),  # a request for arms: material aid
    ("120", {"offer", "to", "mediate"}, "126"),
    ("120", {"peace plan", "peace", "plan"}, "127"),
    ("020", {"keep", "mediate"}, "028"),
    ("100", {"release", "hostage"}, "105"),
    ("030", {"joint", "naval", "exercise"}, "031"),
    ("070", {MONEY, "budget", "support"}, "071"),
    ("070", {"food", "medicine"}, "073"),
    ("070", {"artillery", "shell"}, "072"),
    ("130", {"tariff", "on", "car"}, "131"),
    ("130", {"fire", "on", "protester"}, "137"),
    ("160", {"talk"}, "164"),
    ("080", {"inspector", "return"}, "086"),
    ("080", {"prisoner"}, "084"),
    ("090", {"war crime"}, "094"),
    ("020", {"agree", "to", "ceasefire"}, "025"),  # a truce is yielding (de-escalation), not a settlement
    ("030", {"peace deal"}, "037"),
])
def test_a_head_code_takes_its_familys_code_for_the_topic(code, words, expected):
    assert refine(code, words) == expected


@pytest.mark.parametrize("code, words", [
    ("122", {"talk"}),  # a code a pattern chose is kept
    ("190", {"missile"}),  # a family without topics
    ("020", {"weather", "road"}),  # no topic named
    ("0871", {"ceasefire"}),
])
def test_other_codes_and_topicless_words_are_kept(code, words):
    assert refine(code, words) == code


def test_every_family_code_is_in_its_family_and_every_topic_has_words():
    for family, table in FAMILIES.items():
        assert all(code[:2] == family and len(code) == 3 for _, code in table), family
        assert {topic for topic, _ in table} <= set(WORDS) | {"aid", "material"}, family
    assert topics_of({"howitzer"}) >= {"arms", "aid", "material"}  # arms given are aid


@pytest.fixture(scope="module")
def nlp():
    return nlp_pipeline()



@pytest.mark.parametrize("text, expected", [
    ("Germany rejected Poland's request for more tanks.", ("DEU", "122", "POL")),
    ("Canada gave Haiti $90 million in budget support.", ("CAN", "071", "HTI")),
    ("The opposition urged the government to amend the constitution.", None),
    ("Egypt asked Qatar to keep mediating.", ("EGY", "028", "QAT")),
])
def test_the_object_and_complement_name_the_kind(nlp, text, expected):
    found = coded(nlp, text)
    if expected is None:  # actors without a country in the sentence: the code alone
        assert any(code == "024" for _, code, _ in found), found
    else:
        assert expected in found, found


def test_actor_words_and_opponents_are_not_topics(nlp):
    # "Myanmar's military" is the target, not a military topic; what a warning is against is not a threat's kind
    assert ("IGOUNO", "090", "MMRMIL") in coded(nlp, "The United Nations opened an investigation into Myanmar's military.")
    assert {c for _, c, _ in coded(nlp, "Britain warned Iran against escalating the war.")} == {"130"}


def test_invitations_stay_requests_to_come(nlp):
    assert {c for _, c, _ in coded(nlp, "Kenya invited Ethiopia and Somalia to peace talks in Nairobi.")} == {"020"}


def test_the_petrarch_convention_keeps_head_codes():
    plain = build_pipeline(codebook=False)
    doc = plain(make_doc(plain, "Germany rejected Poland's request for more tanks.", date(2024, 3, 1)))
    assert {e.cameo for e in doc._.events} == {"120"}
