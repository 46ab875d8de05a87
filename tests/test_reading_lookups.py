"""The reading pipeline's shortcuts give what the plain reading gives: phrase lookups, entities found
from a token's tags, the text joined from the token array, issue words read once."""

from __future__ import annotations

import gc
import re
from pathlib import Path

import pytest

from stakes.reading.actors import _entity_at
from stakes.reading.dictionaries import ActorEntry
from stakes.reading.events import PREPOSITIONS, VerbIndex, _Noun, default_verbs
from stakes.reading.gazetteer import Gazetteer
from stakes.reading.nlp import make_doc, nlp_pipeline
from stakes.reading.stances import StanceReader
from stakes.scenario.model import Issue

TEXT = ("Israeli Prime Minister Benjamin Netanyahu met the United Nations Secretary-General in New York.\n"
        "HEADLINE WITHOUT A STOP\n"
        "The Egyptian and Qatari mediators said Hamas had accepted the proposal on Monday.")


@pytest.fixture(scope="module")
def nlp():
    return nlp_pipeline()


def test_the_longest_phrase_wins_and_of_equal_phrases_the_first_listed():
    gazetteer = Gazetteer.from_entries(
        [ActorEntry(["ARNOR"], [("ARN", 0, 99991231)]),
         ActorEntry(["ARNOR_NORTH_KINGDOM"], [("ARNNOR", 0, 99991231)]),
         ActorEntry(["ARNOR"], [("XXX", 0, 99991231)])],
        {"MINISTER": "~GOV", "MINISTER_OF_DEFENSE": "~MIL", "MINISTER_OF": "~ELI"})
    assert gazetteer.match_actor(["ARNOR", "NORTH", "KINGDOM"], 0)[1].codes[0][0] == "ARNNOR"
    assert gazetteer.match_actor(["ARNOR", "NORTH"], 0)[1].codes[0][0] == "ARN"  # the text ends first
    assert gazetteer.match_actor(["THE", "ARNOR"], 1)[0] == 1
    assert gazetteer.match_actor(["GONDOR"], 0) is None
    assert gazetteer.match_agent(["MINISTER", "OF", "DEFENSE"], 0) == (3, "~MIL")
    assert gazetteer.match_agent(["MINISTER", "OF", "FINANCE"], 0) == (2, "~ELI")
    assert gazetteer.match_agent(["THE", "MINISTER", "OF"], 1) == (2, "~ELI")  # at the end of the text
    assert gazetteer.match_agent(["DEFENSE", "MINISTER"], 1) == (1, "~GOV")
    assert "MINISTER" in gazetteer.agent_words and "DEFENSE" not in gazetteer.agent_words


def test_an_addition_wins_over_an_older_entry_of_the_same_name():
    old = Gazetteer.from_entries([ActorEntry(["ARNOR"], [("ARN", 0, 99991231)])], {"ENVOY": "~GOV"})
    new = old.extended([ActorEntry(["ARNOR"], [("ARNREB", 0, 99991231)])], [], {"ENVOY": "~ELI"})
    assert new.match_actor(["ARNOR"], 0)[1].codes[0][0] == "ARNREB"
    assert new.match_agent(["ENVOY"], 0) == (1, "~ELI")


def test_the_entity_at_a_token_is_the_one_doc_ents_holds(nlp):
    doc = nlp(make_doc(nlp, TEXT))
    assert doc.ents
    for token in doc:
        expected = next((e for e in doc.ents if e.start <= token.i < e.end), None)
        found = _entity_at(doc, token.i)
        assert (found.start, found.end, found.label_) == (expected.start, expected.end, expected.label_) \
            if expected is not None else found is None


def test_line_breaks_end_sentences_and_mentions_keep_their_text(nlp):
    doc = nlp(make_doc(nlp, TEXT))
    starts = {s.start for s in doc.sents}
    assert all(t.i + 1 in starts for t in doc[:-1] if "\n" in t.text)
    for mention in doc._.mentions:
        assert TEXT[mention.start:mention.end] == mention.text
        assert doc[doc.char_span(mention.start, mention.end).start].sent.start \
            == list(doc.sents)[mention.sentence].start


def test_a_word_of_several_issues_weighs_less_on_each(nlp):
    ceasefire = Issue("ceasefire", "Ceasefire in Gaza", "No ceasefire", "Permanent ceasefire", (0.0, 100.0),
                      "Whether the fighting in Gaza stops.")
    aid = Issue("aid", "Aid to Gaza", "No aid", "Full aid", (0.0, 100.0), "Trucks of food crossing into Gaza.")
    alone, both = StanceReader(nlp, [aid]), StanceReader(nlp, [ceasefire, aid])
    assert alone.profiles[0].topic["gaza"] == 2 * both.profiles[1].topic["gaza"]
    assert both.profiles[1].topic["truck"] == alone.profiles[0].topic["truck"]
    assert both.profiles[0].orientation == -1.0  # the high end, a permanent ceasefire, de-escalates


def test_the_default_pipeline_is_kept_out_of_the_collectors_generations():
    nlp_pipeline()
    assert gc.get_freeze_count() > 100_000  # the model, dictionaries and tables: never walked again


def test_a_pattern_items_heads_cover_every_noun_it_matches():
    # words of real sentences, none of them taken from the patterns themselves
    text = (Path(__file__).parent / "data" / "gold" / "news_events.yaml").read_text(encoding="utf-8")
    words = sorted({w.upper() for w in re.findall(r"[A-Za-z]+", text)})
    index = VerbIndex(default_verbs())
    assert {"AID", "AIDS", "ASSISTANCE"} <= index.heads_of("AID/ASSISTANCE")
    items = [i for block in default_verbs().blocks for p in block.patterns for i in p.post
             if not (isinstance(i, str) and i in PREPOSITIONS)][::40]
    for item in items:
        heads = index.heads_of(item)
        others = [_Noun(frozenset({w}), frozenset()) for w in words if w not in heads]
        assert not index.item_matches(item, others), item
