"""Evaluation: the dev/test split, the PETRARCH validation reader's variants and errors, the news gold."""

from __future__ import annotations

from datetime import date

import pytest

pytest.importorskip("spacy")

from stakes.reading.evaluate import (
    GoldError,
    code_news_events,
    read_news_gold,
    read_petr_records,
    read_second_coding,
    score_coding,
    split,
    split_of,
)
from stakes.reading.nlp import nlp_pipeline
from tests.conftest import DATA

RECORDS = """<?xml version='1.0' encoding='utf-8'?>
<Validation><Sentences>
<!-- <Sentence ... evaluate="false"> in a comment is not a record -->
<Sentence category="DEMO" date="080815" id="DEMO-01" evaluate="true"/>
<EventCoding eventcode="050" sourcecode="ARN" targetcode="GON" />
<Text>
Arnor restored ties with Gondor.
</Text>
<Sentence category="DEMO" date="19950101" id="DEMO-02" evaluate="true">
<EventCoding noevents="True" />
<Text>Nothing happened.</Text>
<Parse>
1	Nothing	nothing	PRON	NN	_	2	nsubj	_	_
</Parse></Sentence>
<Sentence category="DEMO" date="19950101" id="DEMO-03" evaluate="false">
<EventCoding eventcode="050" sourcecode="ARN" targetcode="GON" />
<Text>Skipped.</Text>
</Sentence>
</Sentences></Validation>
"""


def test_split_is_a_stable_hash_of_the_id():
    ids = [f"rec-{k}" for k in range(200)]
    parts = [split_of(i) for i in ids]
    assert parts == [split_of(i) for i in ids]
    assert 70 < parts.count("test") < 130
    assert split([*ids, *ids], key=str) == {"dev": [i for i in ids * 2 if split_of(i) == "dev"],
                                            "test": [i for i in ids * 2 if split_of(i) == "test"]}


def test_petr_reader_accepts_the_format_variants(tmp_path):
    path = tmp_path / "records.xml"
    path.write_text(RECORDS, encoding="utf-8")
    records = read_petr_records(path)
    assert [r.id for r in records] == ["DEMO-01", "DEMO-02"]
    first, second = records
    assert first.date == date(2008, 8, 15)  # six-digit date, self-closing <Sentence/>, no parse
    assert first.text == "Arnor restored ties with Gondor." and first.events == (("050", "ARN", "GON"),)
    assert second.events == () and second.date == date(1995, 1, 1)


@pytest.mark.parametrize("broken, message", [
    ('date="080815"', 'date="2008-13"'),
    ("<Text>\nArnor restored ties with Gondor.\n</Text>", ""),
    ('eventcode="050" sourcecode', 'sourcecode'),
])
def test_petr_reader_names_the_line_and_the_fix(tmp_path, broken, message):
    path = tmp_path / "records.xml"
    path.write_text(RECORDS.replace(broken, message, 1), encoding="utf-8")
    with pytest.raises(GoldError) as error:
        read_petr_records(path)
    text = str(error.value)
    assert f"{path}:" in text and "fix:" in text and "\n" not in text
    assert text.split(":")[1].strip().isdigit()


def test_news_gold_is_readable_and_split():
    for name in ("news_events.yaml", "news_quotes.yaml"):
        records = read_news_gold(DATA / "gold" / name)
        parts = split(records)
        assert len(parts["dev"]) >= 15 and len(parts["test"]) >= 15
        assert len({r.id for r in records}) == len(records)
        styles = {r.style for r in parts["test"]}
        assert {"wire", "broadsheet", "opinion", "transcript"} <= styles


def test_news_event_gold_covers_cameo_and_the_patterns_in_both_parts():
    """Both parts hold every CAMEO root, every event pattern and sentences with no codable event, and
    every gold event is well formed (actor codes of letters, a CAMEO code of 3-4 digits, root 01-20)."""
    records = read_news_gold(DATA / "gold" / "news_events.yaml")
    roots = {f"{k:02d}" for k in range(1, 21)}
    for part in split(records).values():
        events = [e for r in part for e in r.events]
        assert all(s.isalpha() and t.isalpha() and s.isupper() and t.isupper() for s, _, t in events)
        assert all(c.isdigit() and len(c) in (3, 4) and c[:2] in roots for _, c, _ in events)
        assert {c[:2] for _, c, _ in events} == roots
        assert {p for r in part for p in r.pattern} == {f"e{k}" for k in range(1, 8)}
        assert sum(not r.events for r in part) >= 5


def test_news_quote_gold_lists_quotes_in_text_order_and_has_non_speech_passages():
    """The scorer finds each gold quote after the previous one, so a record must list them in order;
    both parts hold passages whose quotation marks are not speech."""
    records = read_news_gold(DATA / "gold" / "news_quotes.yaml")
    for record in records:
        cursor = 0
        for text, _ in record.quotes:
            start = record.text.find(text, cursor)
            assert start >= 0, record.id
            cursor = start + 1
    for part in split(records).values():
        assert any(not r.quotes for r in part)
        assert {p for r in part for p in r.pattern} == {"q1", "q2", "q3", "q4"}


def test_news_gold_rejects_a_quote_not_in_the_text(tmp_path):
    path = tmp_path / "gold.yaml"
    path.write_text("records:\n- {id: a, text: 'He said \"yes.\"', quotes: [{text: 'no.', speaker: He}]}\n")
    with pytest.raises(GoldError, match="not in the text"):
        read_news_gold(path)


def test_second_coding_covers_both_parts_and_scores_agreement(tmp_path):
    """The second coder's records are gold records of both parts; agreement counts the events both
    coders gave, on actor codes' first six characters and the code's first three digits."""
    records = read_news_gold(DATA / "gold" / "news_events.yaml")
    second = read_second_coding(DATA / "gold" / "news_events_second_coder.yaml", records)
    assert all(len(ids) >= 50 for ids in split(list(second), key=lambda i: i).values())
    path = tmp_path / "gold.yaml"
    path.write_text("records:\n- {id: a, text: 'A met B.', events: ['ARNGOV 040 GON', 'GON 040 ARN']}\n"
                    "- {id: b, text: 'Nothing.', events: []}\n- {id: c, text: 'C left.', events: ['CCC 190 DDD']}\n")
    gold = read_news_gold(path)
    other = tmp_path / "second.yaml"
    other.write_text("records:\n- {id: a, events: ['ARNGOVX 0401 GON', 'GON 036 ARN']}\n"
                     "- {id: b, events: ['ARN 010 GON']}\n")
    score = score_coding(gold, read_second_coding(other, gold))  # record c was not coded twice
    assert (score.correct, score.predicted, score.gold) == (1, 3, 2)
    other.write_text("records:\n- {id: z, events: []}\n")
    with pytest.raises(GoldError, match="z is not in the gold file"):
        read_second_coding(other, gold)


def test_the_pipelines_coding_is_scored_against_the_gold_or_a_second_coder(tmp_path):
    path = tmp_path / "gold.yaml"
    path.write_text("records:\n- {id: a, date: 2024-01-09, text: 'Turkey expelled the Swedish ambassador.',"
                    " events: ['TUR 174 SWEGOV']}\n- {id: b, date: 2024-01-09, text: 'Nothing happened.', events: []}\n")
    gold = read_news_gold(path)
    coded = code_news_events(nlp_pipeline(), gold)
    assert coded == {"a": (("TUR", "174", "SWEGOV"),), "b": ()}
    score = score_coding(gold, coded)
    assert (score.correct, score.predicted, score.gold) == (1, 1, 1)
    against = score_coding(gold, coded, {"a": (("TUR", "161", "SWEGOV"),)})  # only record a coded twice
    assert (against.correct, against.predicted, against.gold) == (0, 1, 1)
