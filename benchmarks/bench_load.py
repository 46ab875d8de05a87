"""A team's load on a real ``stakes serve``: reads, saves and runs while two large Monte Carlo jobs run.

Run as ``python benchmarks/bench_load.py [--db URL] [--users 50] [--seconds 60]`` (needs
``pip install 'stakes[load]'`` for Locust). The script starts ``stakes serve`` on 127.0.0.1 on a free
port (a fresh SQLite file unless ``--db`` names a database), sends traffic only there, and stops the
server when done. It stores a few copies of a bundled scenario, starts two Monte Carlo jobs of
``--draws`` bdm draws, then runs ``--users`` Locust users, headless, for ``--seconds``. Each user
reads (the list, a scenario, its history and evidence, a job, health), saves a cell (taking the
current version from a 409 and retrying), and runs (an inline forecast, or a small Monte Carlo job,
which may be refused with 429 when the queue is full).

It prints requests per second; p50, p95 and p99 per endpoint; the 409 and 429 answers (expected
under contention) and server errors (5xx, the target is none); the p95 of all reads while the jobs
ran (target ≤ 200 ms); acknowledged saves against the revisions stored after the run (target: none
lost); and the peak memory of the server's process tree (server, fork server and job workers)
sampled every 0.2 s, resident (shared pages counted in every process) and proportional (shared
pages split among the processes that share them).
"""

from __future__ import annotations  # noqa: I001 - Locust patches the standard library and comes first

import locust

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import gevent
import httpx
import numpy as np
import psutil
from locust import FastHttpUser, between, task
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stakes

TOKEN = "load-test-token-" + uuid.uuid4().hex
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BASE_SCENARIO = "rafah-2024"
COPIES = 5
MAX_RETRIES = 20
"""Saves retried after a 409 at most this often (then counted as given up)."""


@dataclass
class Run:
    """What the users and the report share: the scenarios, the jobs, and what was acknowledged."""

    scenarios: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)
    acknowledged: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    given_up: int = 0
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))


Shared = Run()


class Team(FastHttpUser):
    """One member of a team: mostly reads, some saves, a few runs."""

    wait_time = between(0.5, 1.5)

    def _get(self, path: str, name: str) -> None:
        with self.client.get(path, headers=AUTH, name=name, catch_response=True) as answer:
            if answer.status_code == 200:
                answer.success()

    @task(4)
    def list_scenarios(self) -> None:
        self._get("/api/scenarios", "GET /api/scenarios")

    @task(4)
    def read_scenario(self) -> None:
        self._get(f"/api/scenarios/{random.choice(Shared.scenarios)}", "GET /api/scenarios/[id]")

    @task(1)
    def read_history(self) -> None:
        self._get(f"/api/scenarios/{random.choice(Shared.scenarios)}/history", "GET /api/scenarios/[id]/history")

    @task(1)
    def read_evidence(self) -> None:
        self._get(f"/api/scenarios/{random.choice(Shared.scenarios)}/evidence", "GET /api/scenarios/[id]/evidence")

    @task(1)
    def poll_job(self) -> None:
        self._get(f"/api/jobs/{random.choice(Shared.jobs)}", "GET /api/jobs/[id]")

    @task(1)
    def health(self) -> None:
        self._get("/api/health", "GET /api/health")

    @task(3)
    def save(self) -> None:
        """Change one capability; on a 409 take the version it names and try again."""
        scenario_id = random.choice(Shared.scenarios)
        version = self.client.get(f"/api/scenarios/{scenario_id}", headers=AUTH,
                                  name="GET /api/scenarios/[id]").json()["version"]
        value = random.randint(10, 90)
        edit = {"actor": random.choice(Shared.actors), "quantity": "capability", "value": value,
                "low": value - 5, "high": value + 5}
        for _ in range(MAX_RETRIES):
            with self.client.patch(f"/api/scenarios/{scenario_id}/cells", headers=AUTH, catch_response=True,
                                   json={"version": version, "edits": [edit]},
                                   name="PATCH /api/scenarios/[id]/cells") as answer:
                if answer.status_code == 200:
                    Shared.acknowledged[scenario_id].add(answer.json()["version"])
                    answer.success()
                    return
                if answer.status_code == 409:
                    answer.success()
                    version = answer.json()["current_version"]
                    continue
                return
        Shared.given_up += 1

    @task(1)
    def forecast(self) -> None:
        with self.client.post(f"/api/scenarios/{random.choice(Shared.scenarios)}/forecast", headers=AUTH,
                              json={"models": ["bdm"]}, catch_response=True,
                              name="POST /api/scenarios/[id]/forecast") as answer:
            if answer.status_code == 200:
                answer.success()

    @task(1)
    def monte_carlo(self) -> None:
        with self.client.post(f"/api/scenarios/{random.choice(Shared.scenarios)}/montecarlo", headers=AUTH,
                              json={"models": ["mean"], "draws": 200}, catch_response=True,
                              name="POST /api/scenarios/[id]/montecarlo") as answer:
            if answer.status_code in (202, 429):  # a full queue is an answer, not an error
                answer.success()


def _record(request_type: str, name: str, response_time: float, response: object = None, **_: object) -> None:
    Shared.timings[name].append(response_time)
    status = getattr(response, "status_code", 0) or 0
    Shared.statuses[name][status] += 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(db: str, jobs: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "stakes", "serve", "--host", "127.0.0.1", "--port", str(port), "--db", db,
               "--jobs", str(jobs)]
    process = subprocess.Popen(command, env={**os.environ, "STAKES_TOKEN": TOKEN},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise SystemExit(f"stakes serve ended with code {process.returncode}; try it by hand: {' '.join(command)}")
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise SystemExit("stakes serve did not answer within 60 s")
        time.sleep(0.2)


def tree_memory(pid: int) -> tuple[int, int]:
    """Resident and proportional memory of a process and its children. The resident sizes count
    pages shared by the fork server and its workers (the models, the reading pipeline) once per
    process; the proportional size splits each shared page among its processes, so it is the memory
    the tree really takes."""
    rss = pss = 0
    try:
        processes = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0
    for process in processes:
        try:
            info = process.memory_full_info()
        except psutil.NoSuchProcess:
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return rss, pss


def prepare(client: httpx.Client, draws: int) -> None:
    text = stakes.dumps(stakes.load(BASE_SCENARIO))
    prefix = "load-" + uuid.uuid4().hex[:6]
    for k in range(COPIES):
        answer = client.post("/api/scenarios", json={"id": f"{prefix}-{k}", "format": "yaml", "text": text})
        answer.raise_for_status()
        Shared.scenarios.append(answer.json()["id"])
    Shared.actors = [a.id for a in stakes.load(BASE_SCENARIO).actors]
    for seed in (1, 2):
        answer = client.post(f"/api/scenarios/{BASE_SCENARIO}/montecarlo",
                             json={"models": ["bdm"], "draws": draws, "seed": seed})
        answer.raise_for_status()
        Shared.jobs.append(answer.json()["id"])


def report(env: Environment, seconds: float, jobs_running: list[str], lost: dict[str, list[int]],
           peak: int, peak_server: int, start_rss: int, peak_pss: int) -> bool:
    total = env.stats.total
    print(f"\n{total.num_requests} requests in {seconds:.0f} s: {total.num_requests / seconds:.1f} requests/s")
    print(f"{'endpoint':42} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  answers")
    server_errors = 0
    reads: list[float] = []
    for name in sorted(Shared.timings):
        times = np.array(Shared.timings[name])
        statuses = Shared.statuses[name]
        server_errors += sum(n for code, n in statuses.items() if code >= 500 or code == 0)
        if name.startswith("GET"):
            reads.extend(times)
        p50, p95, p99 = np.percentile(times, [50, 95, 99])
        answers = ", ".join(f"{code or 'no answer'}: {n}" for code, n in sorted(statuses.items()))
        print(f"{name:42} {len(times):6d} {p50:8.1f} {p95:8.1f} {p99:8.1f}  {answers}")
    read_p95 = float(np.percentile(reads, 95)) if reads else float("nan")
    acked = sum(len(v) for v in Shared.acknowledged.values())
    lost_count = sum(len(v) for v in lost.values())
    print(f"\nserver errors (5xx or no answer): {server_errors}")
    print(f"p95 of reads while the {len(Shared.jobs)} large jobs ran: {read_p95:.1f} ms "
          f"(jobs still running at the end: {len(jobs_running)} of {len(Shared.jobs)})")
    print(f"acknowledged saves: {acked}; missing from the stored history: {lost_count}; "
          f"saves given up after {MAX_RETRIES} conflicts: {Shared.given_up}")
    print(f"server memory (resident, process tree): {start_rss / 2**20:.0f} MB at the start, peak "
          f"{peak / 2**20:.0f} MB (the server process alone: {peak_server / 2**20:.0f} MB); proportional "
          f"(shared pages split among processes): peak {peak_pss / 2**20:.0f} MB")
    print(f"machine load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (shared)")
    ok = server_errors == 0 and lost_count == 0 and read_p95 <= 200
    print("targets (0 server errors, 0 lost writes, read p95 <= 200 ms):", "met" if ok else "NOT met")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL for the server (default: a new SQLite file)")
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="how long the users run (default 60)")
    parser.add_argument("--draws", type=int, default=100_000, help="bdm draws of each large job (default 100000)")
    parser.add_argument("--jobs", type=int, default=3, help="the server's job workers (default 3)")
    args = parser.parse_args()
    if not 1 <= args.users <= 200 or not 1 <= args.seconds <= 600:
        raise SystemExit("--users must be 1..200 and --seconds 1..600 (the load is bounded)")

    with tempfile.TemporaryDirectory() as folder:
        db = args.db or str(Path(folder) / "load.sqlite")
        process, base = start_server(db, args.jobs)
        print(f"stakes serve at {base} (pid {process.pid}) on {'SQLite' if not args.db else args.db.split('@')[-1]}; "
              f"machine load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        try:
            with httpx.Client(base_url=base, headers=AUTH, timeout=60) as client:
                prepare(client, args.draws)
                deadline = time.monotonic() + 60
                while any(client.get(f"/api/jobs/{j}").json()["status"] == "queued" for j in Shared.jobs):
                    if time.monotonic() > deadline:
                        raise SystemExit("the large jobs did not start within 60 s")
                    time.sleep(0.2)
                start_rss, start_pss = tree_memory(process.pid)
                peak = [start_rss, psutil.Process(process.pid).memory_info().rss, start_pss]

                def sample() -> None:
                    while True:
                        rss, pss = tree_memory(process.pid)
                        peak[0], peak[2] = max(peak[0], rss), max(peak[2], pss)
                        try:
                            peak[1] = max(peak[1], psutil.Process(process.pid).memory_info().rss)
                        except psutil.NoSuchProcess:
                            return
                        gevent.sleep(0.2)

                env = Environment(user_classes=[Team], host=base, events=locust.events)
                env.events.request.add_listener(_record)
                runner = env.create_local_runner()
                server_cpu = sum(psutil.Process(process.pid).cpu_times()[:2])
                sampler = gevent.spawn(sample)
                began = time.monotonic()
                runner.start(args.users, spawn_rate=args.users)
                gevent.spawn_later(args.seconds, runner.quit)
                runner.greenlet.join()
                elapsed = time.monotonic() - began
                server_cpu = sum(psutil.Process(process.pid).cpu_times()[:2]) - server_cpu
                sampler.kill()
                jobs_running = [j for j in Shared.jobs if client.get(f"/api/jobs/{j}").json()["status"] == "running"]
                for job_id in Shared.jobs:
                    client.delete(f"/api/jobs/{job_id}")
                lost = {}
                for scenario_id, versions in Shared.acknowledged.items():
                    stored = {row["version"] for row in client.get(f"/api/scenarios/{scenario_id}/history").json()}
                    lost[scenario_id] = sorted(versions - stored)
            ok = report(env, elapsed, jobs_running, lost, peak[0], peak[1], start_rss, peak[2])
            print(f"CPU time of the server process (requests; jobs run in workers): {server_cpu:.1f} s "
                  f"in {elapsed:.0f} s")
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
