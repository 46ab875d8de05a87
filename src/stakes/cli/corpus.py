"""Reading commands: ``stakes ingest`` (show what is read from documents) and ``stakes corpus``
(store many articles over time, query and export them)."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from stakes.cli.app import app, console, errors
from stakes.csvsafe import escape_frame
from stakes.errors import StakesError
from stakes.reading.article import Article
from stakes.reading.ingest import DEFAULT_MAX_BYTES, IngestError, JsonlFields, ReadOptions, read

corpus_app = typer.Typer(help="Store articles over time in a corpus database; query and export it.",
                         no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")

DbOption = Annotated[Optional[str], typer.Option(
    "--db", help="Corpus database: a file path or a URL such as postgresql://user:pw@host/db "
                 "(default: $STAKES_CORPUS, else ./stakes-corpus.sqlite).")]
MaxMbOption = Annotated[float, typer.Option("--max-mb", min=0.001, help="Largest document read, in MiB.")]
FieldOption = Annotated[Optional[list[str]], typer.Option(
    "--field", help="JSONL key for a role, ROLE=KEY (roles: text, html, title, date, url, publisher); "
                    "repeat for several.")]
SHOWN_ROWS = 100
"""Rows a table shows when no --limit is given (csv, json and parquet get every row)."""
TABLE_COLUMNS = {
    "articles": ["published", "title", "publisher", "id"],
    "events": ["date", "source_id", "target_id", "plover", "cameo", "text"],
    "stances": ["date", "actor_id", "issue_id", "position", "confidence", "readings", "evidence"],
}
"""Columns a terminal table shows (csv, json and parquet carry every column)."""


class Kind(str, Enum):
    articles = "articles"
    events = "events"
    network = "network"
    stances = "stances"


class QueryFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


class IngestFormat(str, Enum):
    text = "text"
    jsonl = "jsonl"


def _options(max_mb: float, fields: list[str] | None) -> ReadOptions:
    pairs = {}
    for pair in fields or []:
        role, sep, key = pair.partition("=")
        if not sep or not role.strip() or not key.strip():
            raise typer.BadParameter(f"{pair!r} is not ROLE=KEY (e.g. --field text=body)", param_hint="--field")
        pairs[role.strip()] = key.strip()
    return ReadOptions(max_bytes=int(max_mb * 2**20), fields=JsonlFields.parse(pairs))


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param_hint=option) from None


def _list_errors(problems: list[IngestError]) -> None:
    if not problems:
        return
    errors.print(f"[yellow]{len(problems)} document{'s' if len(problems) != 1 else ''} could not be read:[/]")
    for problem in sorted(problems, key=lambda p: (p.document, p.line or 0)):
        errors.print(f"  {escape(problem.place)}: {escape(problem.problem)} [dim]— fix: {escape(problem.fix)}[/]",
                     soft_wrap=True)


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, or http(s) URLs (only these are fetched).")],
    lines: Annotated[int, typer.Option("--lines", "-n", min=0, help="Lines of text shown per article.")] = 3,
    fmt: Annotated[IngestFormat, typer.Option("--format", "-f", help="text (metadata and first lines) or "
                                              "jsonl (one full article a line, readable by `corpus add`).")]
    = IngestFormat.text,
    max_mb: MaxMbOption = DEFAULT_MAX_BYTES / 2**20,
    field: FieldOption = None,
) -> None:
    """Show what is read from documents, without storing anything.

    Prints each article's metadata and first lines; documents that cannot be read are listed at
    the end.
    """
    options = _options(max_mb, field)
    problems: list[IngestError] = []
    count = 0
    for path in paths:
        for item in read(path, options):
            if isinstance(item, IngestError):
                problems.append(item)
                continue
            count += 1
            if fmt is IngestFormat.jsonl:
                sys.stdout.write(json.dumps(_article_record(item), ensure_ascii=False) + "\n")
            else:
                _show_article(item, lines)
    if fmt is IngestFormat.text:
        console.print(f"{count} article{'s' if count != 1 else ''} read")
    _list_errors(problems)
    if count == 0:
        raise typer.Exit(1)


def _article_record(article: Article) -> dict[str, object]:
    return {"id": article.id, "title": article.title,
            "date": article.published.isoformat() if article.published else None,
            "publisher": article.publisher, "url": article.url, "origin": article.origin,
            **{key: value for key, value in article.meta.items()
               if key not in ("id", "title", "date", "publisher", "url", "origin", "text")},
            "text": article.text}


def _show_article(article: Article, lines: int) -> None:
    console.print(f"[bold]{escape(article.title or '(no title)')}[/]")
    facts = [("date", article.published.isoformat() if article.published else None),
             ("publisher", article.publisher), ("url", article.url), ("from", article.origin),
             ("id", article.id), ("length", f"{len(article.text):,} characters")]
    facts += [(key, value) for key, value in article.meta.items() if key in ("note", "extractor", "content")]
    for key, value in facts:
        if value:
            console.print(f"  [dim]{key}:[/] {escape(str(value))}", soft_wrap=True)
    shown = [line for line in article.text.splitlines() if line.strip()][:lines]
    for line in shown:
        console.print(f"  │ {escape(line if len(line) <= 160 else line[:159] + '…')}", soft_wrap=True)
    console.print()


@corpus_app.command("add")
def add_command(
    paths: Annotated[list[str], typer.Argument(help="Files, folders (recursively), JSONL corpora, or "
                                               "http(s) URLs (only these are fetched).")],
    db: DbOption = None,
    workers: Annotated[int, typer.Option(min=1, help="Local processes reading the documents.")] = 1,
    cluster: Annotated[Optional[str], typer.Option(help="Dask scheduler address (tcp://host:8786) to "
                                                   "read the documents on.")] = None,
    max_mb: MaxMbOption = DEFAULT_MAX_BYTES / 2**20,
    field: FieldOption = None,
    analyse: Annotated[bool, typer.Option("--analyse", help="Also store each article's mentions, quotes, "
                                          "events and stances (needs stakes[reading]).")] = False,
    scenario: Annotated[Optional[str], typer.Option(help="With --analyse: read stances on this scenario's "
                                                    "issues (file or bundled name).")] = None,
) -> None:
    """Add documents to the corpus.

    Each article is stored once (by content) and committed on its own; documents that cannot be
    read are listed at the end. Exits non-zero only when nothing could be read.
    """
    from stakes.corpus import Corpus, ingest

    options = _options(max_mb, field)
    analyser = None
    if analyse:
        from stakes.reading.draft import CorpusAnalyser
        from stakes.reading.nlp import nlp_pipeline
        from stakes.scenario import load

        nlp_pipeline()  # a missing language model fails here, once, with its install line
        analyser = CorpusAnalyser(list(load(scenario).issues) if scenario else None)
    with Corpus.open(db) as corpus:
        with Progress(TextColumn("reading"), BarColumn(), MofNCompleteColumn(), TextColumn("blocks"),
                      TimeElapsedColumn(), console=errors, transient=True) as progress:
            task = progress.add_task("reading", total=None)
            result = ingest(corpus, paths, analyse=analyser, options=options, workers=workers, cluster=cluster,
                            progress=lambda done, total: progress.update(task, completed=done, total=total))
        console.print(f"{result.added} article{'s' if result.added != 1 else ''} added"
                      + (f", {result.analysed} newly analysed" if result.analysed else "")
                      + (f", {result.present} already stored" if result.present else "")
                      + f" [dim]({escape(corpus.url)})[/]", soft_wrap=True)
    _list_errors(result.errors)
    if result.read == 0:
        if not result.errors:
            errors.print("[red]error:[/] no documents found in " + escape(", ".join(paths)))
        raise typer.Exit(1)


@corpus_app.command("query")
def query_command(
    what: Annotated[Kind, typer.Argument(help="articles, events (timeline), network (actor edges) or "
                                         "stances (over time).")],
    db: DbOption = None,
    actor: Annotated[Optional[str], typer.Option(help="Only this actor id.")] = None,
    issue: Annotated[Optional[str], typer.Option(help="Only this issue id (stances).")] = None,
    since: Annotated[Optional[str], typer.Option(help="From this date, YYYY-MM-DD.")] = None,
    until: Annotated[Optional[str], typer.Option(help="Up to this date, YYYY-MM-DD.")] = None,
    freq: Annotated[Optional[str], typer.Option(help="Stances: average per period, e.g. W (weeks) or MS "
                                                "(months).")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="At most this many rows.")] = None,
    fmt: Annotated[QueryFormat, typer.Option("--format", "-f", help="table, csv, json or parquet.")]
    = QueryFormat.table,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file "
                                                   "(needed for parquet).")] = None,
) -> None:
    """Query the corpus: articles, the event timeline, the actor network, or stances over time."""
    from stakes.corpus import Corpus

    start, end = _date(since, "--since"), _date(until, "--until")
    if issue is not None and what is not Kind.stances:
        raise typer.BadParameter("only stances have an issue", param_hint="--issue")
    if freq is not None and what is not Kind.stances:
        raise typer.BadParameter("only stances are averaged per period", param_hint="--freq")
    if fmt is QueryFormat.parquet and output is None:
        raise typer.BadParameter("parquet needs a file: -o FILE.parquet", param_hint="--format")
    with Corpus.open(db, create=False) as corpus:
        if what is Kind.articles:
            frame = corpus.articles(actor=actor, since=start, until=end, limit=limit)
        elif what is Kind.events:
            frame = corpus.event_timeline(actor=actor, since=start, until=end)
        elif what is Kind.network:
            frame = corpus.actor_network(since=start, until=end)
            if actor is not None:
                frame = frame[(frame.source == actor) | (frame.target == actor)]
        else:
            try:
                frame = corpus.stance_over_time(actor=actor, issue=issue, since=start, until=end, freq=freq)
            except ValueError as exc:
                raise typer.BadParameter(f"{freq!r} is not a pandas period ({exc})", param_hint="--freq") from None
    if limit is not None:
        frame = frame.head(limit)
    _write_frame(frame.reset_index(drop=True), fmt, output, what.value)


def _write_frame(frame: pd.DataFrame, fmt: QueryFormat, output: Path | None, title: str) -> None:
    if fmt is QueryFormat.parquet:
        frame.to_parquet(output, index=False)
    elif fmt is QueryFormat.table:
        _print_table(frame, title)
        return
    else:
        text = _dates_as_text(frame)
        if fmt is QueryFormat.csv:
            rendered = escape_frame(text).to_csv(index=False)
        else:
            records = text.astype(object).where(text.notna(), None).to_dict(orient="records")
            rendered = json.dumps(records, ensure_ascii=False, indent=2, default=str) + "\n"
        if output is None:
            sys.stdout.write(rendered)
            return
        output.write_text(rendered, encoding="utf-8")
    console.print(f"wrote {escape(str(output))}: {len(frame)} row{'s' if len(frame) != 1 else ''}", soft_wrap=True)


def _dates_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Date columns as ``YYYY-MM-DD`` (time of day only where there is one), for csv and json."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            dates_only = values.dropna().eq(values.dropna().dt.normalize()).all()
            shown = values.dt.strftime("%Y-%m-%d") if dates_only else values.map(
                lambda v: v.isoformat() if pd.notna(v) else None)
            out[column] = shown.astype(object).where(values.notna(), None)
    return out


def _print_table(frame: pd.DataFrame, title: str) -> None:
    columns = [c for c in TABLE_COLUMNS.get(title, frame.columns) if c in frame.columns]
    shown = _dates_as_text(frame[columns].head(SHOWN_ROWS))
    table = Table(title=f"[bold]{escape(title)}[/]", title_justify="left")
    for column in shown.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(escape(str(column)), justify="right" if numeric else "left",
                         overflow="fold", max_width=60 if column in ("text", "evidence", "title") else None)
    for row in shown.itertuples(index=False):
        table.add_row(*(_cell(value) for value in row))
    console.print(table)
    more = len(frame) - len(shown)
    console.print(f"{len(frame)} row{'s' if len(frame) != 1 else ''}"
                  + (f" [dim]({more} not shown: use --format csv or --limit)[/]" if more else ""))


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return escape(str(value))


@corpus_app.command("export")
def export_command(
    folder: Annotated[Path, typer.Argument(help="Folder for one Parquet file per table.")],
    db: DbOption = None,
) -> None:
    """Export every table (articles, mentions, quotes, events, stances) as Parquet files."""
    from stakes.corpus import Corpus

    with Corpus.open(db, create=False) as corpus:
        counts = corpus.counts()
        try:
            written = corpus.export_parquet(folder)
        except OSError as exc:
            raise StakesError(f"cannot write into {folder} ({exc.strerror or exc}); choose a writable "
                              "folder") from None
    for path in written:
        console.print(f"wrote {escape(str(path))}: {counts[path.stem]} rows", soft_wrap=True)
