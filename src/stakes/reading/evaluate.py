"""Scoring the reading pipeline against gold data, always on a development part and a test part.

Every gold set is split in two by :func:`split_of`, a hash of each record's id: tuning looks at the
development part only, and the benchmark reports both parts and the gap between them, so a change
that fits the development records without generalising shows up as a gap.

Gold sets:

- PETRARCH validation (``PETR_Validate_records_2_02.xml``): sentences about fictional actors, coded
  with the suite's own dictionaries; an event is correct when its CAMEO code, source code and target
  code all equal a gold ``EventCoding``. As in UniversalPetrarch's ``validation.py``, records marked
  ``evaluate="false"`` are skipped, events with a null source or target are not counted, and a record
  whose gold is ``noevents`` scores one correct when nothing is coded. The text is parsed by spaCy.
- PLOVER (``plover_gsr_dev.json``): an event is correct when its PLOVER type equals the record's. The
  gold records (PLOVER 0.5b1, 2016) predate the 2021 CAMEO→PLOVER table stakes ships, which renamed or
  merged four types; :data:`PLOVER_2016_TO_2021` maps the old names.
- News written for the project (``tests/data/gold/news_events.yaml`` and ``news_quotes.yaml``):
  invented wire, broadsheet, opinion and transcript text with gold CAMEO events (actor codes compared
  on their first six characters, CAMEO codes on their first three digits) and gold direct quotes (a
  quote is found when its characters overlap the gold span by half of their union; its speaker is right
  when the speaker phrase or the resolved actor's name contains the gold speaker). A second coder coded
  160 of the event sentences blind (``news_events_second_coder.yaml``): :func:`score_coding` says how
  far two coders agree, the ceiling to read the event coder's figures against.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from spacy.language import Language

from stakes.errors import StakesError
from stakes.reading.nlp import make_doc

PLOVER_2016_TO_2021 = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT"}
PARTS = ("dev", "test")


class GoldError(StakesError):
    """A gold record that cannot be read: the message names the file, the line, what and the fix."""


def split_of(record_id: str) -> str:
    """``"dev"`` or ``"test"``: the part a gold record belongs to, by the first byte of the SHA-256 of
    its id (even → dev, odd → test). Stable across runs, machines and record order."""
    return "test" if hashlib.sha256(record_id.encode("utf-8")).digest()[0] % 2 else "dev"


def split(records: list, key=lambda r: r.id) -> dict[str, list]:
    """The records by part: ``{"dev": [...], "test": [...]}``."""
    parts: dict[str, list] = {p: [] for p in PARTS}
    for record in records:
        parts[split_of(key(record))].append(record)
    return parts


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


# -- PETRARCH validation records -------------------------------------------------------------------

_OPEN = re.compile(r"<Sentence\b([^>]*?)(/?)>")


def _attr(attrs: str, name: str) -> str | None:
    match = re.search(rf'\b{name}\s*=\s*"([^"]*)"', attrs)
    return match.group(1) if match else None


def petr_date(raw: str) -> date:
    """A validation record's date: ``YYYYMMDD`` or the older six-digit ``YYMMDD`` (years before 50 are
    20xx). Raises ``ValueError`` for anything else."""
    if not raw.isdigit() or len(raw) not in (6, 8):
        raise ValueError(raw)
    if len(raw) == 6:
        year = int(raw[:2])
        raw = f"{2000 + year if year < 50 else 1900 + year}{raw[2:]}"
    return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))


def read_petr_records(path: str | Path) -> list[GoldRecord]:
    """The evaluable records of a PETRARCH validation file.

    Accepts the format's variants: ``<Sentence …/>`` written self-closing with its ``<Text>`` and
    codings following it (the record then runs to the next ``<Sentence``), six-digit dates, records
    with or without a ``<Parse>``. A record it cannot read raises :class:`GoldError` naming the line.
    """
    path = Path(path)
    raw = path.read_text(encoding="utf-8")
    text = re.sub(r"<!--.*?-->", lambda m: re.sub(r"[^\n]", " ", m.group(0)), raw, flags=re.DOTALL)
    opens = list(_OPEN.finditer(text))
    records = []
    for k, match in enumerate(opens):
        line = text.count("\n", 0, match.start()) + 1
        where = f"{path}:{line}"
        stop = opens[k + 1].start() if k + 1 < len(opens) else len(text)
        close = text.find("</Sentence>", match.end(), stop)
        body = text[match.end():close if close >= 0 else stop]
        attrs = match.group(1)
        if (_attr(attrs, "evaluate") or "true").lower() != "true":
            continue
        record_id = _attr(attrs, "id")
        if not record_id:
            raise GoldError(f"{where}: <Sentence> has no id attribute; fix: add id=\"CATEGORY-NN\"")
        sentence = re.search(r"<Text>(.*?)</Text>", body, re.DOTALL)
        if not sentence or not sentence.group(1).strip():
            raise GoldError(f"{where}: record {record_id} has no <Text>…</Text>; fix: add the sentence or "
                            f"mark the record evaluate=\"false\"")
        events = []
        noevents = False
        for coding in re.finditer(r"<EventCoding\b([^>]*?)/?>", body):
            if _attr(coding.group(1), "noevents"):
                noevents = True
                continue
            if _attr(coding.group(1), "error"):
                continue  # a record testing the coder's error detection: no event to score
            code, source, target = (_attr(coding.group(1), k) for k in ("eventcode", "sourcecode", "targetcode"))
            if not code:
                coding_line = text.count("\n", 0, match.end() + coding.start()) + 1
                raise GoldError(f"{path}:{coding_line}: <EventCoding> of record {record_id} has no eventcode; "
                                f"fix: add eventcode=\"NNN\" or write noevents=\"True\"")
            if source and target:
                events.append((code, source, target))
        if not events and not noevents:
            continue
        raw_date = _attr(attrs, "date")
        try:
            when = petr_date(raw_date) if raw_date else None
        except ValueError:
            raise GoldError(f"{where}: record {record_id} has date={raw_date!r}; fix: write YYYYMMDD "
                            f"(or YYMMDD)") from None
        records.append(GoldRecord(record_id, _attr(attrs, "category") or "", " ".join(sentence.group(1).split()),
                                  when, tuple(events)))
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


# -- PLOVER gold records ----------------------------------------------------------------------------

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
    docs = nlp.pipe(make_doc(nlp, r["text"], plover_date(r)) for r in records)
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


def plover_date(record: dict) -> date | None:
    """A PLOVER record's date, or None when it has none or it is not ISO."""
    try:
        return date.fromisoformat(record.get("date", ""))
    except ValueError:
        return None


# -- the project's own news gold --------------------------------------------------------------------

@dataclass(frozen=True)
class NewsRecord:
    """A hand-written news passage with its gold events and direct quotes."""

    id: str
    style: str
    text: str
    date: date | None
    events: tuple[tuple[str, str, str], ...] = ()
    """(source code, CAMEO code, target code)."""
    quotes: tuple[tuple[str, str], ...] = ()
    """(quoted text exactly as between the marks, speaker name)."""
    pattern: tuple[str, ...] = ()


def read_news_gold(path: str | Path) -> list[NewsRecord]:
    """Records of a news gold file (``records:`` list of id, style, date, text, events, quotes)."""
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    records = []
    for k, item in enumerate(data["records"]):
        events = _events(path, item, k)
        quotes = []
        for quote in item.get("quotes", []):
            if quote["text"] not in item["text"]:
                raise GoldError(f"{path}: record {item['id']}: quote {quote['text'][:40]!r} is not in the text; "
                                f"fix: copy it exactly as between the quotation marks")
            quotes.append((quote["text"], quote["speaker"]))
        pattern = item.get("pattern") or ()
        when = item.get("date")
        records.append(NewsRecord(item["id"], item.get("style", ""), item["text"],
                                  when if isinstance(when, date) else None, tuple(events), tuple(quotes),
                                  (pattern,) if isinstance(pattern, str) else tuple(pattern)))
    return records


Coding = dict[str, tuple[tuple[str, str, str], ...]]
"""Events by record id, each (source code, CAMEO code, target code): a coder's, a person's or the pipeline's."""


def _events(path: Path, item: dict, k: int) -> list[tuple[str, str, str]]:
    events = []
    for event in item.get("events", []):
        parts = str(event).split()
        if len(parts) != 3:
            raise GoldError(f"{path}: record {item.get('id', k)}: event {event!r} is not 'SOURCE CODE TARGET'; "
                            f"fix: write three codes separated by spaces")
        events.append((parts[0], parts[1], parts[2]))
    return events


def read_second_coding(path: str | Path, records: list[NewsRecord]) -> Coding:
    """A second coder's events for some of ``records`` (``records:`` list of id and events), by id."""
    path = Path(path)
    known = {r.id for r in records}
    coding = {}
    for k, item in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))["records"]):
        if item.get("id") not in known:
            raise GoldError(f"{path}: record {item.get('id', k)} is not in the gold file; "
                            f"fix: use the id of a record of news_events.yaml")
        coding[item["id"]] = tuple(_events(path, item, k))
    return coding


def event_key(source: str, cameo: str, target: str) -> tuple[str, str, str]:
    """How news gold events are compared: actors on country + first role, CAMEO on its base code."""
    return source[:6], cameo[:3], target[:6]


def code_news_events(nlp: Language, records: list[NewsRecord]) -> Coding:
    """What the pipeline codes for each record (events with both a source and a target code), coded once
    so that every score of the same records reuses it."""
    docs = nlp.pipe(make_doc(nlp, r.text, r.date) for r in records)
    return {record.id: tuple(sorted({event_key(e.source_code, e.cameo, e.target_code) for e in doc._.events
                                     if e.source_code and e.target_code}))
            for record, doc in zip(records, docs)}


def score_coding(records: list[NewsRecord], coded: Coding, reference: Coding | None = None) -> Score:
    """Event P/R/F1 of ``coded`` on the records it holds, against their gold or against ``reference``
    (a second coder's events) on the records both hold. With the second coder's events as ``coded``, it
    says how far two coders agree: the ceiling to read the pipeline's figures against."""
    total = Score()
    for record in records:
        if record.id not in coded or (reference is not None and record.id not in reference):
            continue
        found = {event_key(*e) for e in coded[record.id]}
        gold = {event_key(*e) for e in (record.events if reference is None else reference[record.id])}
        total.add(Score(len(found & gold), len(found), len(gold)))
    return total


@dataclass
class QuoteScore:
    """Direct quotes found (P/R/F1) and, among those found, the share with the right speaker."""

    found: Score
    right_speaker: int = 0

    @property
    def speaker_accuracy(self) -> float:
        return self.right_speaker / self.found.correct if self.found.correct else 0.0

    def __str__(self) -> str:
        return (f"{self.found}  speaker accuracy {self.speaker_accuracy:.3f} "
                f"({self.right_speaker}/{self.found.correct})")


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def score_news_quotes(nlp: Language, records: list[NewsRecord]) -> QuoteScore:
    """Direct-quote P/R/F1 and speaker accuracy on news gold."""
    result = QuoteScore(Score())
    docs = nlp.pipe(make_doc(nlp, r.text, r.date) for r in records)
    for record, doc in zip(records, docs):
        gold, cursor = [], 0
        for text, speaker in record.quotes:
            start = record.text.find(text, cursor)
            gold.append(((start, start + len(text)), speaker.lower()))
            cursor = start + 1
        found = [q for q in doc._.quotes if q.direct]
        result.found.predicted += len(found)
        result.found.gold += len(gold)
        unused = list(found)
        for span, speaker in gold:
            match = max(unused, key=lambda q: _overlap(span, (q.start, q.end)), default=None)
            if match is None or _overlap(span, (match.start, match.end)) < 0.5:
                continue
            unused.remove(match)
            result.found.correct += 1
            actor = doc._.actors.get(match.speaker) if match.speaker else None
            names = [match.speaker_text] + ([actor.name, *actor.aliases] if actor else [])
            result.right_speaker += any(speaker in name.lower() for name in names)
    return result


# -- real news articles: direct quotes as offsets into text kept outside the repository -------------
#
# ``tests/data/gold/real_news_quotes.yaml`` annotates direct quotes in real news pages of the
# article-extraction benchmark. The articles are third-party text, so the gold file holds only each
# article's id, the SHA-256 of its ``articleBody`` and ``[start, end, speaker]`` offsets; the text is
# read from the benchmark's ``ground-truth.json`` and checked against the hash before any offset is
# used. The records are :class:`NewsRecord` objects, scored by :func:`score_news_quotes` unchanged.


def read_real_news_quotes(gold_path: str | Path, ground_truth_path: str | Path) -> list[NewsRecord]:
    """News records (style ``"real"``) with the article text from ``ground_truth_path`` and the direct
    quotes of ``gold_path``, in text order.

    Raises :class:`GoldError` naming the file and the article when an article is missing from the
    ground truth, its text does not have the recorded SHA-256 (another copy of the benchmark), or a
    quote's offsets do not fit the text.
    """
    gold_path, ground_truth_path = Path(gold_path), Path(ground_truth_path)
    truth = json.loads(ground_truth_path.read_text(encoding="utf-8"))
    data = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
    records = []
    for item in data["articles"]:
        where = f"{gold_path}: article {item['id']}"
        if item["id"] not in truth:
            raise GoldError(f"{where} is not in {ground_truth_path}; fix: point to the benchmark's "
                            f"ground-truth.json the gold was made from")
        text = truth[item["id"]]["articleBody"]
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest != item["sha256"]:
            raise GoldError(f"{where}: its articleBody in {ground_truth_path} has sha256 {digest[:12]}…, "
                            f"the gold was made from {item['sha256'][:12]}…; fix: use the ground-truth.json "
                            f"the gold was made from, or re-annotate with benchmarks/annotate_quotes.py")
        quotes, cursor = [], 0
        for start, end, speaker in sorted(item.get("quotes") or []):
            if not 0 <= start < end <= len(text):
                raise GoldError(f"{where}: quote [{start}, {end}] is outside its {len(text)} characters; "
                                f"fix: re-annotate with benchmarks/annotate_quotes.py")
            quote = text[start:end]
            if text.find(quote, cursor) != start:
                raise GoldError(f"{where}: quote [{start}, {end}] {quote[:30]!r} also occurs earlier, so "
                                f"scoring would place it there; fix: annotate that earlier occurrence too")
            quotes.append((quote, str(speaker)))
            cursor = start + 1
        records.append(NewsRecord(item["id"], "real", text, None, quotes=tuple(quotes)))
    return records


def missed_quotes(record: NewsRecord, found: list[tuple[int, int]]) -> list[tuple[int, str, str]]:
    """``(start, text, speaker)`` of the record's gold quotes that no found span overlaps by half of
    their union (the match rule of :func:`score_news_quotes`), for listing development misses."""
    missed, cursor = [], 0
    for text, speaker in record.quotes:
        start = record.text.find(text, cursor)
        cursor = start + 1
        if not any(_overlap((start, start + len(text)), span) >= 0.5 for span in found):
            missed.append((start, text, speaker))
    return missed
