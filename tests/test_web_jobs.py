"""Jobs of the web app: stored in the database, run by bounded worker processes, cancellable,
limited in time and count, shared by server processes, and surviving a restart.

A "long" job is a Monte Carlo run of 100,000 bdm draws (minutes of work); every test stops the jobs
it starts (cancel, or the app's shutdown kills their workers).
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import httpx
import psutil
import pytest
from sqlalchemy import create_engine, select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx
    from fastapi.testclient import TestClient

import stakes
from stakes.corpus.schema import JobRow
from stakes.corpus.store import database_url
from stakes.web.app import Settings, create_app
from stakes.web.jobs import JobLimits, JobStore, QueueFull
from tests.conftest import empty_postgres

TOKEN = "jobs-test-token-0123456789abcdef-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LONG = {"models": ["bdm"], "draws": 100_000, "seed": 0}
QUICK = {"models": ["mean"], "draws": 20, "seed": 0}


def app_on(db: str | Path, **settings) -> TestClient:
    return TestClient(create_app(Settings(db=str(db), token=TOKEN, **settings)))


def start(client: TestClient, body: dict = LONG, headers: dict = AUTH) -> dict:
    answer = client.post("/api/scenarios/rafah-2024/montecarlo", headers=headers, json=body)
    assert answer.status_code == 202, answer.text
    return answer.json()


def state(client: TestClient, job_id: str) -> dict:
    answer = client.get(f"/api/jobs/{job_id}", headers=AUTH)
    assert answer.status_code == 200, answer.text
    return answer.json()


def wait_until(check, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.05)


def running(client: TestClient, job_id: str) -> dict:
    return wait_until(lambda: (job := state(client, job_id))["status"] == "running" and job, f"{job_id} to run")


def finished(client: TestClient, job_id: str, timeout: float = 60) -> dict:
    return wait_until(lambda: (job := state(client, job_id))["status"] not in ("queued", "running") and job,
                      f"{job_id} to end", timeout)


def worker_pid(client: TestClient) -> int:
    """The process id of the only job worker of the app."""
    [pid] = wait_until(lambda: list(client.app.state.jobs.active().values()), "a worker process")
    return pid


def gone(pid: int, timeout: float = 15) -> bool:
    def ended() -> bool:
        try:
            return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return True
    return wait_until(ended, f"process {pid} to end", timeout)


def test_a_job_is_queued_until_a_worker_takes_it(tmp_path):
    with app_on(tmp_path / "s.sqlite", jobs=JobLimits(workers=1)) as client:
        first = start(client)
        assert first["status"] == "queued" and first["started_at"] is None and first["owner"] == "admin"
        running(client, first["id"])
        second = start(client)
        time.sleep(0.5)  # several rounds of the dispatcher: the only worker is busy
        waiting = state(client, second["id"])
        assert waiting["status"] == "queued" and waiting["started_at"] is None and waiting["done"] == 0
        assert [job["status"] for job in client.get("/api/jobs", headers=AUTH).json()] == ["queued", "running"]
        client.delete(f"/api/jobs/{first['id']}", headers=AUTH)
        assert running(client, second["id"])["started_at"] is not None
        client.delete(f"/api/jobs/{second['id']}", headers=AUTH)


def test_cancel_stops_a_running_jobs_worker_and_the_job_stays_cancelled(tmp_path):
    with app_on(tmp_path / "s.sqlite") as client:
        job = start(client)
        running(client, job["id"])
        pid = worker_pid(client)
        answer = client.delete(f"/api/jobs/{job['id']}", headers=AUTH)
        assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
        assert gone(pid)
        wait_until(lambda: not client.app.state.jobs.active(), "the dispatcher to let the job go")
        after = state(client, job["id"])
        assert after["status"] == "cancelled" and after["result"] is None and "cancelled by admin" in after["error"]


def test_a_cancelled_queued_job_never_runs_and_only_its_owner_may_cancel(tmp_path):
    with app_on(tmp_path / "s.sqlite", jobs=JobLimits(workers=1)) as client:
        bob = {"Authorization": f"Bearer {client.app.state.store.create_token('bob')}"}
        carol = {"Authorization": f"Bearer {client.app.state.store.create_token('carol')}"}
        busy = start(client)
        queued = start(client, QUICK, headers=bob)
        refused = client.delete(f"/api/jobs/{queued['id']}", headers=carol)
        assert refused.status_code == 403 and "bob" in refused.json()["detail"]
        assert client.delete(f"/api/jobs/{queued['id']}", headers=bob).json()["status"] == "cancelled"
        client.delete(f"/api/jobs/{busy['id']}", headers=AUTH)
        time.sleep(0.5)
        after = state(client, queued["id"])
        assert after["status"] == "cancelled" and after["started_at"] is None
        assert client.delete("/api/jobs/nope", headers=AUTH).status_code == 404


def test_past_the_queue_bound_a_job_is_refused_with_429_and_retry_after(tmp_path):
    with app_on(tmp_path / "s.sqlite", jobs=JobLimits(workers=1, queue=2)) as client:
        jobs = [start(client), start(client)]
        answer = client.post("/api/scenarios/rafah-2024/montecarlo", headers=AUTH, json=QUICK)
        assert answer.status_code == 429, answer.text
        assert int(answer.headers["Retry-After"]) >= 1 and "try again" in answer.json()["detail"]
        assert len(client.get("/api/jobs", headers=AUTH).json()) == 2  # nothing was queued
        client.delete(f"/api/jobs/{jobs[1]['id']}", headers=AUTH)
        assert start(client, QUICK)["status"] == "queued"  # a cancelled job frees its place
        client.delete(f"/api/jobs/{jobs[0]['id']}", headers=AUTH)


def test_old_finished_jobs_are_forgotten_but_never_a_running_one(tmp_path):
    with app_on(tmp_path / "s.sqlite", jobs=JobLimits(workers=2, keep=1)) as client:
        long = start(client)
        running(client, long["id"])
        quick = [start(client, QUICK) for _ in range(3)]
        for job in quick:  # each ends (done, or already forgotten)
            wait_until(lambda job=job: client.get(f"/api/jobs/{job['id']}", headers=AUTH).json().get("status")
                       in ("done", None), "a quick job to end")
        kept = [client.get(f"/api/jobs/{job['id']}", headers=AUTH).status_code for job in quick]
        assert kept == [404, 404, 200]
        assert state(client, long["id"])["status"] == "running"
        client.delete(f"/api/jobs/{long['id']}", headers=AUTH)


def test_a_runaway_job_is_stopped_at_its_time_limit(tmp_path):
    with app_on(tmp_path / "s.sqlite", jobs=JobLimits(time_limit=1.0)) as client:
        job = start(client)
        running(client, job["id"])
        pid = worker_pid(client)
        ended = finished(client, job["id"], timeout=30)
        assert ended["status"] == "failed" and ended["failure"] == "time limit" and "time limit" in ended["error"]
        assert ended["time_limit"] == 1.0 and gone(pid)


def test_a_job_over_its_memory_limit_fails_alone(tmp_path):
    with app_on(tmp_path / "s.sqlite", jobs=JobLimits(memory=300 * 2**20)) as client:
        ended = finished(client, start(client, QUICK)["id"])
        assert ended["status"] == "failed" and ended["failure"] == "memory", ended
        assert client.get("/api/health").status_code == 200


def test_a_sensitivity_request_runs_in_a_worker_while_health_answers(tmp_path):
    """The request waits for its job; the server's interpreter is free: health answers while it runs,
    and a client that gives up cancels the job."""
    with app_on(tmp_path / "s.sqlite") as client:
        answers = []
        request = threading.Thread(target=lambda: answers.append(client.post(
            "/api/scenarios/rafah-2024/sensitivity", headers=AUTH, json={"model": "bdm", "points": 50})))
        request.start()
        [job] = wait_until(lambda: [j for j in client.get("/api/jobs", headers=AUTH).json()
                                    if j["status"] == "running"], "the sensitivity job to run")
        assert job["kind"] == "sensitivity"
        assert client.get("/api/health").status_code == 200
        assert state(client, job["id"])["status"] == "running"  # health answered before the job ended
        client.delete(f"/api/jobs/{job['id']}", headers=AUTH)
        request.join(timeout=30)
        assert answers and answers[0].status_code == 503 and "cancelled" in answers[0].json()["detail"]


def test_a_forecast_of_a_large_scenario_is_a_job_with_the_same_answer(tmp_path):
    with app_on(tmp_path / "s.sqlite", inline_actors=0) as client:
        answer = client.post("/api/scenarios/rafah-2024/forecast", headers=AUTH, json={"models": ["mean", "bdm"]})
        assert answer.status_code == 200, answer.text
        [job] = client.get("/api/jobs", headers=AUTH).json()
        assert job["kind"] == "forecast" and job["status"] == "done"
    with app_on(tmp_path / "inline.sqlite") as inline:
        direct = inline.post("/api/scenarios/rafah-2024/forecast", headers=AUTH, json={"models": ["mean", "bdm"]})
        assert inline.get("/api/jobs", headers=AUTH).json() == []
    # the worker runs the expected-utility model on the engine it picks itself (numpy for a scenario
    # this small), the test process on the compiled one: they agree to about 1e-14 of the scale
    assert _close(answer.json(), direct.json())


def _close(a, b) -> bool:
    """Whether two JSON answers agree, numbers to 1e-9 (results of two engines of one model)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def test_reading_articles_is_a_job_and_a_taken_id_is_still_409(tmp_path):
    pytest.importorskip("spacy")
    text = "Prime Minister Benjamin Netanyahu said that Israel will launch the operation in Rafah.\n"
    with app_on(tmp_path / "s.sqlite") as client:
        taken = client.post("/api/scenarios/read", headers=AUTH,
                            json={"id": "rafah-2024", "articles": [{"text": text}]})
        assert taken.status_code == 409 and "already stored" in taken.json()["detail"]
        linked = client.post("/api/scenarios/rafah-2024/sources/ref/article", headers=AUTH, json={"text": text})
        assert linked.status_code == 201, linked.text
        jobs = client.get("/api/jobs", headers=AUTH).json()
        assert [(j["kind"], j["status"], j["failure"]) for j in jobs] == [
            ("link", "done", None), ("read", "failed", "conflict")]
        assert client.get(f"/api/articles/{linked.json()['article_id']}", headers=AUTH).json()["text"] == text


# -- restarts and server processes ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(db: Path, *options: str) -> tuple[subprocess.Popen, str]:
    """A real ``stakes serve`` on 127.0.0.1, up and answering."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "stakes", "serve", "--db", str(db), "--port", str(port),
                                *options], env={**os.environ, "STAKES_TOKEN": TOKEN},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert process.poll() is None, process.stderr.read().decode()
        try:
            return httpx.get(base + "/api/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False
    wait_until(up, "the server to start")
    return process, base


def assert_close(got, expected, where: str = "result") -> None:
    """``got`` has the structure and texts of ``expected`` and its numbers to 1e-9 (relative)."""
    if isinstance(expected, dict):
        assert isinstance(got, dict) and got.keys() == expected.keys(), where
        for key in expected:
            assert_close(got[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), where
        for k, (a, b) in enumerate(zip(got, expected)):
            assert_close(a, b, f"{where}[{k}]")
    elif isinstance(expected, float):
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12), where
    else:
        assert got == expected, where


def test_with_a_dask_cluster_monte_carlo_and_comparison_jobs_spread_their_draws_there(tmp_path):
    from distributed import LocalCluster

    from stakes.web import work

    scenario = stakes.load("rafah-2024")
    whatif = {"id": "weaker", "title": "Hamas weaker", "changes": ["hamas.capability *= 0.5"]}
    asked = {"montecarlo": {"models": ["mean", "bdm"], "draws": 300, "seed": 5},
             "compare": {"models": ["mean"], "draws": 200, "seed": 5, "whatifs": [whatif]}}
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://", host="127.0.0.1",
                      dashboard_address=None) as cluster:
        with app_on(tmp_path / "s.sqlite", jobs=JobLimits(cluster=cluster.scheduler_address)) as client:
            for kind, body in asked.items():
                answer = client.post(f"/api/scenarios/rafah-2024/{kind}", headers=AUTH, json=body)
                assert answer.status_code == 202, answer.text
                job = finished(client, answer.json()["id"], timeout=180)
                assert job["status"] == "done", job
                alone = getattr(work, {"montecarlo": "run_monte_carlo", "compare": "run_compare"}[kind])(
                    scenario, {**body, "cluster": None}, lambda done, total: None)
                # the numbers of one process (the engines running the draws may differ in the last digit)
                assert_close(job["result"], json.loads(json.dumps(alone)))
        ran = {key.rsplit("-", 1)[0] for key in cluster.scheduler.task_prefixes}
    assert "run_block" in ran  # the draws were run by the cluster's workers


def _send_whether_the_reading_pipeline_is_loaded(pipe) -> None:
    from stakes.reading import nlp

    pipe.send(nlp.nlp_pipeline.cache_info().currsize)
    pipe.close()


def test_job_workers_start_with_the_reading_pipeline_loaded():
    from stakes.web.jobs import _context

    receive, send = _context().Pipe(duplex=False)
    worker = _context().Process(target=_send_whether_the_reading_pipeline_is_loaded, args=(send,))
    worker.start()
    send.close()
    assert receive.recv() == 1  # loaded once in the fork server, not by each reading job
    worker.join(timeout=30)


def test_sigterm_stops_in_flight_work_and_marks_it_interrupted(tmp_path):
    db = tmp_path / "s.sqlite"
    process, base = serve(db)
    try:
        job = httpx.post(base + "/api/scenarios/rafah-2024/montecarlo", headers=AUTH, json=LONG).json()
        wait_until(lambda: httpx.get(f"{base}/api/jobs/{job['id']}", headers=AUTH).json()["status"] == "running",
                   "the job to run")
        processes = psutil.Process(process.pid).children(recursive=True)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)  # uvicorn ends by the signal it caught
        assert all(gone(p.pid) for p in processes)  # the fork server and the job's worker
    finally:
        if process.poll() is None:
            process.kill()
    with app_on(db) as client:
        after = state(client, job["id"])
    assert after["status"] == "failed" and after["failure"] == "interrupted" and "shut down" in after["error"]


def test_a_restart_keeps_finished_results_and_fails_jobs_its_crash_interrupted(tmp_path):
    db = tmp_path / "s.sqlite"
    process, base = serve(db)
    try:
        quick = httpx.post(base + "/api/scenarios/rafah-2024/montecarlo", headers=AUTH, json=QUICK).json()
        wait_until(lambda: httpx.get(f"{base}/api/jobs/{quick['id']}", headers=AUTH).json()["status"] == "done",
                   "the quick job to end")
        done = httpx.get(f"{base}/api/jobs/{quick['id']}", headers=AUTH).json()
        long = httpx.post(base + "/api/scenarios/rafah-2024/montecarlo", headers=AUTH, json=LONG).json()
        wait_until(lambda: httpx.get(f"{base}/api/jobs/{long['id']}", headers=AUTH).json()["status"] == "running",
                   "the long job to run")
        processes = psutil.Process(process.pid).children(recursive=True)
        process.kill()  # a crash: nothing is marked
        process.wait(timeout=10)
        assert all(gone(p.pid) for p in processes)  # workers do not outlive their server
    finally:
        if process.poll() is None:
            process.kill()
    with app_on(db, jobs=JobLimits(stale_after=1.0)) as client:
        assert state(client, quick["id"]) == done  # the result, as it was
        after = finished(client, long["id"], timeout=20)
    assert after["status"] == "failed" and after["failure"] == "interrupted"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> str:
    return str(tmp_path / "s.sqlite") if request.param == "sqlite" else empty_postgres()


def test_concurrent_claims_take_each_job_exactly_once(database):
    engines = [create_engine(database_url(database)) for _ in range(4)]
    stores = [JobStore(engine) for engine in engines]
    submitted = {stores[0].submit("montecarlo", "admin", {"scenario": "x", "version": 1}, 1,
                                  JobLimits(queue=100))["id"] for _ in range(40)}
    taken: list[list[str]] = [[] for _ in stores]

    def take(k: int) -> None:
        while True:
            job = stores[k].claim(f"worker-{k}")
            if job is not None:
                taken[k].append(job["id"])
            elif "queued" not in stores[k].states(list(submitted)).values():
                return

    threads = [threading.Thread(target=take, args=(k,)) for k in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    claimed = [job_id for ids in taken for job_id in ids]
    assert sorted(claimed) == sorted(submitted)  # every job once, none twice
    with engines[0].connect() as conn:
        owners = dict(conn.execute(select(JobRow.id, JobRow.worker)).all())
    assert all(owners[job_id] == f"worker-{k}" for k, ids in enumerate(taken) for job_id in ids)
    for engine in engines:
        engine.dispose()


def test_concurrent_submits_hold_the_queue_bound_exactly(database):
    engines = [create_engine(database_url(database)) for _ in range(4)]
    stores = [JobStore(engine) for engine in engines]
    outcomes: list[str] = []

    def submit(k: int) -> None:
        for _ in range(10):
            try:
                stores[k].submit("montecarlo", "admin", {"scenario": "x", "version": 1}, 1, JobLimits(queue=15))
                outcomes.append("queued")
            except QueueFull:
                outcomes.append("refused")

    threads = [threading.Thread(target=submit, args=(k,)) for k in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["queued"] * 15 + ["refused"] * 25  # and no other error
    for engine in engines:
        engine.dispose()


def test_two_servers_on_one_postgresql_share_the_jobs():
    url = empty_postgres()
    with app_on(url, jobs=JobLimits(workers=1)) as first, app_on(url, jobs=JobLimits(workers=1), seed_bundled=False) as second:
        jobs = [start(first, {"models": ["bdm"], "draws": 400, "seed": k}) for k in range(4)]
        assert {j["id"] for j in second.get("/api/jobs", headers=AUTH).json()} == {j["id"] for j in jobs}
        ended = [finished(second, job["id"], timeout=120) for job in jobs]
        assert all(job["status"] == "done" and job["done"] == 400 for job in ended)
        with create_engine(database_url(url)).connect() as conn:
            workers = set(conn.execute(select(JobRow.worker)).scalars())
        assert workers == {first.app.state.jobs.worker, second.app.state.jobs.worker}


def test_the_jobs_table_comes_with_revision_0003_jobs(tmp_path):
    from sqlalchemy import inspect

    from stakes.corpus import migrate

    engine = create_engine(database_url(tmp_path / "s.sqlite"))
    assert migrate.upgrade(engine, "0002_scenario_summary").after == "0002_scenario_summary"
    assert "jobs" not in inspect(engine).get_table_names()
    assert migrate.upgrade(engine).after == "0003_jobs"
    assert {c["name"] for c in inspect(engine).get_columns("jobs")} == set(JobRow.__table__.columns.keys())
    assert migrate.downgrade(engine, "0002_scenario_summary").after == "0002_scenario_summary"
    assert "jobs" not in inspect(engine).get_table_names()
    engine.dispose()
