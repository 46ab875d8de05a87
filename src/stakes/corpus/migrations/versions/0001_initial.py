"""The store as it was before it had migrations: the corpus tables, scenarios, revisions, tokens.

A database made by ``metadata.create_all`` before migrations existed holds some or all of these
tables already; only the missing ones are created, so such a database comes out at this revision
with every row kept (an older corpus-only database gains the scenario and token tables).

Revision ID: 0001_initial
Revises:
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def _article_fk() -> sa.Column:
    return sa.Column("article_id", sa.String(32), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False)


def _articles() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("title", sa.Text()),
        sa.Column("published", sa.Date()),
        sa.Column("publisher", sa.Text()),
        sa.Column("url", sa.Text()),
        sa.Column("origin", sa.Text()),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("added_at", Stamp, nullable=False),
        sa.Column("analysed_at", Stamp),
    )
    op.create_index("ix_articles_published", "articles", ["published"])


def _mentions() -> None:
    op.create_table(
        "mentions",
        sa.Column("id", RowId, primary_key=True, autoincrement=True),
        _article_fk(),
        sa.Column("actor_id", sa.String(200), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_index("ix_mentions_actor_id", "mentions", ["actor_id"])
    op.create_index("ix_mentions_article_id", "mentions", ["article_id"])


def _quotes() -> None:
    op.create_table(
        "quotes",
        sa.Column("id", RowId, primary_key=True, autoincrement=True),
        _article_fk(),
        sa.Column("speaker_id", sa.String(200)),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("cue", sa.String(100)),
    )
    op.create_index("ix_quotes_article_id", "quotes", ["article_id"])
    op.create_index("ix_quotes_speaker_id", "quotes", ["speaker_id"])


def _events() -> None:
    op.create_table(
        "events",
        sa.Column("id", RowId, primary_key=True, autoincrement=True),
        _article_fk(),
        sa.Column("date", sa.Date()),
        sa.Column("source_id", sa.String(200)),
        sa.Column("target_id", sa.String(200)),
        sa.Column("cameo", sa.String(10)),
        sa.Column("plover", sa.String(40)),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_index("ix_events_article_id", "events", ["article_id"])
    op.create_index("ix_events_date", "events", ["date"])
    op.create_index("ix_events_source_id", "events", ["source_id"])
    op.create_index("ix_events_source_target", "events", ["source_id", "target_id"])
    op.create_index("ix_events_target_id", "events", ["target_id"])


def _stances() -> None:
    op.create_table(
        "stances",
        sa.Column("id", RowId, primary_key=True, autoincrement=True),
        _article_fk(),
        sa.Column("actor_id", sa.String(200), nullable=False),
        sa.Column("issue_id", sa.String(200), nullable=False),
        sa.Column("position", sa.Float(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
    )
    op.create_index("ix_stances_actor_issue", "stances", ["actor_id", "issue_id"])
    op.create_index("ix_stances_article_id", "stances", ["article_id"])


def _scenarios() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("whatifs", sa.Text(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
    )


def _revisions() -> None:
    op.create_table(
        "scenario_revisions",
        sa.Column("id", RowId, primary_key=True, autoincrement=True),
        sa.Column("scenario_id", sa.String(100), sa.ForeignKey("scenarios.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("at", Stamp, nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("whatifs", sa.Text(), nullable=False),
        sa.UniqueConstraint("scenario_id", "version"),
    )
    op.create_index("ix_scenario_revisions_scenario_id", "scenario_revisions", ["scenario_id"])


def _source_articles() -> None:
    op.create_table(
        "source_articles",
        sa.Column("scenario_id", sa.String(100), sa.ForeignKey("scenarios.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("source_id", sa.String(200), primary_key=True),
        sa.Column("article_id", sa.String(32), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    )


def _api_tokens() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", Stamp, nullable=False),
    )


TABLES: dict[str, Callable[[], None]] = {
    "articles": _articles, "mentions": _mentions, "quotes": _quotes, "events": _events, "stances": _stances,
    "scenarios": _scenarios, "scenario_revisions": _revisions, "source_articles": _source_articles,
    "api_tokens": _api_tokens,
}
"""Each table and how to create it, in an order where a table comes after those it refers to."""


def upgrade() -> None:
    present = set(sa.inspect(op.get_bind()).get_table_names())
    for name, create in TABLES.items():
        if name not in present:
            create()


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
