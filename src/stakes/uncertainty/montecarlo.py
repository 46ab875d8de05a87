"""Monte Carlo: every uncertain number drawn many times, every model run on every draw.

Out come the distribution of each issue's outcome (quantiles, histograms), the probability of
events such as ``rafah_operation > 70``, and each actor's final positions. On an issue whose decision
rule can leave the status quo in place (veto players, a majority, a qualified majority), the event
``deal on ISSUE`` — a change passes the rule — is reported as standard, for each model that applies
the rule (:func:`with_deal_events`). Draws are computed a
block at a time with each model's ``solve_batch`` (one array computation per block), in this
process, in local processes or on a Dask cluster, with identical results for a given seed.
"""

from __future__ import annotations

import math
import operator
import re
import signal
import threading
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np
import pandas as pd

from stakes.errors import StakesError
from stakes.models import bdm_engine, make_model, rules
from stakes.models.base import STOP_REASONS
from stakes.models.bdm import ExpectedUtility
from stakes.parallel import run_blocks
from stakes.scenario.model import Scenario
from stakes.uncertainty.sampling import BLOCK, issue_batches, sample_block

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
_EVENT = re.compile(r"^\s*(?P<issue>[\w.\-]+)\s*(?P<op><=|>=|<|>)\s*(?P<value>[-+0-9.eE]+)\s*$")
_DEAL = re.compile(r"^\s*deal\s+on\s+(?P<issue>[\w.\-]+)\s*$")
DEAL = "deal"
DEAL_RULES = ("veto", "majority", "qualified_majority")
"""Decision rules under which a change may fail to pass, so that whether a deal exists is uncertain."""
_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}

ModelSpec = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Event:
    """A statement about an issue's outcome, e.g. ``rafah_operation > 70``, or ``deal on hostage_deal``
    (``op`` :data:`DEAL`): a change from the status quo passes the issue's decision rule."""

    issue: str
    op: str
    value: float = 0.0

    @classmethod
    def parse(cls, text: str) -> Event:
        if match := _DEAL.match(text):
            return cls(match["issue"], DEAL)
        match = _EVENT.match(text)
        if not match:
            raise StakesError(f"event {text!r} is not ISSUE OP NUMBER; write e.g. 'rafah_operation > 70' "
                              "(OP is <, <=, > or >=) or 'deal on ISSUE'")
        return cls(match["issue"], match["op"], float(match["value"]))

    def __str__(self) -> str:
        return f"deal on {self.issue}" if self.op == DEAL else f"{self.issue} {self.op} {self.value:g}"

    def holds(self, outcomes: np.ndarray) -> np.ndarray:
        """Whether the event holds for each outcome (a deal event is not a statement about outcomes:
        read it with :meth:`MonteCarlo.hits`)."""
        if self.op == DEAL:
            raise StakesError(f"{self} is read from the draws' deals, not from outcomes")
        return _OPS[self.op](outcomes, self.value)


def with_deal_events(scenario: Scenario, events: Sequence[Event]) -> list[Event]:
    """``events`` followed by ``deal on ISSUE`` for every issue whose decision rule is one of
    :data:`DEAL_RULES` (and binds), unless already asked for."""
    deals = [Event(issue.id, DEAL) for issue in scenario.issues
             if rules.binding(issue.decision) and issue.decision.rule in DEAL_RULES]
    return list(events) + [event for event in deals if event not in events]


def run_block(scenario: Scenario, models: Sequence[ModelSpec], seed: int, block: int, engine: str = "auto"
              ) -> dict[tuple[str, str], dict[str, np.ndarray]]:
    """Every model on every issue for the draws of one block (the unit of parallel work), the
    expected-utility models on ``engine`` (see :mod:`stakes.models.bdm_engine`)."""
    values, model_seeds = sample_block(scenario, seed, block)
    batches = issue_batches(scenario, values)
    out: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    with bdm_engine.using(engine):
        for name, params in models:
            model = make_model(name, **params)
            for issue_id, result in model.solve_batches(list(batches.values()), model_seeds).items():
                out[(name, issue_id)] = {"outcome": result.outcomes, "final": result.final_positions,
                                         "rounds": result.rounds, "stop": result.stop_reasons}
                if result.deal is not None:
                    out[(name, issue_id)]["deal"] = result.deal
    return out


def _engine(scenario: Scenario, models: Sequence[ModelSpec], draws: int) -> str:
    """The engine of the expected-utility models for every block of a run, wherever it runs: the
    engines agree only to the last bit or so, and a block's results must not depend on where it
    ran. "auto" when no model of the run has a choice to make."""
    if not any(isinstance(make_model(name, **params), ExpectedUtility) for name, params in models):
        return "auto"
    work = len(scenario.actors) ** 2
    return bdm_engine.choose(min(draws, BLOCK) * work, draws * work * len(scenario.issues))


@dataclass
class MonteCarlo:
    """The draws of one Monte Carlo run: per (model, issue), arrays with one row per draw."""

    scenario: Scenario
    models: list[str]
    seed: int
    requested: int
    draw_index: np.ndarray
    results: dict[tuple[str, str], dict[str, np.ndarray]] = field(repr=False)

    @property
    def draws(self) -> int:
        """Draws actually computed (fewer than requested if the run was interrupted)."""
        return len(self.draw_index)

    @property
    def complete(self) -> bool:
        return self.draws == self.requested

    @property
    def issues(self) -> list[str]:
        return list(dict.fromkeys(issue for _, issue in self.results))

    def outcomes(self, model: str, issue: str) -> np.ndarray:
        return self.results[(model, issue)]["outcome"]

    def outcome_table(self) -> pd.DataFrame:
        """Tidy: one row per (draw, model, issue) with the outcome, rounds played, stop reason and
        whether a deal passed the issue's decision rule (empty where the model applies none)."""
        frames = [
            pd.DataFrame({"draw": self.draw_index, "model": model, "issue": issue, "outcome": r["outcome"],
                          "rounds": r["rounds"], "stop_reason": np.asarray(STOP_REASONS, dtype=object)[r["stop"]],
                          "deal": r["deal"].astype(object) if "deal" in r else None})
            for (model, issue), r in self.results.items()
        ]
        return pd.concat(frames, ignore_index=True)

    def summary(self, quantiles: Sequence[float] = QUANTILES) -> pd.DataFrame:
        """Per model and issue: mean, standard deviation and quantiles of the outcome."""
        rows = []
        for (model, issue), r in self.results.items():
            x = r["outcome"]
            row = {"model": model, "issue": issue, "draws": len(x), "mean": x.mean(), "sd": x.std(ddof=1)
                   if len(x) > 1 else 0.0}
            row.update({f"q{round(q * 100):02d}": v for q, v in zip(quantiles, np.quantile(x, quantiles))})
            rows.append(row)
        return pd.DataFrame(rows)

    def histogram(self, model: str, issue: str, bins: int = 20) -> tuple[np.ndarray, np.ndarray]:
        """Counts of outcomes over equal bins of the issue's scale, and the bin edges."""
        scale = self.scenario.issue(issue).scale
        return np.histogram(self.outcomes(model, issue), bins=bins, range=scale)

    def hits(self, event: Event, model: str) -> np.ndarray | None:
        """Per draw, whether ``event`` holds under ``model``; ``None`` for a deal event under a model
        that applies no decision rule to the issue."""
        if event.op == DEAL:
            return self.results[(model, event.issue)].get("deal")
        return event.holds(self.outcomes(model, event.issue))

    def probability(self, event: Event | str) -> pd.DataFrame:
        """Per model: the share of draws in which the event holds, with its standard error (a deal
        event only for the models that apply the issue's decision rule)."""
        event = Event.parse(event) if isinstance(event, str) else event
        if event.issue not in self.issues:
            raise StakesError(f"event {str(event)!r} names no issue of this run; issues: {', '.join(self.issues)}")
        rows = []
        for model in self.models:
            hits = self.hits(event, model)
            if hits is None:
                continue
            p = float(hits.mean())
            rows.append({"event": str(event), "model": model, "probability": p,
                         "stderr": math.sqrt(p * (1 - p) / len(hits))})
        return pd.DataFrame(rows, columns=["event", "model", "probability", "stderr"])

    def final_positions(self, quantiles: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
        """Per model, issue and actor: mean and quantiles of where the actor ends."""
        rows = []
        for (model, issue), r in self.results.items():
            actors = self.scenario.issue_data(issue).actor_ids
            qs = np.quantile(r["final"], quantiles, axis=0)
            for k, actor in enumerate(actors):
                row = {"model": model, "issue": issue, "actor": actor, "mean": float(r["final"][:, k].mean())}
                row.update({f"q{round(q * 100):02d}": float(v) for q, v in zip(quantiles, qs[:, k])})
                rows.append(row)
        return pd.DataFrame(rows)


class Interrupts:
    """Ctrl-C during a run: the first asks to stop once the block in progress is done, a second stops at once.

    A block is all or nothing, and a compiled kernel that a KeyboardInterrupt reaches mid-call fails
    with a SystemError instead, so the first Ctrl-C only raises a flag that is read between blocks.
    Installed only in the main thread and only over Python's default handler (not in notebooks).
    """

    def __init__(self) -> None:
        self.requested = False
        self.forced = False
        self._previous: Any = None

    def __enter__(self) -> Self:
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum: int, frame: object) -> None:
        if self.requested:
            self.forced = True
            raise KeyboardInterrupt
        self.requested = True


def monte_carlo(scenario: Scenario, models: Sequence[str | ModelSpec] = ("bdm",), draws: int = 1000,
                seed: int = 0, *, workers: int = 1, cluster: str | None = None,
                progress: Callable[[int, int], None] | None = None) -> MonteCarlo:
    """Run every model on ``draws`` draws of the scenario's uncertain numbers.

    ``models`` are names (``"bdm"``) or ``(name, params)`` pairs. Work is split into blocks of
    :data:`~stakes.uncertainty.sampling.BLOCK` draws; ``workers`` local processes or a Dask
    ``cluster`` address spread them. ``progress(done, total)`` is called as blocks finish. On Ctrl-C
    the draws already finished are returned (``complete`` is then false): the first Ctrl-C lets the
    block in progress finish, a second stops at once (see :class:`Interrupts`).
    """
    if draws < 1:
        raise StakesError(f"draws must be at least 1, not {draws}")
    specs = [(m, {}) if isinstance(m, str) else (m[0], dict(m[1])) for m in models]
    for name, params in specs:
        make_model(name, **params)  # a bad name or parameter fails here, before any work starts
    blocks = math.ceil(draws / BLOCK)
    finished: dict[int, dict[tuple[str, str], dict[str, np.ndarray]]] = {}
    engine = _engine(scenario, specs, draws)
    arguments = [(scenario, specs, seed, block, engine) for block in range(blocks)]
    done = 0
    with Interrupts() as interrupts:
        try:
            with closing(run_blocks(run_block, arguments, workers=workers, cluster=cluster)) as results:
                for block, result in results:
                    finished[block] = result
                    done += min(BLOCK, draws - block * BLOCK)
                    if progress is not None:
                        progress(done, draws)
                    if interrupts.requested:
                        raise KeyboardInterrupt
        except KeyboardInterrupt:
            if not finished:
                raise
        except SystemError:
            if not interrupts.forced:
                raise
            if not finished:
                raise KeyboardInterrupt from None
    order = sorted(finished)
    index = np.concatenate([np.arange(b * BLOCK, (b + 1) * BLOCK) for b in order]) if order else np.arange(0)
    keep = index < draws
    keys = finished[order[0]].keys() if order else []
    results = {key: {part: np.concatenate([finished[b][key][part] for b in order])[keep]
                     for part in finished[order[0]][key]} for key in keys}
    return MonteCarlo(scenario=scenario, models=[name for name, _ in specs], seed=seed, requested=draws,
                      draw_index=index[keep], results=results)
