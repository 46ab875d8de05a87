"""``stakes store``: the scenarios the web app keeps, from the command line (same database)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from stakes.cli.app import app, console, errors
from stakes.cli.corpus import DbOption
from stakes.cli.text import ID, NUMBER, TEXT, printable, safe
from stakes.files import check_output
from stakes.scenario.io import WRITE_FORMATS

store_app = typer.Typer(help="Scenarios kept in the store the web app edits: list, export, import, history.",
                        no_args_is_help=True)
app.add_typer(store_app, name="store")


def _store(db: str | None):
    from stakes.corpus.scenarios import ScenarioStore
    from stakes.corpus.store import Corpus

    corpus = Corpus.open(db)
    return corpus, ScenarioStore(corpus.engine)


@store_app.command("list")
def list_command(db: DbOption = None) -> None:
    """Every stored scenario: id, title, version, who saved it last and when."""
    corpus, store = _store(db)
    with corpus:
        rows = store.list()
    table = Table()
    table.add_column("id", **ID)
    table.add_column("title", **TEXT)
    for column in ("actors", "issues", "version"):
        table.add_column(column, **NUMBER)
    table.add_column("saved by, at", **TEXT)
    for row in rows:
        table.add_row(safe(row["id"]), safe(row["title"]), str(row["actors"]), str(row["issues"]), str(row["version"]),
                      f"{safe(row['updated_by'])}\n{row['updated_at']:%Y-%m-%d %H:%M}")
    console.print(table if rows else "no scenarios stored yet (stakes store import FILE, or stakes serve)")


@store_app.command("export")
def export_command(
    scenario_id: Annotated[str, typer.Argument(metavar="ID", help="The stored scenario's id.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here (format from the "
                                                   "extension); default: print YAML.")] = None,
    to: Annotated[str | None, typer.Option("--to", help=f"Format: {', '.join(WRITE_FORMATS)} \\[default: from the "
                                                  "-o file's extension, else yaml].")] = None,
    db: DbOption = None,
) -> None:
    """Write the current version of a stored scenario to a file (or print it), to forecast or share."""
    from stakes.scenario import dumps, save

    if output is not None:
        check_output(output)
    corpus, store = _store(db)
    with corpus:
        stored = store.get(scenario_id)
    if output is None:
        text = dumps(stored.scenario, to or "yaml")
        console.print(printable(text) if console.is_terminal else text, markup=False, highlight=False,
                      soft_wrap=True, end="")
        return
    save(stored.scenario, output, to)
    errors.print(f"wrote {safe(str(output))} (version {stored.version} of {safe(stored.id)})")


@store_app.command("import")
def import_command(
    path: Annotated[str, typer.Argument(metavar="FILE", help="A scenario file, or a bundled scenario's name.")],
    scenario_id: Annotated[str | None, typer.Option("--id", help="Id in the store (default: the file's "
                                                       "name without extension, or the bundled name).")] = None,
    author: Annotated[str | None, typer.Option(help="Who the history shows (default: your user "
                                                  "name).")] = None,
    db: DbOption = None,
) -> None:
    """Add a scenario file to the store as a new scenario (version 1), with its what-ifs beside it."""
    from stakes.scenario import load
    from stakes.whatif import bundled_whatifs

    scenario = load(path)
    corpus, store = _store(db)
    with corpus:
        stored = store.create(scenario, author or getpass.getuser(), scenario_id or Path(path).stem,
                              bundled_whatifs(path),
                              summary=f"imported from {Path(path).name}")
    console.print(f"stored {safe(stored.id)} (version 1)")


@store_app.command("history")
def history_command(
    scenario_id: Annotated[str, typer.Argument(metavar="ID", help="The stored scenario's id.")],
    db: DbOption = None,
) -> None:
    """Every saved version of a stored scenario, newest first: who, when, and what changed."""
    corpus, store = _store(db)
    with corpus:
        revisions = store.history(scenario_id)
    table = Table()
    table.add_column("version", **NUMBER)
    table.add_column("saved by", **TEXT)
    table.add_column("at", **NUMBER)
    table.add_column("what changed", **TEXT)
    for revision in revisions:
        table.add_row(str(revision.version), safe(revision.author), f"{revision.at:%Y-%m-%d %H:%M}",
                      safe("\n".join(revision.changes) or revision.summary))
    console.print(table)
