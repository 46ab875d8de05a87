"""``stakes store``: the scenarios the web app keeps, from the command line (same database)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from stakes.cli.app import app, console, errors
from stakes.cli.corpus import DbOption

store_app = typer.Typer(help="Scenarios kept in the store the web app edits: list, export, import, history; "
                        "the trash (trash, restore, empty-trash); the store's schema (upgrade).",
                        no_args_is_help=True)
app.add_typer(store_app, name="store")
FORMATS = ("yaml", "json", "csv", "ktab-csv")


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
    table = Table("title", "actors × issues", "version", "saved by", "saved at")
    table.add_column("id", no_wrap=True)
    for row in rows:
        table.add_row(escape(row["title"]), f"{row['actors']} × {row['issues']}", str(row["version"]),
                      escape(row["updated_by"]), f"{row['updated_at']:%Y-%m-%d %H:%M}", escape(row["id"]))
    console.print(table if rows else "no scenarios stored yet (stakes store import FILE, or stakes serve)")


@store_app.command("export")
def export_command(
    scenario_id: Annotated[str, typer.Argument(metavar="ID", help="The stored scenario's id.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here (format from the "
                                                   "extension); default: print YAML.")] = None,
    to: Annotated[str | None, typer.Option("--to", help=f"Format: {', '.join(FORMATS)}.")] = None,
    db: DbOption = None,
) -> None:
    """Write the current version of a stored scenario to a file (or print it), to forecast or share."""
    from stakes.scenario import dumps, save

    corpus, store = _store(db)
    with corpus:
        stored = store.get(scenario_id)
    if output is None:
        console.print(dumps(stored.scenario, to or "yaml"), markup=False, highlight=False, soft_wrap=True, end="")
        return
    save(stored.scenario, output, to)
    errors.print(f"wrote {escape(str(output))} (version {stored.version} of {escape(stored.id)})")


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
    console.print(f"stored {escape(stored.id)} (version 1)")


@store_app.command("history")
def history_command(
    scenario_id: Annotated[str, typer.Argument(metavar="ID", help="The stored scenario's id.")],
    db: DbOption = None,
) -> None:
    """Every saved version of a stored scenario, newest first: who, when, and what changed."""
    corpus, store = _store(db)
    with corpus:
        revisions = store.history(scenario_id)
    table = Table("version", "saved by", "at", "what changed")
    for revision in revisions:
        table.add_row(str(revision.version), escape(revision.author), f"{revision.at:%Y-%m-%d %H:%M}",
                      escape("\n".join(revision.changes) or revision.summary))
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
        table.add_row(escape(row["title"]), str(row["version"]), escape(row["deleted_by"]),
                      f"{row['deleted_at']:%Y-%m-%d %H:%M}", escape(row["id"]))
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
    console.print(f"restored {escape(stored.id)} (version {stored.version})")


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
            console.print(f"would delete for good: {escape(', '.join(chosen)) or 'nothing'}; add --yes to do it")
            return
        gone = store.empty_trash(scenario_ids or None)
    console.print(f"deleted for good: {escape(', '.join(gone)) or 'nothing (the trash was empty)'}")


@store_app.command("upgrade")
def upgrade_command(db: DbOption = None) -> None:
    """Bring the store's schema to this version of stakes (done anyway whenever stakes opens it)."""
    from stakes.corpus.store import Corpus

    with Corpus.open(db) as corpus:
        before, after = corpus.migrated
        where = corpus.url
    if before == after:
        console.print(f"the store at {escape(where)} is up to date (schema {escape(str(after))})")
    else:
        console.print(f"upgraded the store at {escape(where)}: schema {escape(str(before or 'none'))}"
                      f" → {escape(str(after))}")
