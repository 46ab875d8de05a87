"""Everything a report shows, computed once: :func:`build_report` returns a :class:`Report`.

The HTML and Markdown renderers only lay out what is here, so both always show the same numbers,
charts and sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from stakes.backtest import score_run
from stakes.errors import StakesError
from stakes.files import make_folder, write_atomic
from stakes.forecast import Forecast, forecast
from stakes.models import default_models, make_model
from stakes.report import charts
from stakes.report.charts import Chart
from stakes.report.summary import Paragraph, input_label, interval, summarize
from stakes.scenario.model import Scenario
from stakes.uncertainty.compare import BASELINE, Comparison, compare
from stakes.uncertainty.montecarlo import (
    Event,
    ModelSpec,
    MonteCarlo,
    monte_carlo,
    with_deal_events,
)
from stakes.uncertainty.sensitivity import one_at_a_time
from stakes.whatif import WhatIf


@dataclass
class Report:
    """Results of one report run: forecasts, Monte Carlo draws, sensitivity, what-ifs, charts, summary."""

    scenario: Scenario
    models: list[ModelSpec]
    draws: int
    seed: int
    events: list[Event]
    forecasts: list[Forecast]
    montecarlo: MonteCarlo
    sensitivity: pd.DataFrame | None = None
    sensitivity_model: str | None = None
    comparison: Comparison | None = None
    """The baseline and every what-if side by side (only when what-ifs were given)."""
    backtest: pd.DataFrame | None = None
    """Scores against the observed outcomes (:func:`stakes.backtest.score_run`), when the scenario has any."""
    charts: list[Chart] = field(default_factory=list)
    summary: list[Paragraph] = field(default_factory=list)

    @property
    def model_names(self) -> list[str]:
        return [name for name, _ in self.models]

    @property
    def whatifs(self) -> list[WhatIf]:
        return list(self.comparison.whatifs) if self.comparison is not None else []

    def model_title(self, name: str) -> str:
        return make_model(name).title

    def model_params(self, name: str) -> dict[str, Any]:
        """The parameters a model ran with (its defaults, overridden by the report's options)."""
        params = dict(self.models)[name]
        return make_model(name, **params).get_params()

    def outcome_table(self) -> pd.DataFrame:
        """Per model and issue: point forecast, rounds, stop reason, and the Monte Carlo summary."""
        points = pd.concat([fc.summary() for fc in self.forecasts], ignore_index=True)
        points = points.rename(columns={"outcome": "forecast"})
        return points.merge(self.montecarlo.summary(), on=["model", "issue"], how="left")

    def probabilities(self) -> pd.DataFrame:
        """Per event and model: the share of baseline draws in which the event holds."""
        if not self.events:
            return pd.DataFrame(columns=["event", "model", "probability", "stderr"])
        return pd.concat([self.montecarlo.probability(e) for e in self.events], ignore_index=True)

    def comparison_table(self) -> pd.DataFrame:
        """The what-if comparison (baseline first; ``P(event)`` columns), or an empty table without what-ifs."""
        if self.comparison is None:
            return pd.DataFrame(columns=["variant", "title", "model", "issue", "forecast", "mean", "q05", "q50",
                                         "q95"])
        return self.comparison.table()

    def charts_for(self, section: str, issue: str | None = None) -> list[Chart]:
        return [c for c in self.charts if c.section == section and (issue is None or c.issue == issue)]

    def export_charts(self, directory: str | Path) -> list[Path]:
        """Write every chart as ``ID.svg`` and ``ID.png`` into ``directory``; returns the files."""
        directory = make_folder(directory)
        written = []
        for chart in self.charts:
            svg, png = directory / f"{chart.id}.svg", directory / f"{chart.id}.png"
            written += [write_atomic(svg, chart.svg()), write_atomic(png, chart.png())]
        return written


def _model_spec(model: str | ModelSpec) -> ModelSpec:
    return (model, {}) if isinstance(model, str) else (model[0], dict(model[1]))


def build_report(scenario: Scenario, models: Sequence[str | ModelSpec] | None = None, draws: int = 1000,
                 seed: int = 0, whatifs: Sequence[WhatIf] = (), events: Sequence[Event | str] = (), *,
                 sensitivity: bool = True, sensitivity_model: str | None = None, sensitivity_points: int = 5,
                 workers: int = 1, progress: Callable[[int, int], None] | None = None) -> Report:
    """Run every model on the scenario (point forecast and Monte Carlo), the what-ifs, and sensitivity.

    ``models`` are names or ``(name, params)`` pairs (default: the scenario's
    :func:`~stakes.models.default_models`, as the command line). Sensitivity (one input at a time) runs for
    ``sensitivity_model``, by default the first model that plays bargaining rounds, else the first
    model. Events such as ``"rafah_operation > 70"`` get their probability under every model and
    what-if, and so does ``deal on ISSUE`` on issues whose decision rule may keep the status quo.
    """
    specs = [_model_spec(m) for m in (default_models(scenario) if models is None else models)]
    if not specs:
        raise StakesError("a report needs at least one model")
    names = [name for name, _ in specs]
    if len(set(names)) < len(names):
        raise StakesError(f"each model may appear once in a report, not {', '.join(names)}")
    parsed = with_deal_events(scenario, [Event.parse(e) if isinstance(e, str) else e for e in events])
    issue_ids = {i.id for i in scenario.issues}
    for event in parsed:
        if event.issue not in issue_ids:
            raise StakesError(f"event {str(event)!r} names no issue of the scenario; issues: "
                              f"{', '.join(sorted(issue_ids))}")
    comparison = None
    if whatifs:
        comparison = compare(scenario, list(whatifs), models=specs, draws=draws, seed=seed, events=parsed,
                             workers=workers, progress=progress)
        run, forecasts = comparison.runs[BASELINE], comparison.forecasts[BASELINE]
    else:
        run = monte_carlo(scenario, specs, draws, seed, workers=workers, progress=progress)
        forecasts = [forecast(scenario, name, seed=seed, **params) for name, params in specs]
    report = Report(scenario=scenario, models=specs, draws=draws, seed=seed, events=parsed, forecasts=forecasts,
                    montecarlo=run, comparison=comparison)
    scores = score_run(scenario, forecasts, run)
    report.backtest = scores if not scores.empty else None
    if sensitivity:
        name = sensitivity_model or _default_sensitivity_model(forecasts)
        params = dict(specs).get(name, {})
        report.sensitivity = one_at_a_time(scenario, model=name, points=sensitivity_points, **params)
        report.sensitivity_model = name
    report.charts = make_charts(report)
    report.summary = summarize(report)
    return report


def _default_sensitivity_model(forecasts: list[Forecast]) -> str:
    for fc in forecasts:
        if any(r.rounds for r in fc.issues.values()):
            return fc.model_name
    return forecasts[0].model_name


def make_charts(report: Report) -> list[Chart]:
    """Every chart of the report, issue by issue; the renderers pick them by section."""
    sc = report.scenario
    names = {a.id: a.name for a in sc.actors}
    models = report.model_names
    table = report.outcome_table()
    made: list[Chart] = []

    def add(section: str, issue_id: str, title: str, description: str, figure) -> None:
        made.append(Chart(id=_slug(f"{section}-{issue_id}", {c.id for c in made}), section=section,
                          title=title, description=description, figure=figure, issue=issue_id))

    for issue in sc.issues:
        rows = table[table["issue"] == issue.id]
        if rows.empty:
            continue
        data = sc.issue_data(issue.id)
        outcomes = dict(zip(rows["model"], rows["forecast"]))
        add("positions", issue.id, f"Starting positions: {issue.name}",
            f"{data.n} actors' starting positions on {issue.name}, marker size by capability times salience, "
            "with each model's forecast: " + ", ".join(f"{m} {v:.3g}" for m, v in outcomes.items()) + ".",
            charts.positions_chart(data, outcomes, names, models))
        played = {fc.model_name: fc.issues[issue.id] for fc in report.forecasts
                  if issue.id in fc.issues and fc.issues[issue.id].rounds}
        if played:
            add("trajectories", issue.id, f"Positions round by round: {issue.name}",
                "Actors' positions after each bargaining round under " + ", ".join(played) + "; outcomes: "
                + ", ".join(f"{m} {r.outcome:.3g} after {r.rounds} rounds" for m, r in played.items()) + ".",
                charts.trajectory_chart(issue, played, names))
        histograms = {m: report.montecarlo.histogram(m, issue.id, bins=50) for m in models}
        quantiles = {r.model: (r.q05, r.q50, r.q95) for r in rows.itertuples()}
        add("distributions", issue.id, f"Outcome distribution: {issue.name}",
            f"Histogram of the outcome over {report.montecarlo.draws} draws per model; 90% intervals: "
            + ", ".join(f"{m} {interval(q[0], q[2], '.3g')}" for m, q in quantiles.items()) + ".",
            charts.distribution_chart(issue, histograms, quantiles, outcomes, models))
        if report.backtest is not None:
            part = report.backtest[report.backtest["issue"] == issue.id]
            if not part.empty:
                first = part.iloc[0]
                add("backtest", issue.id, f"Forecast against the observed outcome: {issue.name}",
                    f"Observed {first['observed']:.3g} on {first['date']}; per model the point forecast (dot) and "
                    "the 90% band of the draws (line): " + ", ".join(
                        f"{r.model} {r.forecast:.3g} ({interval(r.band_low, r.band_high, '.3g')})"
                        for r in part.itertuples()) + ".",
                    charts.backtest_chart(issue, part, models))
        if report.sensitivity is not None:
            part = report.sensitivity[report.sensitivity["issue"] == issue.id]
            if not part.empty:
                labels = {key: input_label(sc, key, issue.id) for key in part["input"]}
                top = part.sort_values("swing", ascending=False, kind="stable").head(3)
                add("sensitivity", issue.id, f"Sensitivity ({report.sensitivity_model}): {issue.name}",
                    "Outcome as each input runs over its range, one at a time; largest swings: "
                    + "; ".join(f"{labels[r.input]} {interval(r.outcome_min, r.outcome_max, '.3g')}"
                                for r in top.itertuples()) + ".",
                    charts.tornado_chart(issue, part, labels, report.sensitivity_model))
        if report.comparison is not None:
            part = report.comparison_table()
            part = part[part["issue"] == issue.id]
            baseline = part[part["variant"] == BASELINE]
            add("whatifs", issue.id, f"What-ifs against the baseline: {issue.name}",
                "Median (dot) and 90% interval (line) of the outcome per what-if (rows) and model (colours); "
                "dotted lines mark the baseline medians: "
                + ", ".join(f"{r.model} {r.q50:.3g}" for r in baseline.itertuples()) + ".",
                charts.comparison_chart(issue, part, models))
    return made


def _slug(text: str, taken: set[str]) -> str:
    """A file-name-safe id, unique among ``taken``."""
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower() or "chart"
    slug, k = base, 2
    while slug in taken:
        slug, k = f"{base}-{k}", k + 1
    return slug
