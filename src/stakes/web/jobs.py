"""Long runs (Monte Carlo, comparisons) as background jobs whose progress a page can poll."""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from stakes.errors import StakesError

KEEP = 200
"""Finished jobs kept for polling; older ones are forgotten first."""

Progress = Callable[[int, int], None]


@dataclass
class Job:
    """One background run: ``done`` of ``total`` units finished, then a result or an error."""

    id: str
    kind: str
    status: str = "running"
    done: int = 0
    total: int = 0
    error: str | None = None
    result: dict[str, Any] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def as_dict(self) -> dict[str, Any]:
        with self.lock:
            return {"id": self.id, "kind": self.kind, "status": self.status, "done": self.done,
                    "total": self.total, "error": self.error, "result": self.result}


class Jobs:
    """A small pool of worker threads running jobs; ``workers`` bounds how many run at once."""

    def __init__(self, workers: int = 1):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stakes-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def submit(self, kind: str, total: int, work: Callable[[Progress], dict[str, Any]]) -> Job:
        """Start ``work(progress)`` in the background; it reports ``progress(done, total)`` as it goes."""
        job = Job(uuid.uuid4().hex, kind, total=total)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP:
                self._jobs.popitem(last=False)
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    @staticmethod
    def _run(job: Job, work: Callable[[Progress], dict[str, Any]]) -> None:
        def progress(done: int, total: int) -> None:
            with job.lock:
                job.done, job.total = done, total

        try:
            result = work(progress)
        except StakesError as exc:
            outcome = {"status": "failed", "error": str(exc)}
        except Exception as exc:  # noqa: BLE001 - a job must never vanish silently
            outcome = {"status": "failed", "error": f"internal error: {type(exc).__name__}: {exc}"}
        else:
            outcome = {"status": "done", "result": result, "done": job.total}
        with job.lock:
            for key, value in outcome.items():
                setattr(job, key, value)
