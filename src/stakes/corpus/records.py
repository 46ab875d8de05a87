"""What the reading pipeline finds in one article, in the form the corpus stores.

Offsets (``start``, ``end``) are character positions in ``Article.text``, ``end`` exclusive, so
``article.text[start:end]`` is the span. Actor and issue ids are the scenario's ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Mention:
    """A place where an actor is named (or referred to) in the text."""

    actor_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Quote:
    """Words attributed to a speaker; ``cue`` is the reporting verb ("said", "warned")."""

    speaker_id: str | None
    text: str
    start: int
    end: int
    cue: str | None = None


@dataclass(frozen=True)
class Event:
    """Who did what to whom, coded in CAMEO and PLOVER, from one sentence (``start``–``end``).

    ``date`` is when it happened when the text says so; None means the article's publication date.
    """

    source_id: str | None
    target_id: str | None
    cameo: str | None
    plover: str | None
    start: int
    end: int
    text: str
    date: date | None = None


@dataclass(frozen=True)
class StanceEvidence:
    """An actor's position on an issue (on the issue's scale) read from one sentence of evidence."""

    actor_id: str
    issue_id: str
    position: float
    confidence: float
    start: int
    end: int


@dataclass(frozen=True)
class Analysis:
    """Everything found in one article. Sequences may be given as lists; they are kept as tuples."""

    mentions: tuple[Mention, ...] = ()
    quotes: tuple[Quote, ...] = ()
    events: tuple[Event, ...] = ()
    stances: tuple[StanceEvidence, ...] = ()

    def __post_init__(self) -> None:
        for name in ("mentions", "quotes", "events", "stances"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def spans(self) -> list[tuple[str, int, int]]:
        """``(kind, start, end)`` of every record, for checking them against the article text."""
        return ([("mention", m.start, m.end) for m in self.mentions]
                + [("quote", q.start, q.end) for q in self.quotes]
                + [("event", e.start, e.end) for e in self.events]
                + [("stance", s.start, s.end) for s in self.stances])
