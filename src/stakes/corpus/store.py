"""The corpus: many articles over time and what was found in them, in SQLite or PostgreSQL.

Each article is written in its own transaction together with its analysis, so a crash mid-batch
loses nothing already committed, and an article is stored once however often it is added (its id
is its content hash; the insert ignores an id already present, which is safe with concurrent
writers). Queries return pandas DataFrames.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal

import pandas as pd
from sqlalchemy import Connection, Engine, Table, create_engine, event, func, inspect, or_, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from stakes.corpus.records import Analysis
from stakes.corpus import migrate
from stakes.corpus.schema import TABLES, ArticleRow, EventRow, MentionRow, QuoteRow, StanceRow
from stakes.errors import StakesError
from stakes.files import check_output, make_folder, write_atomic
from stakes.reading.article import Article

DEFAULT_PATH = "stakes-corpus.sqlite"
"""The corpus file used when neither a URL nor ``$STAKES_CORPUS`` is given (in the working folder)."""

Status = Literal["added", "analysed", "present"]
"""What storing one article did: stored it new; stored an analysis for an article already there
without one; or nothing, as the article (and any analysis) was already stored."""


class CorpusError(StakesError):
    """The corpus cannot be opened, or a record handed to it is inconsistent."""


@dataclass
class AddResult:
    """How many articles an :meth:`Corpus.add` stored, newly analysed, or found already stored."""

    added: int = 0
    analysed: int = 0
    present: int = 0

    def count(self, status: Status) -> None:
        setattr(self, status, getattr(self, status) + 1)


def database_url(url: str | os.PathLike[str] | None = None) -> str:
    """The SQLAlchemy URL for a corpus: a URL as given, a file path as SQLite, nothing as
    ``$STAKES_CORPUS`` or ``./stakes-corpus.sqlite``; PostgreSQL URLs use the psycopg (v3) driver."""
    text = os.fspath(url) if url is not None else os.environ.get("STAKES_CORPUS") or DEFAULT_PATH
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser()}"
    scheme, rest = text.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return text


class Corpus:
    """A corpus database. Open with :meth:`open`; use as a context manager to close it."""

    def __init__(self, engine: Engine, migrated: migrate.Upgrade | None = None):
        self.engine = engine
        self.migrated = migrated
        """The schema revision found on opening and the one it was brought to."""

    @classmethod
    def open(cls, url: str | os.PathLike[str] | None = None, create: bool = True) -> Corpus:
        """Open the corpus at ``url`` (see :func:`database_url`), creating its tables where missing and
        bringing its schema to this version's (:mod:`stakes.corpus.migrate`); with ``create=False`` a
        database without a corpus is an error instead."""
        resolved = database_url(url)
        try:
            parsed = make_url(resolved)
        except ArgumentError:
            raise CorpusError(f"{resolved!r} is not a database URL; give a file path or e.g. "
                              "postgresql://user:password@host/database") from None
        shown = parsed.render_as_string(hide_password=True)
        missing = CorpusError(f"no corpus at {shown}; add articles first (stakes corpus add PATH) or "
                              "check --db / $STAKES_CORPUS")
        file = parsed.database if parsed.get_backend_name() == "sqlite" else None
        if file and file != ":memory:":
            if Path(file).is_dir():
                raise CorpusError(f"the database {file} is a folder; give a file, e.g. {Path(file) / 'corpus.sqlite'}")
            if not Path(file).exists():
                if not create:
                    raise missing  # connecting would create an empty file
                check_output(file)
        try:
            engine = _engine(resolved)
            if not create and not inspect(engine).has_table(ArticleRow.__tablename__):
                engine.dispose()
                raise missing
            migrated = migrate.upgrade(engine)
        except ModuleNotFoundError as exc:
            raise CorpusError(f"the database driver {exc.name!r} is not installed; install it with pip "
                              "(PostgreSQL's driver, psycopg, comes with stakes)") from None
        except ArgumentError as exc:
            raise CorpusError(f"{shown!r} is not a usable database URL ({exc}); give a file path or "
                              "e.g. postgresql://user:password@host/database") from None
        except DatabaseError as exc:
            raise CorpusError(f"cannot open the corpus at {shown} ({exc.orig}); check the path or "
                              "that the database server runs and accepts this user") from None
        return cls(engine, migrated)

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------------------------

    def add(self, articles: Iterable[Article], analyse: Callable[[Article], Analysis] | None = None) -> AddResult:
        """Store each article (and, with ``analyse``, what it finds) in its own transaction.

        ``analyse`` is not called for articles already stored with an analysis. An exception from
        it stops the batch; the articles before it stay committed.
        """
        result = AddResult()
        for article in articles:
            needed = analyse is not None and not self.is_analysed(article.id)
            result.count(self.store(article, analyse(article) if needed else None))
        return result

    def is_analysed(self, article_id: str) -> bool:
        """Whether the article is stored with its analysis."""
        with self.engine.connect() as conn:
            return conn.execute(select(ArticleRow.analysed_at).where(ArticleRow.id == article_id)
                                ).scalar_one_or_none() is not None

    def store(self, article: Article, analysis: Analysis | None = None) -> Status:
        """Store one article and its analysis atomically; see :data:`Status` for the outcomes."""
        if not article.text.strip():
            raise CorpusError(f"{article.origin or article.id}: the article has no text")
        problems = analysis_problems(article, analysis) if analysis is not None else []
        if problems:
            raise CorpusError(f"{article.origin or article.id}: {'; '.join(problems)}")
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            inserted = _insert_new(conn, ArticleRow.__table__, {
                "id": article.id, "title": article.title, "published": article.published,
                "publisher": article.publisher, "url": article.url, "origin": article.origin,
                "text": article.text, "meta": dict(article.meta), "added_at": now,
                "analysed_at": now if analysis is not None else None,
            })
            if analysis is None:
                return "added" if inserted else "present"
            claimed = inserted or conn.execute(
                update(ArticleRow).where(ArticleRow.id == article.id, ArticleRow.analysed_at.is_(None))
                .values(analysed_at=now)).rowcount == 1
            if claimed:
                _insert_analysis(conn, article, analysis)
        return "added" if inserted else "analysed" if claimed else "present"

    # -- reading ----------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        with self.engine.connect() as conn:
            return {name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                    for name, table in TABLES.items()}

    def articles(self, actor: str | None = None, since: date | None = None, until: date | None = None,
                 limit: int | None = None) -> pd.DataFrame:
        """Stored articles by publication date (undated last); ``actor`` keeps those mentioning it."""
        a = ArticleRow
        query = select(a.id, a.published, a.title, a.publisher, a.url, a.origin, a.added_at,
                       a.analysed_at, func.length(a.text).label("characters"))
        query = query.where(*_date_range(a.published, since, until))
        if actor is not None:
            query = query.where(select(MentionRow.id).where(MentionRow.article_id == a.id,
                                                            MentionRow.actor_id == actor).exists())
        query = query.order_by(a.published.is_(None), a.published, a.id).limit(limit)
        return self._frame(query, dates=("published",), stamps=("added_at", "analysed_at"))

    def article(self, article_id: str) -> Article | None:
        """One stored article, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(ArticleRow.__table__).where(ArticleRow.id == article_id)).mappings().first()
        if row is None:
            return None
        return Article(text=row["text"], title=row["title"], published=row["published"],
                       publisher=row["publisher"], url=row["url"], origin=row["origin"],
                       meta=dict(row["meta"] or {}))

    def stored(self, article_ids: Iterable[str]) -> set[str]:
        """Which of ``article_ids`` are stored (one query, without their texts)."""
        wanted = sorted(set(article_ids))
        if not wanted:
            return set()
        with self.engine.connect() as conn:
            return set(conn.execute(select(ArticleRow.id).where(ArticleRow.id.in_(wanted))).scalars())

    def texts(self, article_ids: Iterable[str]) -> dict[str, str]:
        """Article id → text, for those of ``article_ids`` that are stored (one query)."""
        wanted = sorted(set(article_ids))
        if not wanted:
            return {}
        with self.engine.connect() as conn:
            return dict(conn.execute(select(ArticleRow.id, ArticleRow.text).where(ArticleRow.id.in_(wanted))).all())

    def marks(self, article_id: str) -> dict[str, list[dict[str, Any]]]:
        """What the analysis found in one article, as spans of its text: ``mentions`` (actor, text),
        ``quotes`` (speaker), ``events`` (source, target, cameo, plover), in text order."""
        m, q, e = MentionRow, QuoteRow, EventRow
        queries = {
            "mentions": select(m.start, m.end, m.actor_id.label("actor"), m.text).where(m.article_id == article_id)
            .order_by(m.start, m.id),
            "quotes": select(q.start, q.end, q.speaker_id.label("speaker"), q.cue).where(q.article_id == article_id)
            .order_by(q.start, q.id),
            "events": select(e.start, e.end, e.source_id.label("source"), e.target_id.label("target"), e.cameo,
                             e.plover).where(e.article_id == article_id).order_by(e.start, e.id),
        }
        with self.engine.connect() as conn:
            return {name: [dict(row) for row in conn.execute(query).mappings()] for name, query in queries.items()}

    def stance_over_time(self, actor: str | None = None, issue: str | None = None, since: date | None = None,
                         until: date | None = None, freq: str | None = None) -> pd.DataFrame:
        """Stance readings by article date: one row each, or with ``freq`` (a pandas period such as
        ``"W"`` or ``"MS"``) the confidence-weighted mean position per actor, issue and period.
        Readings from undated articles have no date and are left out of the periods."""
        s, a = StanceRow, ArticleRow
        query = (select(a.published.label("date"), s.actor_id, s.issue_id, s.position, s.confidence,
                        s.evidence, s.article_id, a.title, a.url)
                 .join(a, a.id == s.article_id)
                 .where(*_date_range(a.published, since, until)))
        if actor is not None:
            query = query.where(s.actor_id == actor)
        if issue is not None:
            query = query.where(s.issue_id == issue)
        query = query.order_by(a.published.is_(None), a.published, s.actor_id, s.issue_id, s.id)
        frame = self._frame(query, dates=("date",))
        if freq is None:
            return frame
        frame = frame.dropna(subset=["date"]).assign(weighted=lambda f: f.position * f.confidence)
        grouped = frame.groupby(["actor_id", "issue_id", pd.Grouper(key="date", freq=freq)])
        summary = grouped.agg(weighted=("weighted", "sum"), weight=("confidence", "sum"),
                              readings=("position", "size"), confidence=("confidence", "mean"))
        summary = summary[summary.readings > 0]
        summary["position"] = summary.weighted / summary.weight.where(summary.weight > 0)
        return summary.reset_index()[["date", "actor_id", "issue_id", "position", "confidence", "readings"]]

    def event_timeline(self, actor: str | None = None, since: date | None = None,
                       until: date | None = None) -> pd.DataFrame:
        """Events in date order; ``actor`` keeps those it did or suffered."""
        e, a = EventRow, ArticleRow
        query = (select(e.date, e.source_id, e.target_id, e.cameo, e.plover, e.text, e.article_id,
                        a.title, a.url)
                 .join(a, a.id == e.article_id)
                 .where(*_date_range(e.date, since, until)))
        if actor is not None:
            query = query.where(or_(e.source_id == actor, e.target_id == actor))
        query = query.order_by(e.date.is_(None), e.date, e.id)
        return self._frame(query, dates=("date",))

    def actor_network(self, since: date | None = None, until: date | None = None) -> pd.DataFrame:
        """Directed actor-to-actor edges: per source, target and event type (PLOVER, else the CAMEO
        code), the number of events and the first and last date seen."""
        e = EventRow
        kind = func.coalesce(e.plover, "CAMEO " + e.cameo, "unknown").label("event_type")
        query = (select(e.source_id.label("source"), e.target_id.label("target"), kind,
                        func.count().label("count"), func.min(e.date).label("first"),
                        func.max(e.date).label("last"))
                 .where(e.source_id.is_not(None), e.target_id.is_not(None), *_date_range(e.date, since, until))
                 .group_by(e.source_id, e.target_id, kind)
                 .order_by(func.count().desc(), e.source_id, e.target_id, kind))
        return self._frame(query, dates=("first", "last"))

    def actor_graph(self, since: date | None = None, until: date | None = None) -> Any:
        """The actor network as a networkx ``DiGraph``: edge ``weight`` is the number of events,
        edge ``events`` maps event type to count."""
        try:
            import networkx as nx
        except ImportError:
            raise CorpusError("the actor graph needs networkx: pip install networkx") from None
        graph = nx.DiGraph()
        for row in self.actor_network(since, until).itertuples(index=False):
            if not graph.has_edge(row.source, row.target):
                graph.add_edge(row.source, row.target, weight=0, events={})
            data = graph.edges[row.source, row.target]
            data["weight"] += int(row.count)
            data["events"][row.event_type] = int(row.count)
        return graph

    def export_parquet(self, folder: str | os.PathLike[str], batch_rows: int = 50_000) -> list[Path]:
        """Write every table to ``folder/<table>.parquet``, streaming ``batch_rows`` rows at a time."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        folder = make_folder(folder)
        written = []
        with self.engine.connect() as conn:
            for name, table in TABLES.items():
                schema = _arrow_schema(table)
                result = conn.execution_options(stream_results=True).execute(
                    select(table).order_by(*table.primary_key.columns))

                def fill(out: BinaryIO, result: Any = result, schema: Any = schema) -> None:
                    with pq.ParquetWriter(out, schema) as writer:
                        wrote = False
                        while rows := result.mappings().fetchmany(batch_rows):
                            writer.write_table(pa.Table.from_pylist([_plain(row) for row in rows], schema))
                            wrote = True
                        if not wrote:
                            writer.write_table(schema.empty_table())

                written.append(write_atomic(folder / f"{name}.parquet", fill))
        return written

    def _frame(self, query: Any, dates: tuple[str, ...] = (), stamps: tuple[str, ...] = ()) -> pd.DataFrame:
        """Run a query; ``dates`` become datetime64 columns, ``stamps`` UTC timestamps (SQLite
        returns them without a zone)."""
        with self.engine.connect() as conn:
            result = conn.execute(query)
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        for column in dates:
            frame[column] = pd.to_datetime(frame[column])
        for column in stamps:
            frame[column] = pd.to_datetime(frame[column], utc=True)
        return frame


def analysis_problems(article: Article, analysis: Analysis) -> list[str]:
    """What is inconsistent in an analysis: spans outside the article, confidences outside [0, 1]."""
    size = len(article.text)
    problems = [f"{kind} span {start}–{end} is outside the article's {size} characters (offsets "
                "index Article.text)" for kind, start, end in analysis.spans() if not 0 <= start <= end <= size]
    problems += [f"stance of {s.actor_id} on {s.issue_id} has confidence {s.confidence}, not in [0, 1]"
                 for s in analysis.stances if not 0.0 <= s.confidence <= 1.0]
    return problems


POOL_SIZE = 20
"""Database connections an engine keeps open once opened: as many as a server's request threads and
its job dispatcher use at once, so busy moments reuse connections instead of opening (and closing)
new ones; the command line opens one."""


def _engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_SIZE)
    in_memory = make_url(url).database in (None, "", ":memory:")  # one connection, whatever the pool
    pool = {} if in_memory else {"pool_size": POOL_SIZE, "max_overflow": POOL_SIZE}
    engine = create_engine(url, connect_args={"timeout": 60}, **pool)

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        # WAL lets readers work while one process writes; NORMAL sync is crash-safe under WAL.
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    return engine


def _insert_new(conn: Connection, table: Table, values: dict[str, Any]) -> bool:
    """Insert a row unless its primary key is already there; whether it was inserted."""
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        statement = insert(table).values(**values).on_conflict_do_nothing(index_elements=["id"])
        # RETURNING tells reliably whether the row went in (some drivers report no rowcount here).
        return conn.execute(statement.returning(table.c.id)).first() is not None
    try:
        with conn.begin_nested():
            conn.execute(table.insert().values(**values))
    except IntegrityError:
        return False
    return True


def _insert_analysis(conn: Connection, article: Article, analysis: Analysis) -> None:
    key = article.id
    rows: list[tuple[Any, list[dict[str, Any]]]] = [
        (MentionRow, [{"article_id": key, "actor_id": m.actor_id, "start": m.start, "end": m.end,
                       "text": m.text} for m in analysis.mentions]),
        (QuoteRow, [{"article_id": key, "speaker_id": q.speaker_id, "text": q.text, "start": q.start,
                     "end": q.end, "cue": q.cue} for q in analysis.quotes]),
        (EventRow, [{"article_id": key, "date": ev.date or article.published, "source_id": ev.source_id,
                     "target_id": ev.target_id, "cameo": ev.cameo, "plover": ev.plover, "start": ev.start,
                     "end": ev.end, "text": ev.text} for ev in analysis.events]),
        (StanceRow, [{"article_id": key, "actor_id": s.actor_id, "issue_id": s.issue_id,
                      "position": s.position, "confidence": s.confidence, "start": s.start, "end": s.end,
                      "evidence": article.text[s.start:s.end]} for s in analysis.stances]),
    ]
    for row, values in rows:
        if values:
            conn.execute(row.__table__.insert(), values)


def _date_range(column: Any, since: date | None, until: date | None) -> list[ColumnElement[bool]]:
    """Conditions keeping ``column`` within ``[since, until]`` (either end open when None)."""
    conditions = []
    if since is not None:
        conditions.append(column >= since)
    if until is not None:
        conditions.append(column <= until)
    return conditions


def _arrow_schema(table: Table) -> Any:
    """The Parquet schema of a table: strings, 64-bit numbers, dates, UTC timestamps; JSON as text."""
    import pyarrow as pa
    from sqlalchemy import Date, DateTime, Float, Integer

    def arrow_type(column_type: Any) -> Any:
        if isinstance(column_type, DateTime):
            return pa.timestamp("us", tz="UTC")
        if isinstance(column_type, Date):
            return pa.date32()
        if isinstance(column_type, Integer):
            return pa.int64()
        if isinstance(column_type, Float):
            return pa.float64()
        return pa.string()  # String, Text, JSON (serialised)

    return pa.schema([pa.field(c.name, arrow_type(c.type), nullable=c.nullable) for c in table.columns])


def _plain(row: Any) -> dict[str, Any]:
    """A row as Parquet takes it: JSON serialised, naive timestamps (SQLite) marked UTC."""
    out = {}
    for key, value in row.items():
        if isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        elif isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        out[key] = value
    return out
