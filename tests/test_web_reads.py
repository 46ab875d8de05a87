"""Reads cost the server little: the statements each request sends to the database, answers kept by
the stored state they come from (and given up when it changes, whoever changed it), no parsing or
validating on reads or on refused writes, a connection pool that is reused, and a job dispatcher
that leaves the database alone while there is nothing to do."""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx
    from fastapi.testclient import TestClient

import stakes
from stakes.corpus import scenarios as stored_scenarios
from stakes.corpus.scenarios import ScenarioStore
from stakes.corpus.store import POOL_SIZE, Corpus
from stakes.reading.article import Article
from stakes.scenario.io import bundled_scenarios
from stakes.web import jobs as web_jobs
from stakes.web.app import REQUEST_THREADS, Settings, create_app
from stakes.web.jobs import JobLimits, Jobs
from stakes.web.routes import scenarios as scenario_routes
from tests.conftest import empty_postgres

TOKEN = "reads-test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> str:
    return str(tmp_path / "s.sqlite") if request.param == "sqlite" else empty_postgres()


@pytest.fixture
def client(database) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=database, token=TOKEN))) as opened:
        yield opened


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent on ``engine`` meanwhile by anything but the job dispatcher."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        if threading.current_thread().name != "stakes-jobs":
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def engine_of(client: TestClient) -> Engine:
    return client.app.state.corpus.engine


def ok(answer, status: int = 200) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json()


def test_reading_a_scenario_its_evidence_and_history_takes_few_statements(client):
    sources = len(stakes.load("rafah-2024").sources)
    assert sources >= 5  # else the evidence's count below would not tell one query per source apart
    for path in ("", "/evidence", "/history"):
        ok(client.get(f"/api/scenarios/rafah-2024{path}", headers=AUTH))  # the first read may parse
    expected = {"": 1, "/evidence": 3, "/history": 1}  # evidence: the scenario, its links, which articles exist
    for path, most in expected.items():
        with statements(engine_of(client)) as sent:
            ok(client.get(f"/api/scenarios/rafah-2024{path}", headers=AUTH))
        assert len(sent) == most, (path, sent)


def test_an_unchanged_scenario_is_answered_without_being_encoded_or_its_whatifs_parsed_again(client, monkeypatch):
    parsed = []
    real = stored_scenarios._whatifs
    monkeypatch.setattr(stored_scenarios, "_whatifs", lambda *a: parsed.append(1) or real(*a))
    first = ok(client.get("/api/scenarios/rafah-2024", headers=AUTH))
    assert first["whatifs"]  # rafah-2024 comes with what-ifs: there is something to parse
    answers = client.app.state.answers
    made = answers.made
    for _ in range(3):
        assert ok(client.get("/api/scenarios/rafah-2024", headers=AUTH)) == first
    assert answers.made == made and len(parsed) <= 1


def test_a_save_here_or_by_another_server_is_read_at_once(client, database):
    before = ok(client.get("/api/scenarios/rafah-2024", headers=AUTH))
    history = ok(client.get("/api/scenarios/rafah-2024/history", headers=AUTH))
    evidence = ok(client.get("/api/scenarios/rafah-2024/evidence", headers=AUTH))
    actor = before["scenario"]["actors"][0]["id"]
    edit = {"actor": actor, "quantity": "capability", "value": 33, "low": 30, "high": 36, "basis": "a new basis"}
    saved = ok(client.patch("/api/scenarios/rafah-2024/cells", headers=AUTH,
                            json={"version": before["version"], "edits": [edit]}))
    after = ok(client.get("/api/scenarios/rafah-2024", headers=AUTH))
    assert after == saved and after["version"] == before["version"] + 1
    assert after["scenario"]["actors"][0]["capability"]["value"] == 33
    assert len(ok(client.get("/api/scenarios/rafah-2024/history", headers=AUTH))) == len(history) + 1
    row = next(r for r in ok(client.get("/api/scenarios/rafah-2024/evidence", headers=AUTH))
               if r["key"] == f"{actor}.capability")
    assert row["basis"] == "a new basis" and row not in evidence

    with Corpus.open(database) as other:  # another server on the same database
        store = ScenarioStore(other.engine)
        current = store.get("rafah-2024")
        store.save("rafah-2024", current.version, "bob", whatifs=[])
        source = current.scenario.sources[0].id
        article = Article(text="A report that the source stands for, stored by another server.", title="report")
        other.store(article)
        store.link_article("rafah-2024", source, article.id)
    latest = ok(client.get("/api/scenarios/rafah-2024", headers=AUTH))
    assert latest["version"] == after["version"] + 1 and latest["updated_by"] == "bob" and latest["whatifs"] == []
    assert ok(client.get("/api/scenarios/rafah-2024/history", headers=AUTH))[0]["author"] == "bob"
    linked = [r for r in ok(client.get("/api/scenarios/rafah-2024/evidence", headers=AUTH))
              if r["source"] and r["source"]["id"] == source]
    assert linked and all(r["article_id"] == article.id for r in linked)


def test_a_save_on_a_stale_version_is_refused_before_the_edits_are_checked(client, monkeypatch):
    current = ok(client.get("/api/scenarios/rafah-2024", headers=AUTH))
    edit = {"actor": current["scenario"]["actors"][0]["id"], "quantity": "capability", "value": 40,
            "low": 35, "high": 45}
    ok(client.patch("/api/scenarios/rafah-2024/cells", headers=AUTH, json={"version": current["version"],
                                                                          "edits": [edit]}))
    checked = []
    real = scenario_routes.validated
    monkeypatch.setattr(scenario_routes, "validated", lambda *a: checked.append(1) or real(*a))
    with statements(engine_of(client)) as sent:
        refused = client.patch("/api/scenarios/rafah-2024/cells", headers=AUTH,
                               json={"version": current["version"], "edits": [edit]})
    assert refused.status_code == 409 and refused.json()["current_version"] == current["version"] + 1
    assert checked == [] and len(sent) == 1


def test_a_save_writes_once_without_reading_the_scenario_again(client):
    current = ok(client.get("/api/scenarios/rafah-2024", headers=AUTH))
    edit = {"actor": current["scenario"]["actors"][0]["id"], "quantity": "capability", "value": 41,
            "low": 35, "high": 45}
    with statements(engine_of(client)) as sent:
        ok(client.patch("/api/scenarios/rafah-2024/cells", headers=AUTH,
                        json={"version": current["version"], "edits": [edit]}))
    reads = [s for s in sent if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1 and len(sent) == 3, sent  # read the current version; update it; add its revision


def test_requests_at_once_reuse_the_pools_connections():
    engine = Corpus.open(empty_postgres()).engine
    opened = []
    event.listen(engine, "connect", lambda *_: opened.append(1))
    at_once = REQUEST_THREADS  # a server's requests that may query at the same moment
    together = threading.Barrier(at_once, timeout=10)
    failed = []

    def request() -> None:
        try:
            for _ in range(3):
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                    together.wait()  # every request holds its connection at once
                together.wait()  # and every one has given it back
        except threading.BrokenBarrierError as exc:
            failed.append(exc)

    threads = [threading.Thread(target=request) for _ in range(at_once)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert not failed and POOL_SIZE >= at_once
    assert len(opened) <= at_once  # opened once each (or before), then kept: not again every round


def test_an_idle_dispatcher_leaves_the_database_alone_and_a_submit_wakes_it(tmp_path, monkeypatch):
    corpus = Corpus.open(tmp_path / "s.sqlite")
    store = ScenarioStore(corpus.engine)
    store.seed_bundled()
    jobs = Jobs(corpus.engine, JobLimits(workers=1))
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        if threading.current_thread().name == "stakes-jobs":
            sent.append(statement)

    event.listen(corpus.engine, "before_cursor_execute", note)
    jobs.start()
    try:
        time.sleep(1.5)  # 15 rounds of the dispatcher
        assert len(sent) <= 6, sent  # a claim on starting and one a second, the stale check, not one a round
        monkeypatch.setattr(web_jobs, "CLAIM_EVERY", 3600.0)  # from now on only a wake-up claims
        version = store.get("rafah-2024").version
        job = jobs.submit("montecarlo", "admin", {"scenario": "rafah-2024", "version": version, "models": ["mean"],
                                                  "draws": 20, "seed": 0}, 20)
        deadline = time.monotonic() + 120
        while jobs.get(job["id"])["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, "the submitted job was not taken"
            time.sleep(0.05)
        assert jobs.get(job["id"])["status"] == "done"
    finally:
        jobs.shutdown()
        corpus.close()


def test_a_saved_scenario_is_the_one_read_back_from_its_stored_text(tmp_path: Path):
    with Corpus.open(tmp_path / "s.sqlite") as corpus:
        for name in bundled_scenarios():
            saved = ScenarioStore(corpus.engine).create(stakes.load(name), "alice", name)
            assert ScenarioStore(corpus.engine).get(name).scenario == saved.scenario  # a cold store parses the text
