"""Durable, bounded jobs: runs that cost more than a request should, stored in the database and
executed by worker processes.

A job is a row of the ``jobs`` table (:class:`~stakes.corpus.schema.JobRow`), so every server
process on the database sees it and it outlives a restart. :class:`JobStore` holds the SQL: submit
(one statement that counts and inserts, refused with :class:`QueueFull` past the queue bound), claim
(one ``UPDATE`` guarded by ``state = 'queued'``, whose sub-select is ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so one job runs once), progress, finish (guarded by the claiming worker, so a cancelled
job stays cancelled), cancel, and failing jobs whose server stopped refreshing their heartbeat.

:class:`Jobs` is one server process's dispatcher: a thread that claims queued jobs while it has a
free slot and runs each in a worker process of its own (:func:`stakes.web.work.worker_main`), started
from a fork server that has the models imported and the reading pipeline loaded. The thread relays progress, enforces the job's time
limit, stops the worker of a job cancelled by any server, and on shutdown stops its workers and marks
their jobs failed (``interrupted``). It looks at its workers often but asks the database only when
something is due: a submit or cancel sent to this server wakes it at once, jobs queued by other
servers are looked for every second, and nothing is written while no job runs here. The worker
lowers its own memory limit and CPU priority before it starts, so a job too large fails alone and
requests come first.

:func:`job_result` is how a request that must answer with a result (sensitivity, a large forecast,
reading) waits for its job without holding a thread; a client that hangs up cancels the job.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import delete, func, insert, literal, select, text, update
from sqlalchemy.engine import Engine

from stakes.corpus import migrate
from stakes.corpus.schema import JobRow, RevisionRow
from stakes.errors import StakesError
from stakes.limits import Limits

log = logging.getLogger(__name__)
ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled")
POLL = 0.1
"""Seconds between two looks of the dispatcher at its workers (progress, results, time limits; no
database query)."""
CLAIM_EVERY = 1.0
"""Seconds between two looks for jobs queued by other servers (a submit to this server, or a job
of its own ending, starts one at once)."""
CANCEL_EVERY = 0.5
"""Seconds between two checks whether a running job was cancelled by another server (a cancel sent
to this server is acted on at once)."""
QUEUE_LOCK = 0x5374616B65734A  # "StakesJ"
"""The PostgreSQL advisory lock that serialises submits, so the queue bound holds across servers."""
WAIT_POLL = (0.05, 0.5)
"""Seconds between two looks at the job a request waits for: the first, and the longest (the wait
grows by half each time, so a long job costs few queries)."""
FAILURE_STATUS = {"invalid": 422, "memory": 422, "time limit": 422, "internal": 500, "conflict": 409}
"""The answer to a request whose job failed, by the failure (cancelled or interrupted: 503)."""


class QueueFull(StakesError):
    """The queue bound is reached: try again in ``retry_after`` seconds."""

    def __init__(self, bound: int, retry_after: int):
        super().__init__(f"{bound} jobs are queued or running, the most the server takes; try again in "
                         f"{retry_after} s or cancel one of yours (DELETE /api/jobs/ID)")
        self.retry_after = retry_after


class JobFailed(StakesError):
    """The job a request waited for failed or was cancelled; ``status`` is the HTTP answer."""

    def __init__(self, job: dict[str, Any]):
        super().__init__(job["error"] or f"the job {job['id']} was {job['status']}")
        self.status = FAILURE_STATUS.get(job["failure"] or "", 503)


async def job_result(request: Request, kind: str, who: str, params: dict[str, Any], total: int) -> dict[str, Any]:
    """Run a job and wait for its result; a client that hangs up cancels it."""
    jobs = request.app.state.jobs
    job = await run_in_threadpool(jobs.submit, kind, who, params, total)
    wait, longest = WAIT_POLL
    while job["status"] in ("queued", "running"):
        await asyncio.sleep(wait)
        wait = min(longest, wait * 1.5)
        if await request.is_disconnected():
            await run_in_threadpool(jobs.cancel, job["id"], f"{who} (the request was abandoned)")
            raise HTTPException(499, "the client closed the request; its job was cancelled")
        job = await run_in_threadpool(jobs.get, job["id"])
        if job is None:
            raise HTTPException(503, "the job of this request was deleted before it ended; try again")
    if job["status"] != "done":
        raise JobFailed(job)
    return job["result"]


@dataclass(frozen=True)
class JobLimits:
    """How much work the jobs of a server may take."""

    workers: int = 1
    """Jobs this server process runs at once (one worker process each)."""
    queue: int = 20
    """Jobs queued or running at once on the database, over every server: one more is refused (429)."""
    time_limit: float = 900.0
    """Seconds a job may run before its worker is stopped and the job fails."""
    memory: int | None = 3 * 2**30
    """Bytes of address space a worker process may use (None: no limit)."""
    keep: int = 1000
    """Finished jobs kept for reading; older finished ones are deleted first (never an active one)."""
    stale_after: float = 30.0
    """Seconds without a heartbeat after which a running job's server is taken for dead."""
    cluster: str | None = None
    """A Dask scheduler address: Monte Carlo and comparison jobs spread their draws on it."""
    caps: Limits | None = None
    """The caps on requests in force in a job, as in the server (None: the environment's)."""


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def as_dict(row: Any) -> dict[str, Any]:
    """A job as the API shows it."""
    return {"id": row.id, "kind": row.kind, "status": row.state, "done": row.done, "total": row.total,
            "error": row.error, "failure": row.failure, "result": row.result, "owner": row.owner,
            "created_at": _stamp(row.created_at), "started_at": _stamp(row.started_at),
            "finished_at": _stamp(row.finished_at), "time_limit": row.time_limit}


class JobStore:
    """The jobs table of a database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        migrate.upgrade(engine)  # the jobs table comes with revision 0003_jobs

    def submit(self, kind: str, owner: str, params: dict[str, Any], total: int, limits: JobLimits) -> dict[str, Any]:
        """Queue a job, unless ``limits.queue`` jobs are already queued or running.

        One statement counts and inserts (on SQLite it takes the write lock at once); on PostgreSQL
        a lock held to the end of the transaction makes concurrent submits count one after another."""
        values = {"id": uuid.uuid4().hex, "kind": kind, "state": "queued", "owner": owner, "params": params,
                  "done": 0, "total": total, "time_limit": limits.time_limit, "created_at": _now()}
        columns = JobRow.__table__.c
        active = select(func.count()).select_from(JobRow).where(JobRow.state.in_(ACTIVE)).scalar_subquery()
        row = select(*(literal(value, columns[key].type) for key, value in values.items())).where(active < limits.queue)
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": QUEUE_LOCK})
            added = conn.execute(insert(JobRow).from_select(list(values), row).returning(JobRow.id)).first()
        if added is None:
            with self.engine.connect() as conn:
                waiting = conn.execute(select(func.count()).select_from(JobRow).where(JobRow.state.in_(ACTIVE))).scalar()
                raise QueueFull(limits.queue, self._retry_after(conn, waiting, limits.workers))
        return self.get(values["id"])

    def get(self, job_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(JobRow.__table__).where(JobRow.id == job_id)).first()
        return None if row is None else as_dict(row)

    def list(self, limit: int = 100, owner: str | None = None) -> list[dict[str, Any]]:
        """The newest jobs first, without their results."""
        query = select(JobRow.__table__).order_by(JobRow.created_at.desc(), JobRow.id).limit(limit)
        if owner is not None:
            query = query.where(JobRow.owner == owner)
        with self.engine.connect() as conn:
            return [{**as_dict(row), "result": None} for row in conn.execute(query)]

    def cancel(self, job_id: str, by: str) -> dict[str, Any] | None:
        """Cancel a queued or running job (the server running it stops its worker); a finished job is
        left as it is."""
        with self.engine.begin() as conn:
            conn.execute(update(JobRow).where(JobRow.id == job_id, JobRow.state.in_(ACTIVE))
                         .values(state="cancelled", error=f"cancelled by {by}", finished_at=_now()))
        return self.get(job_id)

    def claim(self, worker: str) -> dict[str, Any] | None:
        """Take the oldest queued job for ``worker``; None when there is none (or another took it).

        One ``UPDATE`` guarded by ``state = 'queued'``; on PostgreSQL its sub-select skips rows that
        another server is claiming (``FOR UPDATE SKIP LOCKED``)."""
        oldest = select(JobRow.id).where(JobRow.state == "queued").order_by(JobRow.created_at, JobRow.id).limit(1)
        now = _now()
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                oldest = oldest.with_for_update(skip_locked=True)
            row = conn.execute(
                update(JobRow).where(JobRow.id == oldest.scalar_subquery(), JobRow.state == "queued")
                .values(state="running", worker=worker, started_at=now, heartbeat_at=now)
                .returning(JobRow.id, JobRow.kind, JobRow.params, JobRow.time_limit, JobRow.total)).first()
        return None if row is None else dict(row._mapping)

    def states(self, job_ids: list[str]) -> dict[str, str]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(JobRow.id, JobRow.state).where(JobRow.id.in_(job_ids)))
            return {row.id: row.state for row in rows}

    def beat(self, worker: str, progress: dict[str, tuple[int, int]]) -> None:
        """Refresh the heartbeat and progress of ``worker``'s running jobs."""
        now = _now()
        with self.engine.begin() as conn:
            for job_id, (done, total) in progress.items():
                conn.execute(update(JobRow).where(JobRow.id == job_id, JobRow.worker == worker,
                                                  JobRow.state == "running")
                             .values(done=done, total=total, heartbeat_at=now))

    def finish(self, job_id: str, worker: str, state: str, result: dict[str, Any] | None = None,
               error: str | None = None, failure: str | None = None, done: int | None = None) -> bool:
        """Record a running job's end; False if it is no longer ``worker``'s running job (cancelled)."""
        values: dict[str, Any] = {"state": state, "result": result, "error": error, "failure": failure,
                                  "finished_at": _now()}
        if done is not None:
            values["done"] = done
        with self.engine.begin() as conn:
            changed = conn.execute(update(JobRow).where(JobRow.id == job_id, JobRow.worker == worker,
                                                        JobRow.state == "running").values(**values))
        return changed.rowcount == 1

    def interrupt(self, reason: str, worker: str | None = None, stale_after: float | None = None) -> int:
        """Fail the running jobs of ``worker``, or those whose heartbeat is older than ``stale_after``
        seconds (their server died); how many."""
        query = update(JobRow).where(JobRow.state == "running")
        if worker is not None:
            query = query.where(JobRow.worker == worker)
        if stale_after is not None:
            query = query.where(JobRow.heartbeat_at < _now() - timedelta(seconds=stale_after))
        with self.engine.begin() as conn:
            return conn.execute(query.values(state="failed", failure="interrupted", error=reason,
                                             finished_at=_now())).rowcount

    def evict(self, keep: int) -> int:
        """Delete finished jobs beyond the ``keep`` newest; queued and running ones are never deleted."""
        old = (select(JobRow.id).where(JobRow.state.in_(FINISHED))
               .order_by(JobRow.finished_at.desc(), JobRow.id).offset(keep))
        with self.engine.begin() as conn:
            return conn.execute(delete(JobRow).where(JobRow.id.in_(old))).rowcount

    def scenario_text(self, scenario_id: str, version: int) -> str | None:
        """The canonical YAML of a scenario at ``version`` (the one the job was asked on)."""
        with self.engine.connect() as conn:
            return conn.execute(select(RevisionRow.content).where(
                RevisionRow.scenario_id == scenario_id, RevisionRow.version == version)).scalar()

    @staticmethod
    def _retry_after(conn: Any, active: int, workers: int) -> int:
        """Seconds until a slot is likely free: the recent jobs' mean run time, times the queue ahead."""
        recent = conn.execute(select(JobRow.started_at, JobRow.finished_at).where(
            JobRow.state == "done", JobRow.started_at.is_not(None))
            .order_by(JobRow.finished_at.desc()).limit(20)).all()
        spans = [(end - start).total_seconds() for start, end in recent if end is not None]
        mean = sum(spans) / len(spans) if spans else 10.0
        return int(min(600, max(1, mean * active / max(1, workers))))


@dataclass
class _Run:
    """A job running in a worker process of this server."""

    process: Any
    pipe: Connection
    limit: float
    deadline: float
    done: int = 0
    total: int = 0
    outcome: tuple[Any, ...] | None = field(default=None)


class Jobs:
    """One server process's jobs: submits to the database, and runs claimed jobs in worker processes."""

    def __init__(self, engine: Engine, limits: JobLimits | None = None):
        self.store = JobStore(engine)
        self.limits = limits or JobLimits()
        self.worker = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._running: dict[str, _Run] = {}
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- what the routes use ------------------------------------------------------------------------

    def submit(self, kind: str, owner: str, params: dict[str, Any], total: int) -> dict[str, Any]:
        """Queue a job (:class:`QueueFull` past the bound) and make sure this server is taking jobs."""
        job = self.store.submit(kind, owner, params, total, self.limits)
        self.start()
        self._wake.set()
        return job

    def get(self, job_id: str) -> dict[str, Any] | None:
        return self.store.get(job_id)

    def list(self, limit: int = 100, owner: str | None = None) -> list[dict[str, Any]]:
        return self.store.list(limit, owner)

    def cancel(self, job_id: str, by: str) -> dict[str, Any] | None:
        job = self.store.cancel(job_id, by)
        self._wake.set()
        return job

    def active(self) -> dict[str, int]:
        """The jobs this server runs now, with the process id of each one's worker."""
        return {job_id: run.process.pid for job_id, run in list(self._running.items())}

    # -- the dispatcher ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start taking jobs (idempotent): first fail the jobs of servers that died, then poll."""
        with self._lock:
            if self._thread is not None or self._stop.is_set():
                return
            self.store.interrupt("interrupted: the server running it stopped", stale_after=self.limits.stale_after)
            self._thread = threading.Thread(target=self._loop, name="stakes-jobs", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Ask the dispatcher to stop its workers and end (safe to call from a signal handler)."""
        self._stop.set()
        self._wake.set()

    def shutdown(self) -> None:
        """Stop in-flight work, mark it failed (interrupted), and wait for the dispatcher to end."""
        self.stop()
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout=30)

    def _loop(self) -> None:
        """Every :data:`POLL` seconds, look at the workers; query the database only when something is
        due: a claim (when woken, or every :data:`CLAIM_EVERY`), a cancel check and a heartbeat
        (while jobs run), and failing the jobs of dead servers."""
        beat_every = max(POLL, self.limits.stale_after / 4)
        last_beat = last_stale = last_claim = last_cancel = 0.0
        while not self._stop.is_set():
            try:
                woken = self._wake.is_set()
                self._wake.clear()
                now = time.monotonic()
                if self._reap():
                    woken = True  # a slot is free: take the next job now
                if self._running and (woken or now - last_cancel >= CANCEL_EVERY):
                    self._stop_cancelled()
                    last_cancel = now
                if self._running and now - last_beat >= min(beat_every, 1.0):
                    self.store.beat(self.worker, {k: (r.done, r.total) for k, r in self._running.items()})
                    last_beat = now
                if now - last_stale >= beat_every:
                    self.store.interrupt("interrupted: the server running it stopped",
                                         stale_after=self.limits.stale_after)
                    last_stale = now
                if woken or now - last_claim >= CLAIM_EVERY:
                    last_claim = now
                    while len(self._running) < self.limits.workers and not self._stop.is_set():
                        job = self.store.claim(self.worker)
                        if job is None:
                            break
                        self._launch(job)
            except Exception:  # a database hiccup must not end the dispatcher
                log.exception("job dispatcher")
            self._wake.wait(POLL)
        for job_id in list(self._running):
            self._kill(job_id)
        self.store.interrupt("interrupted: the server shut down while it ran", worker=self.worker)

    def _launch(self, job: dict[str, Any]) -> None:
        params = job["params"]
        text = self.store.scenario_text(params["scenario"], params["version"]) if params.get("scenario") else ""
        if text is None:
            self.store.finish(job["id"], self.worker, "failed", failure="invalid",
                              error=f"scenario {params['scenario']!r} at version {params['version']} is no "
                                    "longer stored (deleted)")
            return
        from stakes.web.work import worker_main

        receive, send = _context().Pipe(duplex=False)
        params = {**params, "cluster": self.limits.cluster,
                  "db": self.store.engine.url.render_as_string(hide_password=False)}
        process = _context().Process(target=worker_main, name=f"stakes-job-{job['id'][:8]}", daemon=True,
                                     args=(job["kind"], params, text, self.limits.memory, self.limits.caps, send))
        process.start()
        send.close()
        self._running[job["id"]] = _Run(process, receive, job["time_limit"],
                                     time.monotonic() + job["time_limit"], 0, job["total"])

    def _reap(self) -> bool:
        """Relay progress; record finished jobs, dead workers and jobs past their time limit; whether
        any job ended."""
        before = len(self._running)
        for job_id, run in list(self._running.items()):
            try:
                while run.outcome is None and run.pipe.poll():
                    message = run.pipe.recv()
                    if message[0] == "progress":
                        run.done, run.total = message[1], message[2]
                    else:
                        run.outcome = message
            except (EOFError, OSError):
                pass
            if run.outcome is not None:
                self._end(job_id, run)
                if run.outcome[0] == "done":
                    self.store.finish(job_id, self.worker, "done", result=run.outcome[1], done=run.total)
                else:
                    self.store.finish(job_id, self.worker, "failed", failure=run.outcome[1], error=run.outcome[2])
                self.store.evict(self.limits.keep)
            elif not run.process.is_alive():
                self._end(job_id, run)
                code = run.process.exitcode
                failure, why = (("memory", "the job's worker was stopped for lack of memory") if code == -9
                                else ("internal", f"the job's worker ended without a result (exit code {code})"))
                self.store.finish(job_id, self.worker, "failed", failure=failure, error=why)
            elif time.monotonic() > run.deadline:
                self._kill(job_id)
                self.store.finish(job_id, self.worker, "failed", failure="time limit",
                                  error=f"stopped at the time limit of a job ({run.limit:g} s); ask for fewer "
                                        "draws or points, or a smaller scenario")
        return len(self._running) < before

    def _stop_cancelled(self) -> None:
        states = self.store.states(list(self._running))
        for job_id in list(self._running):
            if states.get(job_id) != "running":
                self._kill(job_id)

    def _kill(self, job_id: str) -> None:
        run = self._running.get(job_id)
        if run is not None:
            run.process.kill()
            self._end(job_id, run)

    def _end(self, job_id: str, run: _Run) -> None:
        run.process.join(timeout=10)
        run.pipe.close()
        self._running.pop(job_id, None)


_CONTEXT: Any = None


def _context() -> Any:
    """Worker processes fork from a server process that has the models imported and the reading
    pipeline loaded (:mod:`stakes.web.forkserver`): fast to start, and never a fork of the web
    server's threads."""
    global _CONTEXT
    if _CONTEXT is None:
        methods = multiprocessing.get_all_start_methods()
        _CONTEXT = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            _CONTEXT.set_forkserver_preload(["stakes.web.forkserver"])
    return _CONTEXT
