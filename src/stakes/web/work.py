"""What a job computes, and the worker process it runs in.

Each kind of job is a plain function ``task(scenario, params, progress) -> dict`` of JSON-ready data,
so the same code answers a small request inline and a large one in a worker. Reading jobs open the
store themselves (``params["db"]``) to keep the articles they read and the draft they make. A worker process runs
one job: it lowers its own memory limit first (``RLIMIT_AS``), so a job that grows too large fails
alone instead of the server, lowers its CPU priority so the server's requests come first, and sends
progress and then its outcome back through a pipe.
"""

from __future__ import annotations

import math
import os
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
import pandas as pd

from stakes import limits
from stakes.corpus.scenarios import AlreadyExists
from stakes.errors import ModelError, StakesError
from stakes.forecast import forecast, jsonable
from stakes.limits import Limits
from stakes.scenario import io
from stakes.scenario.model import Scenario
from stakes.uncertainty import compare, monte_carlo
from stakes.uncertainty.montecarlo import with_deal_events
from stakes.uncertainty.sensitivity import one_at_a_time
from stakes.whatif import whatifs_from_data

Progress = Callable[[int, int], None]
MAX_CHALLENGES = 2000
"""Challenges returned per issue (the full log of a long run can be large)."""
PROGRESS_EVERY = 0.2
"""Seconds between two progress messages of a worker (finer ones are dropped)."""
NICENESS = 10
"""How much lower a worker's CPU priority is than the server's, so requests come before jobs."""


def run_forecast(scenario: Scenario, params: dict[str, Any], _: Progress) -> dict[str, Any]:
    """Point forecasts of every issue by each model: outcomes, round-by-round positions, challenges."""
    out = []
    for name in params["models"]:
        result = forecast(scenario, name, seed=params.get("seed"))
        issues = {}
        for issue_id, r in result.issues.items():
            trajectory = [{"round": k, "actor": actor, "position": x}
                          for k, row in enumerate(r.positions.tolist()) for actor, x in zip(r.actor_ids, row)]
            issues[issue_id] = {"outcome": r.outcome, "rounds": r.rounds, "stop_reason": r.stop_reason,
                                "trajectory": trajectory,
                                "challenges": r.challenges.head(MAX_CHALLENGES).to_dict(orient="records"),
                                "decision": _decision(r.diagnostics)}
        broken = [issue for issue, x in result.outcomes.items() if not math.isfinite(x)]
        if broken:
            raise ModelError(f"model {name!r} gives no finite outcome on {', '.join(broken)}: the numbers are "
                             "too large to compute with; rescale capabilities (only their ratios matter)")
        out.append({"model": result.model_name, "outcomes": result.outcomes, "issues": issues})
    return jsonable({"forecasts": out})


def _decision(diagnostics: dict[str, Any]) -> dict[str, Any] | None:
    """What the issue's decision rule made of the forecast, or None where no rule applied."""
    if "rule" not in diagnostics:
        return None
    out = {key: diagnostics[key] for key in ("rule", "deal", "blocking", "feasible")}
    if "bargained" in diagnostics:
        out["bargained"] = float(diagnostics["bargained"][-1])
    return out


def run_sensitivity(scenario: Scenario, params: dict[str, Any], _: Progress) -> dict[str, Any]:
    """Each uncertain number swept across its range, the others held: rows, largest swing first."""
    table = one_at_a_time(scenario, params["model"], points=params["points"])
    return jsonable({"rows": table.to_dict(orient="records")})


def run_monte_carlo(scenario: Scenario, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Summary and histograms of every model's outcome over draws from the numbers' ranges, and P(deal)
    per model on issues whose decision rule may keep the status quo."""
    run = monte_carlo(scenario, params["models"], params["draws"], params["seed"],
                      cluster=params.get("cluster"), progress=progress)
    histograms = []
    for model in run.models:
        for issue in run.issues:
            counts, edges = run.histogram(model, issue)
            histograms.append({"model": model, "issue": issue, "counts": counts, "edges": edges})
    summary = run.summary()
    _finite(summary, ["mean", "q05", "q50", "q95"])
    deals = [{"issue": event.issue, **row} for event in with_deal_events(scenario, [])
             for row in run.probability(event).to_dict(orient="records")]
    return jsonable({"summary": summary.to_dict(orient="records"), "histograms": histograms, "deals": deals})


def run_compare(scenario: Scenario, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """The baseline and each what-if side by side, over the same draws."""
    whatifs = whatifs_from_data(params["whatifs"], file="what-ifs")
    result = compare(scenario, whatifs, params["models"], params["draws"], params["seed"],
                     cluster=params.get("cluster"), progress=progress)
    table = result.table()
    _finite(table, ["mean", "q05", "q50", "q95"])
    return jsonable({"rows": table.to_dict(orient="records")})


def _finite(table: pd.DataFrame, columns: list[str]) -> None:
    """Fail a run whose results are not all finite numbers, rather than report it done with gaps."""
    values = table[[c for c in columns if c in table]].to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise ModelError("the run gives no finite result for some model or issue: the scenario's numbers are "
                         "too large to compute with; rescale capabilities (only their ratios matter)")


def run_read(scenario: Scenario | None, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Draft a scenario from articles (on the issues of ``scenario``, if given) and store it; the
    articles go to the corpus. The answer is the stored scenario's document."""
    from fastapi.encoders import jsonable_encoder

    from stakes.corpus.scenarios import ScenarioStore
    from stakes.corpus.store import Corpus
    from stakes.web.reading import draft_from_articles
    from stakes.web.routes.scenarios import document
    from stakes.web.schemas import ArticleIn

    articles = [ArticleIn(**item) for item in params["articles"]]
    with Corpus.open(params["db"]) as corpus:
        draft = draft_from_articles(corpus, articles, scenario, params.get("title"))
        stored = ScenarioStore(corpus.engine).create(draft, params["owner"], params.get("id"),
                                                     summary="read from articles")
    progress(len(articles), len(articles))
    return jsonable_encoder(document(stored))


def run_link(scenario: Scenario | None, params: dict[str, Any], _: Progress) -> dict[str, Any]:
    """Store (and read) the article a source of ``scenario`` stands for, and link the two."""
    from stakes.corpus.scenarios import ScenarioStore
    from stakes.corpus.store import Corpus
    from stakes.web.reading import store_article
    from stakes.web.schemas import ArticleIn

    assert scenario is not None, "a link job names its scenario"
    with Corpus.open(params["db"]) as corpus:
        article_id = store_article(corpus, ArticleIn(**params["article"]), scenario)
        ScenarioStore(corpus.engine).link_article(params["scenario"], params["source"], article_id)
    return {"article_id": article_id}


TASKS: dict[str, Callable[[Any, dict[str, Any], Progress], dict[str, Any]]] = {
    "forecast": run_forecast, "sensitivity": run_sensitivity, "montecarlo": run_monte_carlo,
    "compare": run_compare, "read": run_read, "link": run_link}


def classify(exc: BaseException) -> tuple[str, str]:
    """``(failure, message)`` for an exception a job raised."""
    if isinstance(exc, MemoryError):
        return "memory", "the job ran out of the memory a job may use; ask for fewer draws or a smaller scenario"
    if isinstance(exc, AlreadyExists):
        return "conflict", str(exc)
    if isinstance(exc, StakesError):
        return "invalid", str(exc)
    return "internal", f"internal error: {type(exc).__name__}: {exc}"


def worker_main(kind: str, params: dict[str, Any], content: str, memory: int | None, caps: Limits | None,
                pipe: Connection) -> None:
    """A worker process: run one job and send ``("progress", done, total)`` messages, then
    ``("done", result)`` or ``("failed", failure, message)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when a job stops
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    os.nice(NICENESS)
    if memory:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        if os.getppid() == 1:  # the server is gone: nobody will read the result
            os._exit(1)
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY or done >= total:
            last = now
            pipe.send(("progress", int(done), int(total)))

    try:
        with limits.using(caps or limits.current()):
            scenario = io.loads(content, "yaml", file=f"scenario {params['scenario']}") if content else None
            message: tuple[Any, ...] = ("done", TASKS[kind](scenario, params, progress))
    except BaseException as exc:  # noqa: BLE001 - a job must never vanish silently
        message = ("failed", *classify(exc))
    try:
        pipe.send(message)
    except MemoryError:
        pipe.send(("failed", *classify(MemoryError())))
    pipe.close()


def _die_with_parent() -> None:
    """On Linux, ask the kernel to stop this process when its parent (the server's forkserver) ends."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
