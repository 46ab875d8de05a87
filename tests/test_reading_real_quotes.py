"""The real-news quote gold: offsets into article text kept outside the repository, checked by hash."""

from __future__ import annotations

import hashlib
import json

import pytest

pytest.importorskip("spacy")

from stakes.reading.evaluate import GoldError, NewsRecord, read_real_news_quotes, split
from tests.conftest import DATA, shared_path

GOLD = DATA / "gold" / "real_news_quotes.yaml"
BODY = 'Talks stalled. "No deal," the minister said. Her rival called it "a farce."\n"We will wait," he said.'


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _write(tmp_path, body: str = BODY, sha: str | None = None, quotes: str = "[[16, 24, minister], [66, 74, rival]]"):
    truth = tmp_path / "ground-truth.json"
    truth.write_text(json.dumps({"a1": {"articleBody": body, "url": "https://example.org/a1"}}), encoding="utf-8")
    gold = tmp_path / "gold.yaml"
    gold.write_text(f"articles:\n- id: a1\n  sha256: {sha or _sha(body)}\n  quotes: {quotes}\n", encoding="utf-8")
    return gold, truth


def test_reader_takes_the_text_from_the_ground_truth_and_the_quotes_from_offsets(tmp_path):
    gold, truth = _write(tmp_path, quotes="[[77, 90, rival], [16, 24, minister], [66, 74, rival]]")
    [record] = read_real_news_quotes(gold, truth)
    assert isinstance(record, NewsRecord)
    assert record.id == "a1" and record.text == BODY and record.style == "real"
    assert record.quotes == (("No deal,", "minister"), ("a farce.", "rival"), ("We will wait,", "rival"))


@pytest.mark.parametrize("body, sha, quotes, expected", [
    (BODY.replace("No deal", "No pact"), _sha(BODY), "[[16, 24, minister]]", "sha256"),
    (BODY, None, "[[16, 400, minister]]", "outside"),
    ('"Yes," she said. Later: "Yes," she said again.', None, "[[25, 29, x]]", "earlier"),
])
def test_reader_names_the_file_and_the_article_when_the_gold_does_not_fit(tmp_path, body, sha, quotes, expected):
    gold, truth = _write(tmp_path, body, sha, quotes)
    with pytest.raises(GoldError) as error:
        read_real_news_quotes(gold, truth)
    message = str(error.value)
    assert f"{gold}: article a1" in message and expected in message and "fix:" in message and "\n" not in message


def test_reader_names_an_article_missing_from_the_ground_truth(tmp_path):
    gold, truth = _write(tmp_path)
    truth.write_text(json.dumps({"other": {"articleBody": BODY}}), encoding="utf-8")
    with pytest.raises(GoldError, match=f"article a1 is not in {truth}"):
        read_real_news_quotes(gold, truth)


def test_real_news_gold_loads_and_every_quote_sits_between_quotation_marks():
    records = read_real_news_quotes(GOLD, shared_path("data", "html", "ground-truth.json"))
    parts = split(records)
    assert len(records) >= 40 and sum(len(r.quotes) for r in records) >= 300
    assert all(parts[p] and sum(len(r.quotes) for r in parts[p]) >= 100 for p in parts)
    for record in records:
        cursor = 0
        for text, _speaker in record.quotes:
            start = record.text.find(text, cursor)
            end = start + len(text)
            cursor = start + 1
            assert record.text[start - 1] in '"“', (record.id, text)
            assert end == len(record.text) or record.text[end] in '"”’\n', (record.id, text)
