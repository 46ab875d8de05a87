"""Charts for the report: each function turns plain result data into one matplotlib figure.

Figures are drawn without pyplot (no global state, no display) and exported as SVG with text turned
into paths, so a chart looks the same on any machine, offline, without fonts installed; PNG comes
from the same figure. Text from a scenario is passed through :func:`plain` so that matplotlib never
reads it as mathematical markup.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from stakes.models.base import IssueForecast
from stakes.report.summary import interval
from stakes.scenario.model import Issue, IssueData

STYLE = {
    "svg.fonttype": "path",
    "svg.hashsalt": "stakes",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
}
"""Matplotlib settings every chart is drawn and exported with."""

WIDTH = 7.5
"""Figure width in inches (540 pt): the report's text column."""

MODEL_COLOURS = ("#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#7a5195", "#00798c", "#6b4f3a", "#888888")
ACTOR_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf")
ACTOR_DASHES = ("-", "--", ":", "-.")
"""Actors past the tenth reuse the colours with the next dash pattern."""
LOW_COLOUR, HIGH_COLOUR, BAND_COLOUR = "#5e81ac", "#d08770", "#e8eef5"


@dataclass
class Chart:
    """One figure of the report with what a reader needs around it: a title and a text description.

    ``id`` is unique within a report and safe as a file name; ``section`` and ``issue`` say where the
    chart belongs; ``description`` is the text alternative, written from the numbers shown.
    """

    id: str
    section: str
    title: str
    description: str
    figure: Figure
    issue: str | None = None
    _svg: str | None = field(default=None, init=False, repr=False)

    def svg(self) -> str:
        """A standalone SVG document (text as paths: no fonts needed to show it); drawn once, then kept."""
        if self._svg is None:
            buffer = io.StringIO()
            with matplotlib.rc_context(STYLE):
                self.figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
            self._svg = buffer.getvalue()
        return self._svg

    def png(self, dpi: int = 150) -> bytes:
        buffer = io.BytesIO()
        with matplotlib.rc_context(STYLE):
            self.figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        return buffer.getvalue()


def plain(text: str) -> str:
    """Scenario text as matplotlib shows it literally (``$`` would otherwise start mathematics)."""
    return text.replace("\\", "\\\\").replace("$", r"\$")


def wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(plain(text), width)) or " "


def _figure(height: float) -> Figure:
    with matplotlib.rc_context(STYLE):
        return Figure(figsize=(WIDTH, height), layout="constrained")


def _model_colour(models: Sequence[str], model: str) -> str:
    return MODEL_COLOURS[list(models).index(model) % len(MODEL_COLOURS)]


def _interleaved(models: Sequence[str], model: str, dash: float = 3.0):
    """A dash pattern shifted per model, so lines of models that agree interleave instead of hiding each other."""
    if len(models) == 1:
        return "-"
    k = list(models).index(model)
    return (k * dash, (dash, dash * (len(models) - 1)))


def _scale_axis(ax, issue: Issue, axis: str = "x") -> None:
    """Fix the axis to the issue's scale and name its two ends below (or beside) it."""
    lo, hi = issue.scale
    (ax.set_xlim if axis == "x" else ax.set_ylim)(lo, hi)
    label = f"{_num(lo)} = {issue.low}\n{_num(hi)} = {issue.high}"
    wrapped = "\n".join(wrap(line, 90) for line in label.split("\n"))
    (ax.set_xlabel if axis == "x" else ax.set_ylabel)(wrapped, fontsize=7.5, color="#444444")


def _num(value: float) -> str:
    return f"{value:g}"


def positions_chart(data: IssueData, outcomes: Mapping[str, float], names: Mapping[str, str],
                    models: Sequence[str]) -> Figure:
    """Where each actor starts on an issue (marker area ∝ capability × salience) and each model's outcome."""
    issue = data.issue
    order = np.argsort(data.position, kind="stable")
    weight = data.capability * data.salience
    area = 30 + 400 * weight / weight.max() if weight.max() > 0 else np.full(len(weight), 60.0)
    with matplotlib.rc_context(STYLE):
        fig = _figure(1.3 + 0.28 * data.n)
        ax = fig.subplots()
        y = np.arange(data.n)
        ax.scatter(data.position[order], y, s=area[order], color="#4c566a", alpha=0.75, zorder=3, gid="actors")
        ax.set_yticks(y, [wrap(names.get(data.actor_ids[k], data.actor_ids[k]), 32) for k in order])
        ax.set_ylim(-0.7, data.n - 0.3)
        handles = []
        if issue.status_quo is not None:
            ax.axvline(issue.status_quo.value, color="#999999", linestyle=":", linewidth=1.5)
            handles.append(Line2D([], [], color="#999999", linestyle=":",
                                  label=f"status quo ({_num(issue.status_quo.value)})"))
        for model, value in outcomes.items():
            colour = _model_colour(models, model)
            ax.axvline(value, color=colour, linewidth=1.8, linestyle=_interleaved(list(outcomes), model),
                       gid=f"outcome-{_gid(model)}")
            handles.append(Line2D([], [], color=colour, label=f"{plain(model)} forecast ({value:.3g})"))
        _scale_axis(ax, issue)
        ax.grid(axis="y", visible=False)
        fig.legend(handles=handles, loc="outside right upper")
    return fig


def trajectory_chart(issue: Issue, results: Mapping[str, IssueForecast], names: Mapping[str, str]) -> Figure:
    """Positions round by round, one panel per model that plays rounds, with its outcome after each round.

    ``names`` maps every actor id of the scenario to its name; its order fixes each actor's colour, so
    an actor keeps its colour across issues.
    """
    models = list(results)
    order = list(names)
    playing = {a for r in results.values() for a in r.actor_ids}
    actors = [a for a in order if a in playing] + sorted(playing - set(order))
    cols = 1 if len(models) == 1 else 2
    rows = -(-len(models) // cols)
    with matplotlib.rc_context(STYLE):
        fig = _figure(0.6 + 2.6 * rows)
        axes = np.atleast_1d(fig.subplots(rows, cols, sharey=True, squeeze=False)).ravel()
        for ax, model in zip(axes, models):
            result = results[model]
            rounds = np.arange(result.positions.shape[0])
            ax.plot(rounds, result.outcomes, color="black", linewidth=2.4, alpha=0.35, zorder=1,
                    gid=f"outcome-{_gid(model)}")
            for k, actor in enumerate(result.actor_ids):
                colour, dashes = _actor_style(order, actor)
                ax.plot(rounds, result.positions[:, k], color=colour, linestyle=dashes, linewidth=1.2, marker="o",
                        markersize=2.5, zorder=2, gid=f"actor-{_gid(model)}-{k}")
            ax.set_title(f"{plain(model)}: {result.outcome:.3g} after {result.rounds} rounds", loc="left")
            ax.set_xlabel("round")
            ax.set_ylim(*issue.scale)
            ax.xaxis.get_major_locator().set_params(integer=True)
        for ax in axes[len(models):]:
            ax.set_visible(False)
        axes[0].set_ylabel("position")
        handles = [Line2D([], [], color=_actor_style(order, a)[0], linestyle=_actor_style(order, a)[1],
                          label=wrap(names.get(a, a), 28)) for a in actors]
        handles.append(Line2D([], [], color="black", linewidth=2.4, alpha=0.35, label="model outcome"))
        fig.legend(handles=handles, loc="outside right upper")
        _ends_note(fig, issue)
    return fig


def _actor_style(order: Sequence[str], actor: str) -> tuple[str, str]:
    """Colour and dash pattern of an actor's line, from its place in the scenario."""
    index = order.index(actor) if actor in order else len(order)
    return (ACTOR_COLOURS[index % len(ACTOR_COLOURS)],
            ACTOR_DASHES[(index // len(ACTOR_COLOURS)) % len(ACTOR_DASHES)])


def _ends_note(fig: Figure, issue: Issue) -> None:
    """Name the scale's ends at the foot of a figure whose value axis is vertical or shared."""
    lo, hi = issue.scale
    fig.supxlabel(wrap(f"{_num(lo)} = {issue.low}; {_num(hi)} = {issue.high}", 110), fontsize=7.5, color="#444444")


def distribution_chart(issue: Issue, histograms: Mapping[str, tuple[np.ndarray, np.ndarray]],
                       quantiles: Mapping[str, tuple[float, float, float]], forecasts: Mapping[str, float],
                       models: Sequence[str]) -> Figure:
    """Per model, the histogram of Monte Carlo outcomes with the 90% interval, median and point forecast."""
    with matplotlib.rc_context(STYLE):
        fig = _figure(0.9 + 1.05 * len(histograms))
        axes = np.atleast_1d(fig.subplots(len(histograms), 1, sharex=True, squeeze=False)).ravel()
        for ax, (model, (counts, edges)) in zip(axes, histograms.items()):
            colour = _model_colour(models, model)
            q05, q50, q95 = quantiles[model]
            ax.axvspan(q05, q95, color=BAND_COLOUR, zorder=0)
            ax.stairs(counts, edges, fill=True, color=colour, alpha=0.85, gid=f"hist-{_gid(model)}")
            ax.axvline(q50, color="black", linewidth=1.2)
            if model in forecasts:
                ax.plot([forecasts[model]], [counts.max() * 1.08 if counts.max() else 1], marker="v",
                        color="black", markersize=6, linestyle="none")
            ax.set_ylim(0, (counts.max() or 1) * 1.22)
            ax.set_ylabel("draws")
            ax.set_title(f"{plain(model)}: median {q50:.3g}, 90% of draws in {interval(q05, q95, '.3g')}",
                         loc="left")
            ax.grid(axis="x", visible=False)
        _scale_axis(axes[-1], issue)
        handles = [Patch(color=BAND_COLOUR, label="90% of draws"), Line2D([], [], color="black", label="median"),
                   Line2D([], [], color="black", marker="v", linestyle="none", label="point forecast")]
        fig.legend(handles=handles, loc="outside upper right", ncols=3)
    return fig


def tornado_chart(issue: Issue, table: pd.DataFrame, labels: Mapping[str, str], model: str,
                  top: int = 12) -> Figure:
    """One-at-a-time sensitivity: how far the outcome moves as each input runs over its range.

    ``table`` has the columns of :func:`stakes.uncertainty.sensitivity.one_at_a_time` for one issue;
    the ``top`` inputs with the largest swing are shown, largest on top. The low-end and high-end bars
    share a row side by side, so both stay visible when they point the same way.
    """
    base = float(table["base_outcome"].iloc[0])
    rows = table[table["swing"] > 0].sort_values("swing", ascending=False, kind="stable").head(top).iloc[::-1]
    with matplotlib.rc_context(STYLE):
        fig = _figure(1.2 + 0.3 * max(len(rows), 1))
        ax = fig.subplots()
        y = np.arange(len(rows))
        ax.hlines(y, rows["outcome_min"], rows["outcome_max"], color="#888888", linewidth=1, zorder=1)
        ax.barh(y + 0.17, rows["outcome_low"] - base, left=base, height=0.34, color=LOW_COLOUR, zorder=2, gid="low")
        ax.barh(y - 0.17, rows["outcome_high"] - base, left=base, height=0.34, color=HIGH_COLOUR, zorder=2,
                gid="high")
        ax.axvline(base, color="black", linewidth=1)
        if rows.empty:
            ax.text(base, 0, "  no single input moves the outcome", va="center", fontsize=8)
        ax.set_yticks(y, [wrap(f"{labels.get(key, key)} ({interval(lo, hi, '.3g')})", 44)
                          for key, lo, hi in zip(rows["input"], rows["low"], rows["high"])])
        ax.set_ylim(-0.7, max(len(rows), 1) - 0.3)
        ax.grid(axis="y", visible=False)
        _scale_axis(ax, issue)
        ax.set_title(f"{plain(model)}: outcome {base:.3g} with every input at its value", loc="left")
        handles = [Patch(color=LOW_COLOUR, label="input at the low end of its range"),
                   Patch(color=HIGH_COLOUR, label="input at the high end"),
                   Line2D([], [], color="#888888", label="lowest–highest outcome over the range")]
        fig.legend(handles=handles, loc="outside lower center", ncols=3)
    return fig


def comparison_chart(issue: Issue, table: pd.DataFrame, models: Sequence[str]) -> Figure:
    """What-ifs against the baseline: per variant and model, the 90% interval and median of the outcome.

    ``table`` holds one issue's rows of :meth:`Comparison.table` (columns variant, title, model, q05,
    q50, q95, forecast), baseline first. Variants run top to bottom, models within a variant in legend order.
    """
    variants = list(dict.fromkeys(table["variant"]))
    titles = [table.loc[table["variant"] == v, "title"].iloc[0] for v in variants]
    step = 1.0 / (len(models) + 1)
    with matplotlib.rc_context(STYLE):
        fig = _figure(1.2 + 0.22 * len(variants) * (len(models) + 1))
        ax = fig.subplots()
        for j, model in enumerate(models):
            part = table[table["model"] == model]
            y = np.array([len(variants) - 1 - variants.index(v) for v in part["variant"]]) + 0.5 - (j + 1) * step
            colour = _model_colour(models, model)
            ax.hlines(y, part["q05"], part["q95"], color=colour, linewidth=2.2, gid=f"interval-{_gid(model)}")
            ax.plot(part["q50"], y, marker="o", color=colour, linestyle="none", markersize=5)
            ax.plot(part["forecast"], y, marker="|", color="black", linestyle="none", markersize=9)
        baseline = table[table["variant"] == variants[0]]
        for model, value in zip(baseline["model"], baseline["q50"]):
            ax.axvline(value, color=_model_colour(models, model), linewidth=1,
                       linestyle=_interleaved(list(baseline["model"]), model))
        ax.set_yticks(np.arange(len(variants)), [wrap(t, 34) for t in reversed(titles)])
        for k in range(len(variants) - 1):
            ax.axhline(k + 0.5, color="#cccccc", linewidth=0.6)
        ax.set_ylim(-0.5, len(variants) - 0.5)
        ax.grid(axis="y", visible=False)
        _scale_axis(ax, issue)
        handles = [Line2D([], [], color=_model_colour(models, m), linewidth=2.2, marker="o", label=plain(m))
                   for m in models]
        handles += [Line2D([], [], color="black", marker="|", linestyle="none", markersize=9, label="point forecast")]
        fig.legend(handles=handles, loc="outside right upper", title="median, 90% of draws")
    return fig


def backtest_chart(issue: Issue, table: pd.DataFrame, models: Sequence[str]) -> Figure:
    """Forecast against outcome: per model the 90% band of the draws (line) and the point forecast (dot),
    over the observed outcome (black line) and its recorded range (shaded).

    ``table`` holds one issue's rows of :func:`stakes.backtest.score_run` (columns model, forecast,
    band_low, band_high, observed, observed_low, observed_high); ``models`` fixes the colours (the
    ensemble, not among them, is grey).
    """
    first = table.iloc[0]
    with matplotlib.rc_context(STYLE):
        fig = _figure(1.3 + 0.32 * len(table))
        ax = fig.subplots()
        if pd.notna(first["observed_low"]):
            ax.axvspan(first["observed_low"], first["observed_high"], color=BAND_COLOUR, zorder=0, gid="observed-range")
        ax.axvline(first["observed"], color="black", linewidth=1.6, zorder=1, gid="observed")
        y = np.arange(len(table))[::-1]
        for k, row in zip(y, table.itertuples()):
            colour = _model_colour(models, row.model) if row.model in models else "#444444"
            ax.hlines(k, row.band_low, row.band_high, color=colour, linewidth=2.4, gid=f"band-{_gid(row.model)}")
            ax.plot([row.forecast], [k], marker="o", color=colour, markersize=6, linestyle="none",
                    gid=f"forecast-{_gid(row.model)}")
        ax.set_yticks(y, [plain(m) for m in table["model"]])
        ax.set_ylim(-0.7, len(table) - 0.3)
        ax.grid(axis="y", visible=False)
        _scale_axis(ax, issue)
        handles = [Line2D([], [], color="#666666", linewidth=2.4, marker="o", label="forecast, 90% of draws"),
                   Line2D([], [], color="black", linewidth=1.6, label=f"observed ({_num(first['observed'])})")]
        if pd.notna(first["observed_low"]):
            handles.append(Patch(color=BAND_COLOUR, label="observed range "
                                 f"({interval(first['observed_low'], first['observed_high'], '.3g')})"))
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))
    return fig


def _gid(text: str) -> str:
    """An element id fragment from any text."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text)
