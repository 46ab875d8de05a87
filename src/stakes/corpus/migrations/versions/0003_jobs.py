"""The jobs of the web app: runs stored with their state, progress, result or error.

One row per job (see :class:`stakes.corpus.schema.JobRow`); the index on ``(state, created_at)``
serves the workers' claim of the oldest queued job and the count against the queue bound.

Revision ID: 0003_jobs
Revises: 0002_scenario_summary
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_jobs"
down_revision = "0002_scenario_summary"
branch_labels = None
depends_on = None

Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("done", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("time_limit", sa.Float(), nullable=False),
        sa.Column("result", sa.JSON()),
        sa.Column("error", sa.Text()),
        sa.Column("failure", sa.String(20)),
        sa.Column("worker", sa.String(100)),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("started_at", Stamp),
        sa.Column("finished_at", Stamp),
        sa.Column("heartbeat_at", Stamp),
    )
    op.create_index("ix_jobs_state_created", "jobs", ["state", "created_at"])


def downgrade() -> None:
    op.drop_table("jobs")
