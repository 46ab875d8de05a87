"""What the reading pipeline finds in one article: mentions, actors, quotes, events, stance evidence.

Plain data, independent of spaCy, so the analysis of an article can be stored, compared and turned
into a draft scenario without the parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mention:
    """A stretch of text that refers to an actor: a name, a role phrase, a pronoun or a title.

    ``how`` says how it was resolved: ``gazetteer`` (dictionary name), ``entity`` (a named entity
    not in the gazetteer), ``role`` (a role phrase with its country), ``title`` (a bare title or
    surname attached to a person named earlier) or ``pronoun``.
    """

    start: int
    end: int
    text: str
    sentence: int
    actor: str
    code: str | None
    how: str
    role: str | None = None


@dataclass
class FoundActor:
    """A canonical actor of one article: the mentions it gathers and what is known about it."""

    key: str
    name: str
    kind: str
    country: str | None
    code: str | None
    aliases: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    head_of_government: bool = False
    mentions: int = 0
    sources: list[str] = field(default_factory=list)
    """Why it resolved this way, for ``--explain``: e.g. "gazetteer: BENJAMIN NETANYAHU → ISRGOV"."""


@dataclass(frozen=True)
class Quote:
    """Something an actor said, direct (in quotation marks) or indirect (reported speech)."""

    speaker: str | None
    speaker_text: str
    cue: str
    text: str
    start: int
    end: int
    sentence: int
    direct: bool


@dataclass(frozen=True)
class Event:
    """Who did what to whom: a CAMEO-coded event with its PLOVER category."""

    source: str | None
    target: str | None
    source_code: str | None
    target_code: str | None
    cameo: str
    plover: str | None
    verb: str
    sentence: int
    start: int
    end: int
    pattern: str | None = None


@dataclass(frozen=True)
class StanceEvidence:
    """One sentence that says where an actor stands on an issue.

    ``direction`` is +1 toward the issue's high end, -1 toward its low end; ``weight`` how strongly
    the sentence says so (explicit verb of stance > inherited topic); ``emphasis`` marks emphatic
    wording, which raises salience.
    """

    actor: str
    issue: str
    direction: float
    weight: float
    sentence: int
    start: int
    end: int
    span: str
    cue: str
    emphasis: float = 0.0
    article: str | None = None
    """The id of the article the sentence is in (set when articles are read together)."""


@dataclass
class Analysis:
    """Everything read from one article."""

    article_id: str
    title: str | None
    text: str
    sentences: list[tuple[int, int]]
    actors: dict[str, FoundActor]
    mentions: list[Mention]
    quotes: list[Quote]
    events: list[Event]
    stances: list[StanceEvidence] = field(default_factory=list)
