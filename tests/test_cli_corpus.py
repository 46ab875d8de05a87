"""``stakes ingest`` and ``stakes corpus`` as a user meets them: what is read, what is stored, the
errors listed at the end, the exit codes, and every query and output format."""

from __future__ import annotations

import io
import json
from datetime import date

import pandas as pd
import pytest
from typer.testing import CliRunner

from stakes.cli import app
from stakes.corpus import Analysis, Corpus, Event, StanceEvidence
from stakes.errors import ScenarioError
from stakes.reading.article import Article
from tests.conftest import DATA

READING = DATA / "reading"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def db(tmp_path) -> str:
    return str(tmp_path / "corpus.sqlite")


@pytest.fixture
def analysed_db(db) -> str:
    """A corpus with two dated articles carrying events and stances."""
    with Corpus.open(db) as corpus:
        for day, position in ((3, 30.0), (17, 55.0)):
            text = f"On March {day} the council met the union. The council softened its line."
            first = text.index(".") + 1
            corpus.store(Article(text, title=f"Talks {day}", published=date(2024, 3, day)), Analysis(
                events=[Event("council", "union", "040", "CONSULT", 0, first, text[:first])],
                stances=[StanceEvidence("council", "fees", position, 0.8, first + 1, len(text))]))
    return db


def test_ingest_shows_each_article_and_lists_unreadable_documents_at_the_end():
    result = run("ingest", READING, "--lines", "1")
    assert result.exit_code == 0
    for text in ("Council offers compromise on harbour fees", "publisher: Harbour Gazette",
                 "date: 2024-03-20", "Union sets strike date", "9 articles read"):
        assert text in result.stdout
    assert "3 documents could not be read" in result.stderr
    assert "corpus.jsonl:4: not valid JSON" in result.stderr and "fix:" in result.stderr


def test_ingest_jsonl_output_reads_back_as_the_same_articles(tmp_path, db):
    result = run("ingest", READING / "page.html", READING / "briefing.md", "--format", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["title"] for r in records] == ["Council offers compromise on harbour fees",
                                             "Shipping firms warn against fee rise"]
    assert records[0]["date"] == "2024-03-20" and records[0]["author"] == "Ana Ruiz"
    corpus_file = tmp_path / "articles.jsonl"
    corpus_file.write_text(result.stdout, encoding="utf-8")
    assert run("corpus", "add", corpus_file, "--db", db).exit_code == 0
    with Corpus.open(db) as corpus:
        stored = corpus.articles()
    assert sorted(stored.id) == sorted(r["id"] for r in records)
    assert set(stored.published.dt.date) == {date(2024, 3, 20), date(2024, 3, 18)}


def test_ingest_of_nothing_readable_exits_non_zero(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    result = run("ingest", tmp_path)
    assert result.exit_code == 1 and "empty document" in result.stderr


def test_corpus_add_stores_once_and_says_what_it_did(db):
    first = run("corpus", "add", READING, "--db", db)
    assert first.exit_code == 0 and first.stdout.startswith("9 articles added")
    assert "3 documents could not be read" in first.stderr
    second = run("corpus", "add", READING / "page.html", READING / "talks.txt", "--db", db)
    assert second.exit_code == 0 and "0 articles added, 2 already stored" in second.stdout


def test_corpus_add_fails_only_when_nothing_could_be_read(tmp_path, db):
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4 binary")
    failed = run("corpus", "add", tmp_path / "scan.pdf", tmp_path / "missing.txt", "--db", db)
    assert failed.exit_code == 1 and "PDF" in failed.stderr and "no such file" in failed.stderr
    mixed = run("corpus", "add", tmp_path / "scan.pdf", READING / "talks.txt", "--db", db)
    assert mixed.exit_code == 0 and "1 article added" in mixed.stdout
    (tmp_path / "nothing").mkdir()
    empty = run("corpus", "add", tmp_path / "nothing", "--db", db)
    assert empty.exit_code == 1 and "no documents found" in empty.stderr


def test_corpus_add_reads_jsonl_with_renamed_fields(tmp_path, db):
    corpus_file = tmp_path / "crawl.jsonl"
    corpus_file.write_text(json.dumps({"body": "The talks resumed.", "when": "2024-06-01"}) + "\n")
    result = run("corpus", "add", corpus_file, "--db", db, "--field", "text=body", "--field", "date=when")
    assert result.exit_code == 0
    assert run("corpus", "query", "articles", "--db", db, "-f", "json").stdout.count('"2024-06-01"') == 1
    assert run("corpus", "add", corpus_file, "--db", db, "--field", "body").exit_code == 2


def test_query_articles_as_csv_and_table(db):
    run("corpus", "add", READING / "corpus.jsonl", READING / "briefing.md", "--db", db)
    table = pd.read_csv(io.StringIO(run("corpus", "query", "articles", "--db", db, "-f", "csv").stdout))
    assert list(table.published) == ["2024-03-18", "2024-04-05", "2024-04-08", "2024-04-09"]
    assert table.columns[:4].tolist() == ["id", "published", "title", "publisher"]
    shown = run("corpus", "query", "articles", "--db", db, "--since", "2024-04-06", "--limit", "1")
    assert "Union accepts proposal" in shown.stdout and "1 row" in shown.stdout


def test_query_events_network_and_stances(analysed_db):
    events = json.loads(run("corpus", "query", "events", "--db", analysed_db, "--actor", "union",
                            "-f", "json").stdout)
    assert [e["date"] for e in events] == ["2024-03-03", "2024-03-17"] and events[0]["plover"] == "CONSULT"
    network = pd.read_csv(io.StringIO(run("corpus", "query", "network", "--db", analysed_db, "-f", "csv").stdout))
    assert network.to_dict("records") == [{"source": "council", "target": "union", "event_type": "CONSULT",
                                           "count": 2, "first": "2024-03-03", "last": "2024-03-17"}]
    stances = run("corpus", "query", "stances", "--db", analysed_db, "--actor", "council", "--issue", "fees")
    assert "softened" in stances.stdout and "2 rows" in stances.stdout
    monthly = json.loads(run("corpus", "query", "stances", "--db", analysed_db, "--freq", "MS", "-f", "json").stdout)
    assert monthly == [{"date": "2024-03-01", "actor_id": "council", "issue_id": "fees", "position": 42.5,
                        "confidence": 0.8, "readings": 2}]
    later = json.loads(run("corpus", "query", "stances", "--db", analysed_db, "--until", "2024-03-10",
                           "-f", "json").stdout)
    assert [s["position"] for s in later] == [30.0]


def test_query_to_parquet_needs_a_file_and_writes_one(analysed_db, tmp_path):
    assert run("corpus", "query", "events", "--db", analysed_db, "-f", "parquet").exit_code == 2
    target = tmp_path / "events.parquet"
    result = run("corpus", "query", "events", "--db", analysed_db, "-f", "parquet", "-o", target)
    assert result.exit_code == 0 and len(pd.read_parquet(target)) == 2


def test_query_options_that_do_not_apply_are_refused(analysed_db):
    assert run("corpus", "query", "events", "--db", analysed_db, "--issue", "fees").exit_code == 2
    assert run("corpus", "query", "events", "--db", analysed_db, "--since", "March").exit_code == 2


def test_export_writes_a_parquet_file_per_table(analysed_db, tmp_path):
    result = run("corpus", "export", tmp_path / "out", "--db", analysed_db)
    assert result.exit_code == 0 and "events.parquet: 2 rows" in result.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "articles.parquet", "events.parquet", "mentions.parquet", "quotes.parquet", "stances.parquet"]


def test_querying_a_missing_corpus_is_an_error_and_creates_no_file(tmp_path):
    missing = tmp_path / "nothing.sqlite"
    result = runner.invoke(app, ["corpus", "query", "articles", "--db", str(missing)])
    assert result.exit_code != 0 and "no corpus at" in str(result.exception)
    assert not missing.exists()


def test_add_with_analyse_stores_the_reading_pipelines_records(db, tmp_path):
    article = tmp_path / "rafah.txt"
    article.write_text(
        "Rafah talks stall\n\nEgypt warned Israel that an assault on Rafah would endanger the peace treaty. "
        "Prime Minister Benjamin Netanyahu vowed to press the offensive in Rafah. "
        "The United States urged restraint and pressed for a ceasefire.\n", encoding="utf-8")
    result = run("corpus", "add", article, "--db", db, "--analyse", "--scenario", "rafah-2024")
    assert result.exit_code == 0, result.output
    with Corpus.open(db) as corpus:
        counts = corpus.counts()
        assert counts["articles"] == 1 and counts["mentions"] > 0 and counts["events"] > 0
        stances = corpus.stance_over_time()
    assert set(stances["issue_id"]) <= {"rafah_operation", "hostage_deal", "northern_front"}
    assert len(stances) > 0


def test_analyse_with_an_unknown_scenario_is_a_clear_error(db):
    result = runner.invoke(app, ["corpus", "add", str(READING / "talks.txt"), "--db", db, "--analyse",
                                 "--scenario", "no-such-scenario"])
    assert isinstance(result.exception, ScenarioError) and "no-such-scenario" in str(result.exception)
    with Corpus.open(db) as corpus:
        assert corpus.counts()["articles"] == 0  # nothing is stored when the issues cannot be read
