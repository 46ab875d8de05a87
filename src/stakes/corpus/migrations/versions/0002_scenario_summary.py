"""Summary columns on scenarios, a trash, and token expiry.

``scenarios`` gains what a listing shows without reading the scenario's text (``actor_count``,
``issue_count``, ``as_of``, ``size`` in characters) and the SHA-256 ``digest`` of its text, which
keys the store's cache of read scenarios; ``deleted_at`` / ``deleted_by`` mark a scenario moved to
the trash (NULL while it is not). ``api_tokens`` gains ``expires_at`` (NULL: never).

Existing scenarios are summarised here from their stored YAML, so no row is left without its
summary. Columns are added in place (never by copying a table), so rows that refer to a scenario
are untouched on SQLite too.

Revision ID: 0002_scenario_summary
Revises: 0001_initial
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import sqlalchemy as sa
import yaml
from alembic import op

revision = "0002_scenario_summary"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

Stamp = sa.DateTime(timezone=True)
SCENARIO_COLUMNS = [
    sa.Column("actor_count", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("issue_count", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("as_of", sa.Date(), nullable=True),
    sa.Column("size", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("digest", sa.String(64), nullable=False, server_default=""),
    sa.Column("deleted_at", Stamp, nullable=True),
    sa.Column("deleted_by", sa.String(200), nullable=True),
]
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def summary(content: str) -> dict[str, Any]:
    """The summary columns of a stored scenario's canonical YAML (zero counts if it does not read)."""
    try:
        data = yaml.load(content, Loader=Loader)
    except yaml.YAMLError:
        data = None
    data = data if isinstance(data, dict) else {}
    as_of = data.get("as_of")
    try:
        as_of = as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of)) if as_of else None
    except ValueError:
        as_of = None
    return {"actor_count": len(data.get("actors") or []), "issue_count": len(data.get("issues") or []),
            "as_of": as_of, "size": len(content), "digest": hashlib.sha256(content.encode("utf-8")).hexdigest()}


def upgrade() -> None:
    for column in SCENARIO_COLUMNS:
        op.add_column("scenarios", column)
    op.add_column("api_tokens", sa.Column("expires_at", Stamp, nullable=True))
    scenarios = sa.table("scenarios", sa.column("id", sa.String), sa.column("content", sa.Text),
                         *(sa.column(c.name, c.type) for c in SCENARIO_COLUMNS[:5]))
    bind = op.get_bind()
    ids = bind.execute(sa.select(scenarios.c.id)).scalars().all()
    for scenario_id in ids:  # one at a time: a scenario's text can be large
        content = bind.execute(sa.select(scenarios.c.content).where(scenarios.c.id == scenario_id)).scalar_one()
        bind.execute(sa.update(scenarios).where(scenarios.c.id == scenario_id).values(**summary(content)))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN in place (SQLite 3.35+, PostgreSQL): a copied table would cascade.
    op.execute("ALTER TABLE api_tokens DROP COLUMN expires_at")
    for column in reversed(SCENARIO_COLUMNS):
        op.execute(f"ALTER TABLE scenarios DROP COLUMN {column.name}")
