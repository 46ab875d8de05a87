"""Alembic's entry point for the store's migrations: run on the connection the caller hands over.

The store opens and upgrades itself (:func:`stakes.corpus.migrate.upgrade`), so there is no
alembic.ini and no URL here: the connection comes in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context

from stakes.corpus.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
