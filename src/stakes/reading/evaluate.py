"""Scoring event coding against gold records: the PETRARCH validation suite and PLOVER gold records.

PETR validation (``PETR_Validate_records_2_02.xml``): sentences about fictional actors, coded with the
suite's own dictionaries; an event is correct when its CAMEO code, source code and target code all
equal a gold ``EventCoding``. As in UniversalPetrarch's ``validation.py``, records marked
``evaluate="false"`` are skipped, events with a null source or target are not counted, and a record
whose gold is ``noevents`` scores one correct when nothing is coded. No parse is supplied: the text
is parsed by the spaCy pipeline.

PLOVER (``plover_gsr_dev.json``): an event is correct when its PLOVER type equals the record's. The
gold records (PLOVER 0.5b1, 2016) predate the 2021 CAMEO→PLOVER table stakes ships, which renamed or
merged four types; :data:`PLOVER_2016_TO_2021` maps the old names so the two can be compared, and the
raw (unmapped) score is reported beside it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from spacy.language import Language

from stakes.reading.nlp import make_doc

PLOVER_2016_TO_2021 = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT"}


@dataclass(frozen=True)
class GoldRecord:
    id: str
    category: str
    text: str
    date: date | None
    events: tuple[tuple[str, str, str], ...]
    """(CAMEO code, source code, target code); empty for a ``noevents`` record."""


@dataclass
class Score:
    correct: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.correct += other.correct
        self.predicted += other.predicted
        self.gold += other.gold

    def __str__(self) -> str:
        return (f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}  "
                f"(correct {self.correct}, predicted {self.predicted}, gold {self.gold})")


def _attr(attrs: str, name: str) -> str | None:
    match = re.search(rf'\b{name}="([^"]*)"', attrs)
    return match.group(1) if match else None


def read_petr_records(path: str | Path) -> list[GoldRecord]:
    """The evaluable records of a PETRARCH validation file (robust to self-closing tags)."""
    text = Path(path).read_text(encoding="utf-8")
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    records = []
    for attrs, body in re.findall(r"<Sentence\b([^>]*)>(.*?)</Sentence>", text, re.DOTALL):
        if (_attr(attrs, "evaluate") or "true").lower() != "true":
            continue
        sentence = re.search(r"<Text>(.*?)</Text>", body, re.DOTALL)
        if not sentence:
            continue
        events = []
        noevents = False
        for coding in re.findall(r"<EventCoding\b([^>]*)/?>", body):
            if _attr(coding, "noevents"):
                noevents = True
                continue
            code, source, target = (_attr(coding, k) for k in ("eventcode", "sourcecode", "targetcode"))
            if code and source and target:
                events.append((code, source, target))
        if not events and not noevents:
            continue
        raw_date = _attr(attrs, "date")
        when = date(int(raw_date[:4]), int(raw_date[4:6]), int(raw_date[6:8])) if raw_date else None
        records.append(GoldRecord(_attr(attrs, "id") or "", _attr(attrs, "category") or "",
                                  " ".join(sentence.group(1).split()), when, tuple(events)))
    return records


def score_petr(nlp: Language, records: list[GoldRecord]) -> tuple[Score, dict[str, Score]]:
    """Event-level P/R/F1 overall and per category."""
    total = Score()
    by_category: dict[str, Score] = {}
    docs = nlp.pipe(make_doc(nlp, r.text, r.date) for r in records)
    for record, doc in zip(records, docs):
        coded = {(e.cameo, e.source_code, e.target_code) for e in doc._.events
                 if e.source_code and e.target_code}
        score = Score()
        if not record.events:
            score = Score(correct=int(not coded), predicted=max(1, len(coded)), gold=1)
        else:
            score.gold = len(record.events)
            score.predicted = len(coded)
            score.correct = len(coded & set(record.events))
        total.add(score)
        by_category.setdefault(record.category, Score()).add(score)
    return total, by_category


def read_plover_records(path: str | Path) -> list[dict]:
    """PLOVER gold records that have a sentence and an event type."""
    return [r for r in json.loads(Path(path).read_text(encoding="utf-8")) if r.get("text") and r.get("event")
            and r["event"] != "DOCUMENT"]


def score_plover(nlp: Language, records: list[dict], crosswalk: dict[str, str] | None = None
                 ) -> tuple[Score, Score]:
    """(event-type score, event-type + source-country score).

    A record's gold is one event (its type renamed through ``crosswalk`` when given); predictions are
    the sentence's distinct PLOVER types (events with at least a source or a target).
    """
    crosswalk = crosswalk or {}
    by_type = Score()
    with_source = Score()
    docs = nlp.pipe(make_doc(nlp, r["text"], _plover_date(r)) for r in records)
    for record, doc in zip(records, docs):
        events = [e for e in doc._.events if e.plover and (e.source or e.target)]
        types = {e.plover for e in events}
        gold = crosswalk.get(record["event"], record["event"])
        by_type.add(Score(correct=int(gold in types), predicted=len(types), gold=1))
        gold_sources = {s.get("code", "")[:3] for s in record.get("source", []) if s.get("code")}
        pairs = {(e.plover, (e.source_code or "")[:3]) for e in events}
        hit = any(p == gold and c in gold_sources for p, c in pairs)
        with_source.add(Score(correct=int(hit), predicted=len(pairs), gold=1))
    return by_type, with_source


def _plover_date(record: dict) -> date | None:
    try:
        return date.fromisoformat(record.get("date", ""))
    except ValueError:
        return None

