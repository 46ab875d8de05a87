"""The corpus store on SQLite and (where one is available) PostgreSQL: each article stored once,
committed one by one, queried over time, exported to Parquet, and safe with concurrent writers."""

from __future__ import annotations

import threading
from datetime import date

import pandas as pd
import pyarrow.parquet as pq
import pytest

from stakes.corpus import (
    Analysis,
    Corpus,
    CorpusError,
    Event,
    Mention,
    Quote,
    StanceEvidence,
    database_url,
    ingest,
)
from stakes.reading.article import Article
from tests.conftest import DATA, empty_postgres

READING = DATA / "reading"


@pytest.fixture(params=["sqlite", "postgresql"])
def corpus_url(request, tmp_path) -> str:
    """A fresh, empty corpus database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    return empty_postgres()


@pytest.fixture
def corpus(corpus_url):
    with Corpus.open(corpus_url) as opened:
        yield opened


def story(k: int, day: int = 1) -> Article:
    return Article(f"Story {k}: the council and the union met. The mediator attended.", title=f"Story {k}",
                   published=date(2024, 3, day), publisher="Gazette", url=f"https://example.org/{k}",
                   origin=f"feed#{k}", meta={"k": str(k)})


def analysis_of(article: Article, position: float = 40.0, confidence: float = 0.5) -> Analysis:
    """Records pointing into ``story()`` texts: the council meets the union, the council's stance."""
    text = article.text
    council = text.index("council")
    first = text.index(".") + 1
    return Analysis(
        mentions=[Mention("council", council, council + 7, "council"),
                  Mention("union", text.index("union"), text.index("union") + 5, "union")],
        quotes=[Quote("mediator", "attended", text.index("attended"), text.index("attended") + 8, "said")],
        events=[Event("council", "union", "040", "CONSULT", 0, first, text[:first])],
        stances=[StanceEvidence("council", "fees", position, confidence, 0, first)],
    )


def test_the_same_article_added_twice_is_stored_once(corpus):
    assert corpus.add([story(1)]).added == 1
    again = corpus.add([story(1), Article("Story 1:  the council and the union met.\nThe mediator attended.")])
    assert (again.added, again.present) == (0, 2)  # same text up to whitespace: same article
    assert corpus.counts()["articles"] == 1
    stored = corpus.article(story(1).id)
    assert stored == story(1)


def test_an_analysis_is_stored_once_and_can_follow_the_article(corpus):
    article = story(1)
    assert corpus.store(article) == "added"
    assert corpus.store(article, analysis_of(article)) == "analysed"
    assert corpus.store(article, analysis_of(article)) == "present"
    assert corpus.counts() == {"articles": 1, "mentions": 2, "quotes": 1, "events": 1, "stances": 1}
    calls = []
    assert corpus.add([article], lambda a: calls.append(a) or analysis_of(a)).present == 1
    assert not calls  # nothing analysed twice


def test_a_crash_mid_batch_keeps_the_articles_already_committed(corpus_url):
    def analyse(article: Article) -> Analysis:
        if article.title == "Story 3":
            raise RuntimeError("analysis crashed")
        return analysis_of(article)

    with Corpus.open(corpus_url) as corpus, pytest.raises(RuntimeError, match="analysis crashed"):
        corpus.add([story(k) for k in range(1, 6)], analyse)
    with Corpus.open(corpus_url) as reopened:
        assert sorted(reopened.articles().title) == ["Story 1", "Story 2"]
        assert reopened.counts()["mentions"] == 4


def test_records_outside_the_article_are_refused_and_nothing_is_stored(corpus):
    article = story(1)
    bad = Analysis(mentions=[Mention("council", 0, len(article.text) + 5, "x")])
    with pytest.raises(CorpusError, match="outside the article"):
        corpus.store(article, bad)
    with pytest.raises(CorpusError, match="confidence"):
        corpus.store(article, Analysis(stances=[StanceEvidence("council", "fees", 50.0, 1.5, 0, 5)]))
    assert corpus.counts()["articles"] == 0


@pytest.fixture
def filled(corpus):
    """Three dated stories with events and stances, and one undated article without analysis."""
    for k, (day, position, confidence) in enumerate([(1, 20.0, 1.0), (10, 40.0, 0.5), (20, 60.0, 1.0)], start=1):
        article = story(k, day)
        corpus.store(article, analysis_of(article, position, confidence))
    mediator = Article("The mediator met the union alone. They agreed on a calendar.", title="Mediator",
                       published=date(2024, 4, 2))
    corpus.store(mediator, Analysis(events=[Event("mediator", "union", "036", None, 0, 34,
                                                  "The mediator met the union alone.", date(2024, 4, 1))]))
    corpus.store(Article("An undated note."))
    return corpus


def test_stance_over_time_in_date_order_and_per_period(filled):
    readings = filled.stance_over_time("council", "fees")
    assert list(readings.position) == [20.0, 40.0, 60.0]
    assert list(readings.date.dt.day) == [1, 10, 20] and readings.evidence[0].startswith("Story 1:")
    monthly = filled.stance_over_time("council", "fees", freq="MS")
    assert len(monthly) == 1 and monthly.readings[0] == 3
    assert monthly.position[0] == pytest.approx((20 * 1.0 + 40 * 0.5 + 60 * 1.0) / 2.5)
    assert filled.stance_over_time("council", "other issue").empty


def test_event_timeline_filters_by_actor_and_date(filled):
    timeline = filled.event_timeline()
    assert list(timeline.date.dt.strftime("%m-%d")) == ["03-01", "03-10", "03-20", "04-01"]
    assert list(filled.event_timeline(actor="mediator").cameo) == ["036"]
    assert len(filled.event_timeline(actor="union", since=date(2024, 3, 15))) == 2
    assert len(filled.event_timeline(until=date(2024, 3, 10))) == 2


def test_actor_network_counts_edges_by_event_type(filled):
    edges = filled.actor_network()
    as_tuples = {(r.source, r.target, r.event_type, r.count) for r in edges.itertuples()}
    assert as_tuples == {("council", "union", "CONSULT", 3), ("mediator", "union", "CAMEO 036", 1)}
    graph = filled.actor_graph()
    assert graph.edges["council", "union"]["weight"] == 3
    assert graph.edges["mediator", "union"]["events"] == {"CAMEO 036": 1}


def test_articles_query_orders_by_date_and_filters_by_actor(filled):
    listing = filled.articles()
    assert list(listing.title.fillna("-")) == ["Story 1", "Story 2", "Story 3", "Mediator", "-"]
    assert list(filled.articles(actor="union").title) == ["Story 1", "Story 2", "Story 3"]
    assert list(filled.articles(since=date(2024, 3, 5), until=date(2024, 3, 31)).title) == ["Story 2", "Story 3"]
    assert listing.analysed_at.notna().sum() == 4 and str(listing.added_at.dt.tz) == "UTC"


def test_parquet_export_writes_every_table(filled, tmp_path):
    written = filled.export_parquet(tmp_path / "export", batch_rows=2)
    assert [p.name for p in written] == ["articles.parquet", "mentions.parquet", "quotes.parquet",
                                         "events.parquet", "stances.parquet"]
    counts = filled.counts()
    for path in written:
        assert pq.read_metadata(path).num_rows == counts[path.stem]
    articles = pd.read_parquet(tmp_path / "export" / "articles.parquet")
    assert set(articles.title.dropna()) == {"Story 1", "Story 2", "Story 3", "Mediator"}
    assert str(pq.read_schema(written[0]).field("published").type) == "date32[day]"


def test_parquet_export_of_an_empty_corpus_has_the_columns(corpus, tmp_path):
    written = corpus.export_parquet(tmp_path)
    assert pq.read_table(written[3]).num_rows == 0
    assert "plover" in pq.read_schema(written[3]).names


def test_concurrent_writers_store_each_article_once(corpus_url):
    Corpus.open(corpus_url).close()  # create the tables before the race
    batch = [story(k) for k in range(12)]
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            with Corpus.open(corpus_url) as corpus:
                for article in batch:
                    corpus.store(article, analysis_of(article))
        except BaseException as exc:  # reported to the main thread below
            failures.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    with Corpus.open(corpus_url) as corpus:
        assert corpus.counts() == {"articles": 12, "mentions": 24, "quotes": 12, "events": 12, "stances": 12}


def test_batch_ingest_stores_readable_documents_and_lists_the_rest(corpus):
    result = ingest(corpus, [str(READING), str(READING / "missing.txt")])
    assert result.added == 9 and result.present == 0
    assert sorted(e.place.rsplit("/", 1)[-1] for e in result.errors) == [
        "corpus.jsonl:3", "corpus.jsonl:4", "feed.rss#3", "missing.txt"]
    again = ingest(corpus, [str(READING)])
    assert (again.added, again.present) == (0, 9)


def test_batch_ingest_keeps_an_article_whose_analysis_failed(corpus):
    result = ingest(corpus, [str(READING / "feed.atom"), str(READING / "talks.txt")], analyse=_analyse_or_fail)
    assert result.added == 2 and len(result.errors) == 1
    assert "analysis failed (ValueError: no actors found)" in result.errors[0].problem
    assert corpus.counts()["mentions"] == 1


@pytest.mark.parametrize("spread", ["processes", "dask"])
def test_batch_ingest_spread_out_matches_a_single_process(tmp_path, spread):
    big = tmp_path / "big.jsonl"
    big.write_text("".join(f'{{"text": "Report {k}: talks continue.", "date": "2024-03-{k % 28 + 1:02d}"}}\n'
                           for k in range(300)), encoding="utf-8")
    with Corpus.open(tmp_path / "one.sqlite") as one, Corpus.open(tmp_path / "two.sqlite") as two:
        sources = [str(big), str(READING / "talks.txt"), str(READING / "corpus.jsonl")]
        serial = ingest(one, sources)
        if spread == "dask":
            from distributed import LocalCluster

            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                              dashboard_address=None) as cluster:
                parallel = ingest(two, sources, cluster=cluster.scheduler_address)
        else:
            parallel = ingest(two, sources, workers=2)
        assert (serial.added, len(serial.errors)) == (parallel.added, len(parallel.errors)) == (304, 2)
        assert sorted(one.articles().id) == sorted(two.articles().id)


def _analyse_or_fail(article: Article) -> Analysis:
    """Finds the port authority in the Atom entry; fails on anything else."""
    if "Port Authority" not in article.text:
        raise ValueError("no actors found")
    start = article.text.index("Port Authority")
    return Analysis(mentions=[Mention("port", start, start + 14, "Port Authority")])


def test_database_urls_from_paths_environment_and_postgres_schemes(monkeypatch, tmp_path):
    monkeypatch.delenv("STAKES_CORPUS", raising=False)
    assert database_url(None) == "sqlite:///stakes-corpus.sqlite"
    assert database_url(tmp_path / "c.sqlite") == f"sqlite:///{tmp_path / 'c.sqlite'}"
    monkeypatch.setenv("STAKES_CORPUS", "postgres://u:p@db/news")
    assert database_url(None) == "postgresql+psycopg://u:p@db/news"
    assert database_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"


def test_an_unreachable_server_is_a_clear_error_without_the_password():
    with pytest.raises(CorpusError, match="cannot open the corpus") as caught:
        Corpus.open("postgresql://stakes:secret@127.0.0.1:1/none")
    assert "secret" not in str(caught.value)
