"""The store's schema migrations (Alembic), run when a store opens.

The revisions ship inside the package (``stakes/corpus/migrations/versions``) and are found without
an alembic.ini: :func:`upgrade` builds Alembic's configuration in code and runs the missing
revisions on the caller's database, in one transaction. On PostgreSQL an advisory lock serialises
servers that start at the same moment, so each revision runs once. A database created before the
store had migrations carries no revision mark; the first revision creates only the tables it lacks,
so such a database is upgraded with every row kept.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import NamedTuple

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, text

from stakes.errors import StakesError

LOCK = 0x5374616B6573  # "Stakes": the PostgreSQL advisory lock taken while migrating
"""Any constant; every stakes process migrating one PostgreSQL database takes the same one."""


class SchemaError(StakesError):
    """The database's schema is at a revision this version of stakes does not know."""


class Upgrade(NamedTuple):
    """What :func:`upgrade` did: the revision found (None: none yet) and the one left."""

    before: str | None
    after: str | None


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the store, without a file; ``connection`` is where env.py migrates."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("stakes.corpus") / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


@cache
def head() -> str | None:
    """The newest revision this version of stakes knows."""
    return ScriptDirectory.from_config(config()).get_current_head()


def current(engine: Engine) -> str | None:
    """The revision the database is at (None for a database without a revision mark)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> Upgrade:
    """Bring the database to ``revision`` (default: the newest); a no-op when it is there already."""
    if revision == "head" and current(engine) == head():
        return Upgrade(head(), head())
    with engine.begin() as conn:
        before = _locked(conn)
        try:
            command.upgrade(config(conn), revision)
        except CommandError as exc:
            shown = engine.url.render_as_string(hide_password=True)
            raise SchemaError(f"the store at {shown} is at schema revision {before!r}, which this version of "
                              f"stakes does not know (its newest is {head()!r}); upgrade stakes ({exc})") from None
        return Upgrade(before, MigrationContext.configure(conn).get_current_revision())


def downgrade(engine: Engine, revision: str) -> Upgrade:
    """Take the database back to ``revision`` (``base``: no tables). For tests and recovery only."""
    with engine.begin() as conn:
        before = _locked(conn)
        command.downgrade(config(conn), revision)
        return Upgrade(before, MigrationContext.configure(conn).get_current_revision())


def _locked(conn: Connection) -> str | None:
    """Take the migration lock (PostgreSQL; held until the transaction ends); the revision then."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK})
    return MigrationContext.configure(conn).get_current_revision()
