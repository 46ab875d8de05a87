"""The one way the server benchmarks start ``stakes serve``: on a free port of 127.0.0.1, waiting for
its health check, so every load stays on this machine."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(db: str, token: str, *extra: str, wait: float = 60) -> tuple[subprocess.Popen, str]:
    """``stakes serve --db DB [extra…]`` with ``token`` as the server's own; its process and base URL
    once ``/api/health`` answers (a one-line exit if it ends or stays silent for ``wait`` seconds)."""
    port = free_port()
    command = [sys.executable, "-m", "stakes", "serve", "--host", "127.0.0.1", "--port", str(port), "--db", db,
               *extra]
    process = subprocess.Popen(command, env={**os.environ, "STAKES_TOKEN": token},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait
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
            raise SystemExit(f"stakes serve did not answer within {wait:.0f} s")
        time.sleep(0.2)
