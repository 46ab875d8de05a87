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

store_app = typer.Typer(help="Scenarios kept in the store the web app edits: list, export, import, history; "
                        "the trash (trash, restore, empty-trash); the store's schema (upgrade).",
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


@store_app.command("trash")
def trash_command(db: DbOption = None) -> None:
    """The deleted scenarios, restorable until the trash is emptied: who deleted each and when."""
    corpus, store = _store(db)
    with corpus:
        rows = store.trash()
    table = Table("title", "version", "deleted by", "deleted at")
    table.add_column("id", no_wrap=True)
    for row in rows:
        table.add_row(safe(row["title"]), str(row["version"]), safe(row["deleted_by"]),
                      f"{row['deleted_at']:%Y-%m-%d %H:%M}", safe(row["id"]))
    console.print(table if rows else "the trash is empty")


@store_app.command("restore")
def restore_command(
    scenario_id: Annotated[str, typer.Argument(metavar="ID", help="The deleted scenario's id.")],
    db: DbOption = None,
) -> None:
    """Take a scenario out of the trash, as it was (same version, same history)."""
    corpus, store = _store(db)
    with corpus:
        stored = store.restore(scenario_id)
    console.print(f"restored {safe(stored.id)} (version {stored.version})")


@store_app.command("empty-trash")
def empty_trash_command(
    scenario_ids: Annotated[list[str] | None, typer.Argument(metavar="[ID]...", help="Only these (default: "
                                                                "every scenario in the trash).")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do it; without --yes, only say what would go.")] = False,
    db: DbOption = None,
) -> None:
    """Delete scenarios in the trash for good, with their history."""
    corpus, store = _store(db)
    with corpus:
        if not yes:
            listed = [row["id"] for row in store.trash()]
            chosen = [i for i in listed if i in scenario_ids] if scenario_ids else listed
            console.print(f"would delete for good: {safe(', '.join(chosen)) or 'nothing'}; add --yes to do it")
            return
        gone = store.empty_trash(scenario_ids or None)
    console.print(f"deleted for good: {safe(', '.join(gone)) or 'nothing (the trash was empty)'}")


@store_app.command("upgrade")
def upgrade_command(db: DbOption = None) -> None:
    """Bring the store's schema to this version of stakes (done anyway whenever stakes opens it)."""
    from stakes.corpus.store import Corpus

    with Corpus.open(db) as corpus:
        before, after = corpus.migrated
        where = corpus.url
    if before == after:
        console.print(f"the store at {safe(where)} is up to date (schema {safe(str(after))})")
    else:
        console.print(f"upgraded the store at {safe(where)}: schema {safe(str(before or 'none'))}"
                      f" → {safe(str(after))}")
