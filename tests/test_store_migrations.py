"""The store's schema migrations: a new database and one made before migrations existed both reach the
newest revision, on SQLite and PostgreSQL, with every row kept and the scenario summaries filled in."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select, text

import stakes
from stakes.corpus import Corpus, migrate
from stakes.corpus.scenarios import ScenarioStore, content_digest, token_digest
from stakes.corpus.schema import Base, ScenarioRow
from stakes.corpus.store import database_url
from tests.conftest import empty_postgres

OLD_SCHEMA = Path(__file__).parent / "data" / "store-before-migrations"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return empty_postgres()


def test_the_revisions_are_a_chain_from_0001_initial_to_the_head():
    script = ScriptDirectory.from_config(migrate.config())
    chain = [rev.revision for rev in script.walk_revisions("base", "heads")][::-1]
    assert chain[:2] == ["0001_initial", "0002_scenario_summary"]
    assert script.get_revision("0002_scenario_summary").down_revision == "0001_initial"
    assert migrate.head() == chain[-1] and len(script.get_heads()) == 1


def test_a_new_store_is_migrated_to_the_head_and_matches_the_models(url):
    with Corpus.open(url) as corpus:
        assert migrate.current(corpus.engine) == migrate.head()
        with corpus.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []


def _old_ddl(dialect: str) -> list[str]:
    """The statements that made the store's tables before migrations, on ``dialect``."""
    lines = [line for line in (OLD_SCHEMA / f"{dialect}.sql").read_text().splitlines() if not line.startswith("--")]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]


def _old_store(url: str) -> None:
    """A database as stakes made it before migrations, with an article, its analysis, a scenario with
    two versions, a source linked to the article and a token, written with plain SQL."""
    engine = create_engine(database_url(url))
    content = stakes.dumps(stakes.load("rafah-2024"))
    now = datetime(2024, 5, 1, tzinfo=UTC)
    with engine.begin() as conn:
        for statement in _old_ddl(engine.dialect.name):
            conn.exec_driver_sql(statement)
        conn.execute(text("INSERT INTO articles (id, title, text, meta, added_at) VALUES "
                          "('a1', 'An article', 'Gallant said so.', '{}', :now)"), {"now": now})
        conn.execute(text("INSERT INTO mentions (article_id, actor_id, start, \"end\", text) VALUES "
                          "('a1', 'gallant', 0, 7, 'Gallant')"))
        conn.execute(text("INSERT INTO scenarios (id, title, version, content, whatifs, created_at, updated_at, "
                          "updated_by) VALUES ('rafah', 'Rafah', 2, :content, '[]', :now, :now, 'alice')"),
                     {"content": content, "now": now})
        for version in (1, 2):
            conn.execute(text("INSERT INTO scenario_revisions (scenario_id, version, author, at, summary, changes, "
                              "content, whatifs) VALUES ('rafah', :v, 'alice', :now, 'saved', :changes, :content, "
                              "'[]')"), {"v": version, "now": now, "content": content,
                                         "changes": json.dumps([f"change {version}"])})
        conn.execute(text("INSERT INTO source_articles (scenario_id, source_id, article_id) "
                          "VALUES ('rafah', 'ref', 'a1')"))
        conn.execute(text("INSERT INTO api_tokens (name, digest, created_at) VALUES ('bob', :d, :now)"),
                     {"d": token_digest("an-old-token"), "now": now})
    assert not inspect(engine).has_table("alembic_version")
    engine.dispose()


def test_a_store_made_before_migrations_is_upgraded_without_loss(url):
    _old_store(url)
    with Corpus.open(url) as corpus:
        assert migrate.current(corpus.engine) == migrate.head()
        store = ScenarioStore(corpus.engine)
        stored = store.get("rafah")
        assert stored.version == 2 and stored.scenario == stakes.load("rafah-2024")
        assert [r.changes for r in store.history("rafah")] == [["change 2"], ["change 1"]]
        assert store.linked_articles("rafah") == {"ref": "a1"}
        assert store.token_holder("an-old-token") == "bob"
        assert corpus.counts()["mentions"] == 1 and corpus.article("a1").text == "Gallant said so."
        with corpus.engine.connect() as conn:
            row = conn.execute(select(ScenarioRow.__table__).where(ScenarioRow.id == "rafah")).one()
        scenario = stakes.load("rafah-2024")
        assert (row.actor_count, row.issue_count, row.as_of) == (len(scenario.actors), len(scenario.issues),
                                                                 scenario.as_of)
        assert row.size == len(row.content) and row.digest == content_digest(row.content)
        assert row.deleted_at is None
        [listed] = store.list()
        assert (listed["actors"], listed["issues"], listed["as_of"]) == (12, 3, scenario.as_of)


def test_a_corpus_made_before_the_scenario_tables_gains_them(tmp_path):
    url = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    engine = create_engine(url)
    corpus_only = {"articles", "mentions", "quotes", "events", "stances"}
    with engine.begin() as conn:
        for statement in _old_ddl("sqlite"):
            words = statement.split()  # CREATE TABLE name ... | CREATE INDEX ix ON name ...
            if (words[2] if words[1] == "TABLE" else words[4]) in corpus_only:
                conn.exec_driver_sql(statement)
    engine.dispose()
    with Corpus.open(url, create=False) as corpus:
        assert {"scenarios", "api_tokens", "alembic_version"} <= set(inspect(corpus.engine).get_table_names())
        assert ScenarioStore(corpus.engine).list() == []


def test_down_to_0001_and_up_again_keeps_the_scenarios(url):
    with Corpus.open(url) as corpus:
        store = ScenarioStore(corpus.engine)
        store.create(stakes.load("eu-emissions"), "alice", "eu")
        assert migrate.downgrade(corpus.engine, "0001_initial").after == "0001_initial"
        assert "actor_count" not in {c["name"] for c in inspect(corpus.engine).get_columns("scenarios")}
        assert migrate.upgrade(corpus.engine) == migrate.Upgrade("0001_initial", migrate.head())
        [listed] = ScenarioStore(corpus.engine).list()
        assert listed["id"] == "eu" and listed["actors"] == len(stakes.load("eu-emissions").actors)
        assert len(store.history("eu")) == 1


def test_opening_twice_migrates_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with Corpus.open(url) as corpus:
        assert migrate.upgrade(corpus.engine) == migrate.Upgrade(migrate.head(), migrate.head())


def test_a_store_from_a_newer_stakes_is_refused_in_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    Corpus.open(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    engine.dispose()
    with pytest.raises(migrate.SchemaError, match=r"revision '0099_future'.*upgrade stakes") as caught:
        Corpus.open(url)
    assert "\n" not in str(caught.value)


def test_stakes_store_upgrade_says_what_it_did(tmp_path):
    from typer.testing import CliRunner

    from stakes.cli import app

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    _old_store(url)
    runner = CliRunner()
    first = runner.invoke(app, ["store", "upgrade", "--db", url], env={"COLUMNS": "200"})
    assert first.exit_code == 0 and f"schema none → {migrate.head()}" in first.stdout
    again = runner.invoke(app, ["store", "upgrade", "--db", url], env={"COLUMNS": "200"})
    assert "up to date" in again.stdout
