"""The corpus tables: articles, and the mentions, quotes, events and stances found in them.

Every analysis row belongs to one article (deleted with it); offsets are character positions in
the article's text. The schema is plain SQL (SQLite or PostgreSQL) so other tools can read it.
These classes describe the newest schema; databases reach it through the migrations in
``migrations/versions`` (:mod:`stakes.corpus.migrate`), which must agree with them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

RowId = BigInteger().with_variant(Integer, "sqlite")
"""64-bit surrogate keys; SQLite needs INTEGER for its rowid auto-increment."""


class Base(DeclarativeBase):
    pass


class ArticleRow(Base):
    """One article, stored once: ``id`` is the content hash of its text (``Article.id``)."""

    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[date | None] = mapped_column(Date, index=True)
    publisher: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    analysed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the analysis rows were stored; NULL while the article has none."""


def _article_fk() -> Mapped[str]:
    return mapped_column(String(32), ForeignKey("articles.id", ondelete="CASCADE"), index=True)


class MentionRow(Base):
    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = _article_fk()
    actor_id: Mapped[str] = mapped_column(String(200), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class QuoteRow(Base):
    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = _article_fk()
    speaker_id: Mapped[str | None] = mapped_column(String(200), index=True)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    cue: Mapped[str | None] = mapped_column(String(100))


class EventRow(Base):
    """An event; ``date`` is the event's own date, else the article's publication date."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_source_target", "source_id", "target_id"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = _article_fk()
    date: Mapped[date | None] = mapped_column(Date, index=True)
    source_id: Mapped[str | None] = mapped_column(String(200), index=True)
    target_id: Mapped[str | None] = mapped_column(String(200), index=True)
    cameo: Mapped[str | None] = mapped_column(String(10))
    plover: Mapped[str | None] = mapped_column(String(40))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class StanceRow(Base):
    """A stance reading; ``evidence`` is the sentence ``text[start:end]``, kept for display."""

    __tablename__ = "stances"
    __table_args__ = (Index("ix_stances_actor_issue", "actor_id", "issue_id"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = _article_fk()
    actor_id: Mapped[str] = mapped_column(String(200))
    issue_id: Mapped[str] = mapped_column(String(200))
    position: Mapped[float] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(Text)


class ScenarioRow(Base):
    """A scenario kept in the store (the web app edits these): its current text and version.

    ``content`` is the canonical YAML; ``whatifs`` the YAML list of its what-ifs. ``version`` grows by
    one with every saved change, so a writer that read version N can tell if someone saved since.
    The summary (``actor_count``, ``issue_count``, ``as_of``, ``size``) lets a listing skip the text;
    ``digest`` (SHA-256 of ``content``) keys the cache of read scenarios. A scenario in the trash has
    ``deleted_at`` set; it keeps its history until the trash is emptied.
    """

    __tablename__ = "scenarios"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    whatifs: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(200))
    actor_count: Mapped[int] = mapped_column(Integer, server_default="0")
    issue_count: Mapped[int] = mapped_column(Integer, server_default="0")
    as_of: Mapped[date | None] = mapped_column(Date)
    size: Mapped[int] = mapped_column(Integer, server_default="0")
    digest: Mapped[str] = mapped_column(String(64), server_default="")
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_by: Mapped[str | None] = mapped_column(String(200))


class RevisionRow(Base):
    """One saved version of a scenario: who, when, a summary, the changes made, and the full text."""

    __tablename__ = "scenario_revisions"
    __table_args__ = (UniqueConstraint("scenario_id", "version"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    scenario_id: Mapped[str] = mapped_column(String(100), ForeignKey("scenarios.id", ondelete="CASCADE"),
                                             index=True)
    version: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    summary: Mapped[str] = mapped_column(Text)
    changes: Mapped[list[str]] = mapped_column(JSON, default=list)
    content: Mapped[str] = mapped_column(Text)
    whatifs: Mapped[str] = mapped_column(Text, default="[]")


class SourceArticleRow(Base):
    """The stored article a scenario's source stands for, so its numbers link to sentences."""

    __tablename__ = "source_articles"

    scenario_id: Mapped[str] = mapped_column(String(100), ForeignKey("scenarios.id", ondelete="CASCADE"),
                                             primary_key=True)
    source_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    article_id: Mapped[str] = mapped_column(String(32), ForeignKey("articles.id", ondelete="CASCADE"))


class TokenRow(Base):
    """An API token of the web app: its holder's name, the SHA-256 of the token (never the token), and
    when it stops working (NULL: never)."""

    __tablename__ = "api_tokens"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class JobRow(Base):
    """A run of the web app that costs more than a request should (Monte Carlo, sensitivity, large
    forecasts): its parameters, who asked, its state and progress, then a result or an error.

    ``state`` goes ``queued`` → ``running`` → ``done`` | ``failed`` | ``cancelled``; ``worker`` names
    the server process that claimed it, which refreshes ``heartbeat_at`` while it runs, so another
    process can tell a running job from one whose server died.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_created", "state", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(12))
    owner: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    done: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    time_limit: Mapped[float] = mapped_column(Float)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    failure: Mapped[str | None] = mapped_column(String(20))
    """Why a job failed, for programs: invalid, internal, time limit, memory, interrupted."""
    worker: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


TABLES = {row.__tablename__: row.__table__ for row in (ArticleRow, MentionRow, QuoteRow, EventRow, StanceRow)}
"""Every corpus table by name, articles first (the order to create and export them). The scenario
tables and the jobs share the database but are not part of the corpus export."""
