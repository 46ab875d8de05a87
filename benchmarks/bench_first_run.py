"""First run against warm run of every command that runs a model, on the bundled scenario.

Run as ``python benchmarks/bench_first_run.py [--venv PATH | --checkout DIR] [--only forecast,...]``.
Each command runs as a subprocess of the chosen Python (``--venv``: a virtual environment with
stakes installed, e.g. a fresh one; default: this Python, with the ``src`` of this checkout, or of
``--checkout``, first on the path). "First" is a run on an empty compiled-code cache: numba's cache goes to a new empty
directory (``NUMBA_CACHE_DIR``, which numba then uses instead of ``__pycache__``), one per command,
so no command profits from another. Then, once any background compilation the first run started
has finished, the command runs once untimed and once timed ("warm") on the same cache. For
``stakes serve`` the figure is the first forecast a fresh server answers (start-up not counted),
on a cold cache and then, in a second server, on the warm one. Prints wall seconds and their ratio
per command (the target is first/warm ≤ 2), and the CPU seconds of the command's own process (which
a busy machine inflates less than wall time; a compilation left running in the background after
the command is not in them).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "forecast": ["forecast"],
    "montecarlo": ["montecarlo"],
    "sensitivity": ["sensitivity"],
    "whatif": ["whatif"],
    "report": ["report", "-o", "{tmp}/report.html"],
    "serve": None,  # the first forecast of a fresh server
}
TOKEN = "bench-first-run"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, help="virtual environment whose python runs stakes")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="checkout whose src/ to run")
    parser.add_argument("--only", default=",".join(COMMANDS), help="comma-separated commands")
    args = parser.parse_args()
    python = str(args.venv / "bin" / "python") if args.venv else sys.executable
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(names) - set(COMMANDS))
    if unknown:
        parser.error(f"unknown command(s) {', '.join(unknown)}; choose from {', '.join(COMMANDS)}")
    source = None if args.venv else args.checkout.resolve() / "src"
    print(f"python: {python}" + (f", code: {source}" if source else ""))
    print(f"{'command':<12} {'first s':>8} {'warm s':>8} {'first/warm':>11} {'first CPU s':>12} {'warm CPU s':>11}")
    for name in names:
        with tempfile.TemporaryDirectory(prefix="stakes-bench-") as tmp:
            env = _environment(source, Path(tmp))
            if name == "serve":
                run = partial(_first_forecast, python, env, Path(tmp))
            else:
                command = [python, "-m", "stakes", *(a.format(tmp=tmp) for a in COMMANDS[name])]
                run = partial(_timed_command, command, env)
            first, first_cpu = run()
            _settle(Path(env["NUMBA_CACHE_DIR"]))
            run()
            warm, warm_cpu = run()
        print(f"{name:<12} {first:>8.2f} {warm:>8.2f} {first / warm:>10.1f}× {first_cpu:>12.2f} {warm_cpu:>11.2f}",
              flush=True)


def _environment(source: Path | None, tmp: Path) -> dict[str, str]:
    """The subprocess environment: a fresh numba cache, and the code in ``source`` unless None."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp / "numba-cache"), COLUMNS="120",
               STAKES_TOKEN=TOKEN)
    env.pop("PYTHONPATH", None)
    if source:
        env["PYTHONPATH"] = str(source)
    return env


def _timed_command(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run; its output is discarded, a failure stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    return seconds, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def _process_cpu(pid: int) -> float:
    """CPU seconds a running process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _first_forecast(python: str, env: dict[str, str], tmp: Path) -> tuple[float, float]:
    """Wall and server CPU seconds a freshly started ``stakes serve`` takes to answer its first forecast."""
    port = _free_port()
    server = subprocess.Popen([python, "-m", "stakes", "serve", "--port", str(port), "--db",
                               str(tmp / "store.sqlite")], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(lambda: _answers(f"{base}/api/whoami"), server)
        request = urllib.request.Request(
            f"{base}/api/scenarios/rafah-2024/forecast", data=json.dumps({"models": ["bdm"]}).encode(),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
        cpu, start = _process_cpu(server.pid), time.perf_counter()
        with urllib.request.urlopen(request, timeout=600) as response:
            response.read()
        return time.perf_counter() - start, _process_cpu(server.pid) - cpu
    finally:
        server.terminate()
        server.wait(timeout=30)


def _answers(url: str) -> bool:
    """Whether the server answers this URL with a success."""
    try:
        urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": f"Bearer {TOKEN}"}),
                               timeout=1)
        return True
    except OSError:
        return False


def _wait(ready: Callable[[], bool], server: subprocess.Popen, timeout: float = 120.0) -> None:
    """Poll until the server answers; stop if it exits or takes too long."""
    deadline = time.monotonic() + timeout
    while not ready():
        if server.poll() is not None:
            sys.exit(f"stakes serve exited with code {server.returncode}")
        if time.monotonic() > deadline:
            sys.exit("stakes serve did not answer within 120 s")
        time.sleep(0.2)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _settle(cache: Path, timeout: float = 600.0) -> None:
    """Wait until no compilation started by the first run still holds the cache's lock file."""
    deadline = time.monotonic() + timeout
    while any(cache.glob("**/*.lock")) and time.monotonic() < deadline:
        time.sleep(0.5)


if __name__ == "__main__":
    main()
