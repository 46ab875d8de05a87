"""What one request costs a real ``stakes serve``: CPU milliseconds of the server process per request,
by endpoint.

Run as ``python benchmarks/bench_request_cost.py [--db URL] [--requests 200] [--threads 16]``. The
script starts ``stakes serve`` on 127.0.0.1 on a free port (a fresh SQLite file unless ``--db``
names a database), stores five copies of a bundled scenario, and sends each kind of request
``--requests`` times from ``--threads`` client threads, reading the server process's CPU time
before and after. CPU time, unlike latency, hardly depends on what else the machine runs, so two
versions of the server can be compared on a shared machine. It also prints the server's CPU while
idle (the job dispatcher's own cost), and a save, a refused save (409) and a read sent one at a
time. Traffic goes only to the server it started, which it stops at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stakes

TOKEN = "request-cost-token-" + uuid.uuid4().hex
BASE_SCENARIO = "rafah-2024"


def start_server(db: str) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "stakes", "serve", "--host", "127.0.0.1", "--port", str(port),
                                "--db", db], env={**os.environ, "STAKES_TOKEN": TOKEN},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"stakes serve ended with code {process.returncode}")
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("stakes serve did not answer within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL for the server (default: a new SQLite file)")
    parser.add_argument("--requests", type=int, default=200, help="requests of each kind (default 200)")
    parser.add_argument("--threads", type=int, default=16, help="client threads (default 16)")
    args = parser.parse_args()
    if not 1 <= args.requests <= 2000 or not 1 <= args.threads <= 64:
        raise SystemExit("--requests must be 1..2000 and --threads 1..64 (the load is bounded)")

    with tempfile.TemporaryDirectory() as folder:
        process, base = start_server(args.db or str(Path(folder) / "cost.sqlite"))
        server = psutil.Process(process.pid)

        def cpu() -> float:
            return sum(server.cpu_times()[:2])

        try:
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as client:
                text = stakes.dumps(stakes.load(BASE_SCENARIO))
                prefix = "cost-" + uuid.uuid4().hex[:6]
                ids = [client.post("/api/scenarios", json={"id": f"{prefix}-{k}", "format": "yaml", "text": text})
                       .raise_for_status().json()["id"] for k in range(5)]
                actors = [a.id for a in stakes.load(BASE_SCENARIO).actors]
                job = client.post(f"/api/scenarios/{BASE_SCENARIO}/montecarlo",
                                  json={"models": ["mean"], "draws": 20, "seed": 1}).raise_for_status().json()["id"]
                time.sleep(2)
                began = cpu()
                time.sleep(5)
                print(f"server idle: {(cpu() - began) / 5 * 1000:.1f} ms CPU per second")

                def edit() -> dict:
                    value = random.randint(10, 90)
                    return {"actor": random.choice(actors), "quantity": "capability", "value": value,
                            "low": value - 5, "high": value + 5}

                def save(_: int) -> None:
                    """Read, change a number, save; on a 409 read again (as a client would)."""
                    scenario_id = random.choice(ids)
                    for _ in range(50):
                        version = client.get(f"/api/scenarios/{scenario_id}").json()["version"]
                        if client.patch(f"/api/scenarios/{scenario_id}/cells",
                                        json={"version": version, "edits": [edit()]}).status_code == 200:
                            return

                kinds: dict[str, Callable[[int], object]] = {
                    "GET /api/health": lambda _: client.get("/api/health"),
                    "GET /api/scenarios": lambda _: client.get("/api/scenarios"),
                    "GET /api/scenarios/[id]": lambda _: client.get(f"/api/scenarios/{random.choice(ids)}"),
                    "GET /api/scenarios/[id]/history": lambda _: client.get(
                        f"/api/scenarios/{random.choice(ids)}/history"),
                    "GET /api/scenarios/[id]/evidence": lambda _: client.get(
                        f"/api/scenarios/{random.choice(ids)}/evidence"),
                    "GET /api/jobs/[id]": lambda _: client.get(f"/api/jobs/{job}"),
                    "a save with its reads and 409 retries": save,
                }
                print(f"\n{args.threads} client threads, {args.requests} requests of each kind")
                print(f"{'request':42} {'ms CPU':>8} {'wall s':>7}")
                with ThreadPoolExecutor(args.threads) as pool:
                    for name, send in kinds.items():
                        list(pool.map(send, range(min(20, args.requests))))  # warm: the first read parses
                        began, wall = cpu(), time.perf_counter()
                        list(pool.map(send, range(args.requests)))
                        print(f"{name:42} {(cpu() - began) / args.requests * 1000:8.2f} "
                              f"{time.perf_counter() - wall:7.1f}")

                scenario_id = ids[0]
                version = client.get(f"/api/scenarios/{scenario_id}").json()["version"]
                one_at_a_time = {}
                began = cpu()
                for _ in range(args.requests):
                    version = client.patch(f"/api/scenarios/{scenario_id}/cells",
                                           json={"version": version, "edits": [edit()]}).json()["version"]
                one_at_a_time["PATCH cells, saved"] = cpu() - began
                began = cpu()
                for _ in range(args.requests):
                    client.patch(f"/api/scenarios/{scenario_id}/cells", json={"version": version - 1,
                                                                              "edits": [edit()]})
                one_at_a_time["PATCH cells, refused (409)"] = cpu() - began
                began = cpu()
                for _ in range(args.requests):
                    client.get(f"/api/scenarios/{scenario_id}")
                one_at_a_time["GET /api/scenarios/[id]"] = cpu() - began
                print("\none at a time")
                for name, spent in one_at_a_time.items():
                    print(f"{name:42} {spent / args.requests * 1000:8.2f}")
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
