"""Uncertainty commands: montecarlo, sensitivity, whatif."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from stakes import limits
from stakes.cli.app import app, console, errors, fmt, parse_params
from stakes.cli.core import DEFAULT_MODELS
from stakes.csvsafe import escape_frame
from stakes.errors import StakesError
from stakes.forecast import jsonable
from stakes.models import MODELS, make_model
from stakes.scenario import DEFAULT_SCENARIO, Issue, Scenario, load
from stakes.uncertainty.compare import BASELINE, Comparison, compare
from stakes.uncertainty.montecarlo import Event, ModelSpec, MonteCarlo
from stakes.whatif import WhatIf, select_whatifs

SPARKS = "▁▂▃▄▅▆▇█"


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    parquet = "parquet"


ScenarioArg = Annotated[str, typer.Argument(help="Scenario file or bundled name.")]
ModelOpt = Annotated[list[str] | None, typer.Option("--model", "-m", help=f"Model(s): {', '.join(MODELS)}; "
                                                       "repeat for several (default: mean, median, nash, bdm).")]
RoundsOpt = Annotated[int | None, typer.Option(min=1, help="Round limit for models that play rounds.")]
ParamOpt = Annotated[list[str] | None, typer.Option("--param", "-p", help="Model parameter KEY=VALUE.")]
DrawsOpt = Annotated[int, typer.Option(min=1, help="Monte Carlo draws.")]
SeedOpt = Annotated[int, typer.Option(help="Seed: the same seed gives the same numbers, however the work is spread.")]
EventOpt = Annotated[list[str] | None, typer.Option("--event", "-e", help="Event whose probability to report, "
                                                       "e.g. 'rafah_operation > 70'; repeat for several.")]
WorkersOpt = Annotated[int, typer.Option(min=1, help="Local processes that share the draws.")]
ClusterOpt = Annotated[str | None, typer.Option(help="Dask scheduler address (tcp://host:8786) to run the "
                                                   "draws on.")]
WhatifOpt = Annotated[list[str] | None, typer.Option("--whatif", "-w", help="What-if YAML file, or `bundled` for "
                                                        "the what-ifs shipped beside the scenario; repeatable.")]
ChangeOpt = Annotated[list[str] | None, typer.Option("--change", "-c", help="One change, e.g. "
                                                        "'us_admin.capability *= 0.5'; repeated, they form one "
                                                        "what-if.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of the "
                                                   "terminal.")]


def model_specs(names: list[str] | None, params: list[str] | None, rounds: int | None,
                default: tuple[str, ...] = DEFAULT_MODELS) -> list[ModelSpec]:
    """``(name, params)`` per model, checked before any work starts; ``rounds`` reaches only models with rounds."""
    names = list(names or default)
    if len(set(names)) < len(names):
        raise StakesError("each model may be named once; remove the repeated --model")
    common = parse_params(params or [])
    specs = []
    for name in names:
        model_params = dict(common)
        if rounds is not None and "rounds" in make_model(name).get_params():
            model_params["rounds"] = rounds
        make_model(name, **model_params)
        specs.append((name, model_params))
    return specs


class RateColumn(ProgressColumn):
    """Draws per second."""

    def render(self, task: Task) -> Text:
        return Text("" if not task.speed else f"{task.speed:,.0f} draws/s", style="progress.data.speed")


@contextmanager
def draw_progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr (draws done, rate, time left), shown only on a terminal."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("draws"),
               RateColumn(), TimeRemainingColumn())
    with Progress(*columns, console=errors, transient=True, disable=not errors.is_terminal) as progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def _interrupted(done: int, requested: int) -> None:
    errors.print(f"[yellow]interrupted:[/] kept the {done:,} of {requested:,} draws finished before Ctrl-C; "
                 "the results below use only those", soft_wrap=True)


def _check_events(scenario: Scenario, events: list[str]) -> list[Event]:
    parsed = [Event.parse(e) for e in events]
    known = [i.id for i in scenario.issues]
    for event in parsed:
        if event.issue not in known:
            raise StakesError(f"event {str(event)!r} names no issue of {scenario.title!r}; "
                              f"issues: {', '.join(known)}")
    return parsed


def _spark(counts: np.ndarray) -> str:
    """A histogram as one line of block characters."""
    top = counts.max()
    if top == 0:
        return " " * len(counts)
    return "".join(" " if c == 0 else SPARKS[min(len(SPARKS) - 1, int(c / top * len(SPARKS)))] for c in counts)


def _write(text: str | bytes, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_bytes(text) if isinstance(text, bytes) else output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise StakesError(f"cannot write {output} ({exc.strerror}); check the folder exists and is "
                          "writable") from None
    errors.print(f"wrote {escape(str(output))}")


def _tabular(table: pd.DataFrame, form: Format, output: Path | None) -> None:
    """A table as CSV, or as Parquet (which needs an output file)."""
    if form is Format.parquet:
        if output is None:
            raise StakesError("Parquet is a binary format; name a file with -o results.parquet")
        buffer = io.BytesIO()
        table.to_parquet(buffer, index=False)
        _write(buffer.getvalue(), output)
    else:
        buffer = io.StringIO()
        escape_frame(table).to_csv(buffer, index=False)
        _write(buffer.getvalue(), output)


def _json(data: Any) -> str:
    """JSON text; NaN (an empty cell) becomes null."""
    return json.dumps(jsonable(data), indent=2, ensure_ascii=False) + "\n"


def _print(renderables: list[Any], output: Path | None) -> None:
    """Rich output to the terminal, or as plain text to a file."""
    if output is None:
        for item in renderables:
            console.print(item)
        return
    buffer = io.StringIO()
    plain = Console(file=buffer, width=console.width, no_color=True, color_system=None)
    for item in renderables:
        plain.print(item)
    _write(buffer.getvalue(), output)


def _heading(scenario: Scenario, detail: str) -> Text:
    return Text.assemble((scenario.title, "bold"), "\n", (detail, "dim"))


# --- montecarlo -------------------------------------------------------------------------------------

def _variants(comparison: Comparison) -> list[tuple[str, str, MonteCarlo]]:
    return [(variant, comparison.title(variant), run) for variant, run in comparison.runs.items()]


def montecarlo_tables(comparison: Comparison, positions: bool) -> list[Any]:
    """Outcome distributions (with a histogram line), events and, on request, final positions."""
    several = len(comparison.runs) > 1
    out: list[Any] = []
    table = Table(title="[bold]Outcome distribution[/] [dim](quantiles of the draws; histogram across the scale)[/]",
                  title_justify="left")
    for column in (["what-if"] if several else []) + ["model", "issue", "forecast", "mean", "5%", "25%", "50%",
                                                      "75%", "95%", "histogram"]:
        table.add_column(column, justify="left" if column in ("what-if", "model", "issue", "histogram") else "right",
                         no_wrap=column in ("issue", "histogram"))
    for variant, _, run in _variants(comparison):
        points = {fc.model_name: fc for fc in comparison.forecasts[variant]}
        for row in run.summary().itertuples():
            counts, _ = run.histogram(row.model, row.issue, bins=16)
            cells = [escape(variant)] if several else []
            cells += [escape(row.model), escape(row.issue), f"{points[row.model].outcomes[row.issue]:.3g}",
                      f"{row.mean:.3g}", f"{row.q05:.3g}", f"{row.q25:.3g}", f"[bold]{row.q50:.3g}[/]",
                      f"{row.q75:.3g}", f"{row.q95:.3g}", _spark(counts)]
            table.add_row(*cells)
        if several and variant != list(comparison.runs)[-1]:
            table.add_section()
    out.append(table)
    if comparison.events:
        events = Table(title="[bold]Events[/] [dim](share of draws; ± standard error)[/]", title_justify="left")
        for column in (["what-if"] if several else []) + ["event", "model", "probability"]:
            events.add_column(column, justify="right" if column == "probability" else "left",
                              no_wrap=column == "event")
        for variant, _, run in _variants(comparison):
            for event in comparison.events:
                for row in run.probability(event).itertuples():
                    cells = [escape(variant)] if several else []
                    events.add_row(*cells, escape(row.event), escape(row.model),
                                   f"[bold]{row.probability:.1%}[/] ± {row.stderr:.1%}")
        out.append(events)
    if positions:
        for variant, _, run in _variants(comparison):
            final = run.final_positions()
            for (model, issue_id), part in final.groupby(["model", "issue"], sort=False):
                title = f"[bold]Final positions[/]: {escape(model)} on {escape(issue_id)}"
                table = Table(title=title + (f" [dim]({escape(variant)})[/]" if several else ""),
                              title_justify="left")
                for column in ("actor", "start", "mean", "5%", "median", "95%"):
                    table.add_column(column, justify="left" if column == "actor" else "right")
                data = run.scenario.issue_data(issue_id)
                start = dict(zip(data.actor_ids, data.position))
                for row in part.itertuples():
                    table.add_row(escape(row.actor), fmt(start[row.actor]), fmt(row.mean), fmt(row.q05),
                                  fmt(row.q50), fmt(row.q95))
                out.append(table)
    return out


def montecarlo_data(comparison: Comparison) -> dict[str, Any]:
    """Plain data for JSON: per variant, the summary, histograms, events and final positions."""
    variants = {}
    for variant, title, run in _variants(comparison):
        points = {fc.model_name: fc for fc in comparison.forecasts[variant]}
        summary = run.summary()
        summary.insert(2, "forecast", [points[m].outcomes[i] for m, i in zip(summary["model"], summary["issue"])])
        histograms = {}
        for model, issue_id in zip(summary["model"], summary["issue"]):
            counts, edges = run.histogram(model, issue_id, bins=20)
            histograms.setdefault(model, {})[issue_id] = {"edges": edges.tolist(), "counts": counts.tolist()}
        events = [row for event in comparison.events for row in run.probability(event).to_dict(orient="records")]
        variants[variant] = {"title": title, "draws": run.draws, "summary": summary.to_dict(orient="records"),
                             "histograms": histograms, "events": events,
                             "final_positions": run.final_positions().to_dict(orient="records")}
    baseline = comparison.runs[BASELINE]
    return {"scenario": comparison.scenario.title, "seed": baseline.seed, "requested": comparison.draws,
            "complete": comparison.complete, "models": baseline.models, "variants": variants,
            "whatifs": [{"id": w.id, "title": w.title, "changes": [str(c) for c in w.changes]}
                        for w in comparison.whatifs]}


def draw_table(comparison: Comparison) -> pd.DataFrame:
    """Tidy: one row per (variant, draw, model, issue) with the outcome, rounds and stop reason."""
    frames = [run.outcome_table().assign(variant=variant) for variant, run in comparison.runs.items()]
    table = pd.concat(frames, ignore_index=True)
    return table[["variant"] + [c for c in table.columns if c != "variant"]]


def _compare(scenario: Scenario, whatifs: list[WhatIf], specs: list[ModelSpec], draws: int, seed: int,
             events: list[Event], workers: int, cluster: str | None) -> tuple[Comparison, float]:
    """Run the comparison under a progress bar; report an interruption. Returns it and the seconds taken."""
    limits.check_draws(draws * (1 + len(whatifs)), len(scenario.actors))
    label = "Monte Carlo" if not whatifs else f"Baseline + {len(whatifs)} what-if{'s' * (len(whatifs) > 1)}"
    start = time.perf_counter()
    with draw_progress(label) as progress:
        result = compare(scenario, whatifs, models=specs, draws=draws, seed=seed, events=events, workers=workers,
                         cluster=cluster, progress=progress)
    seconds = time.perf_counter() - start
    if not result.complete:
        done = sum(run.draws for run in result.runs.values())
        _interrupted(done, draws * (1 + len(whatifs)))
    return result, seconds


@app.command("montecarlo")
def montecarlo_command(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    model: ModelOpt = None,
    rounds: RoundsOpt = None,
    param: ParamOpt = None,
    draws: DrawsOpt = 1000,
    seed: SeedOpt = 0,
    event: EventOpt = None,
    workers: WorkersOpt = 1,
    cluster: ClusterOpt = None,
    whatif: WhatifOpt = None,
    change: ChangeOpt = None,
    positions: Annotated[bool, typer.Option("--positions", help="Also show where each actor ends up.")] = False,
    output_format: Annotated[Format | None, typer.Option(
        "--format", "-f", help="table, json, csv or parquet (default: from the -o file's extension, else table).")
    ] = None,
    output: OutputOpt = None,
) -> None:
    """Draw every uncertain number many times and run every model on every draw.

    Shows each issue's outcome distribution, the probability of each --event
    and, with --positions, where actors end up.
    With --whatif or --change the what-ifs run too, on the same draws.
    json holds summaries; csv and parquet hold every draw.
    """
    form = output_format or _format_from(output)
    sc = load(scenario)
    specs = model_specs(model, param, rounds)
    events = _check_events(sc, list(event or []))
    whatifs = select_whatifs(scenario, list(whatif or []), list(change or []))
    result, seconds = _compare(sc, whatifs, specs, draws, seed, events, workers, cluster)
    if form is Format.json:
        _write(_json(montecarlo_data(result)), output)
    elif form in (Format.csv, Format.parquet):
        _tabular(draw_table(result), form, output)
    else:
        done = sum(run.draws for run in result.runs.values())
        where = f"on {cluster}" if cluster else f"{workers} processes" if workers > 1 else "in this process"
        detail = (f"{result.runs[BASELINE].draws:,} draws per variant, seed {seed}, {where}: "
                  f"{seconds:.1f} s ({done / seconds:,.0f} draws/s)")
        _print([_heading(sc, detail), *montecarlo_tables(result, positions)], output)
    if not result.complete:
        raise typer.Exit(130)


def _format_from(output: Path | None) -> Format:
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    return Format(suffix) if suffix in ("json", "csv", "parquet") else Format.table


# --- whatif -----------------------------------------------------------------------------------------

def whatif_tables(comparison: Comparison) -> list[Any]:
    """The what-ifs, then per issue and model: the baseline and each what-if side by side."""
    table = comparison.table()
    variants = list(comparison.runs)
    out: list[Any] = []
    listing = Table(title="[bold]What-ifs[/]", title_justify="left", show_lines=True)
    for column in ("id", "title", "changes"):
        listing.add_column(column)
    for w in comparison.whatifs:
        listing.add_row(escape(w.id), escape(w.title), escape("\n".join(str(c) for c in w.changes)))
    out.append(listing)
    base = table[table["variant"] == BASELINE].set_index(["model", "issue"])
    for title, cell in (
            ("Median outcome [dim](5%–95% of draws) and change against the baseline[/]",
             lambda row, ref: f"[bold]{row.q50:.3g}[/]" + ("" if ref is None else f" {_delta(row.q50 - ref.q50)}")
                              + f"\n[dim]{row.q05:.3g}–{row.q95:.3g}[/]"),
            ("Point forecast [dim](every number at its value) and change against the baseline[/]",
             lambda row, ref: f"[bold]{row.forecast:.3g}[/]" + ("" if ref is None else
                                                                f" {_delta(row.forecast - ref.forecast)}"))):
        side = Table(title=f"[bold]{title}[/]", title_justify="left")
        side.add_column("issue")
        side.add_column("model")
        for variant in variants:
            side.add_column(escape(variant), justify="right", overflow="fold", min_width=9)
        for issue_id in dict.fromkeys(table["issue"]):
            for model in dict.fromkeys(table["model"]):
                part = table[(table["issue"] == issue_id) & (table["model"] == model)]
                ref = base.loc[(model, issue_id)]
                side.add_row(escape(issue_id), escape(model),
                             *(cell(row, None if row.variant == BASELINE else ref) for row in part.itertuples()))
        out.append(side)
    if comparison.events:
        events = Table(title="[bold]Events[/] [dim](share of draws)[/]", title_justify="left")
        events.add_column("event", no_wrap=True)
        events.add_column("model")
        for variant in variants:
            events.add_column(escape(variant), justify="right", overflow="fold")
        for event in comparison.events:
            column = f"P({event})"
            rows = table[table["issue"] == event.issue]
            for model, part in rows.groupby("model", sort=False):
                events.add_row(escape(str(event)), escape(model), *(f"{p:.1%}" for p in part[column]))
        out.append(events)
    return out


def _delta(value: float) -> str:
    """A signed change along the issue's scale (cyan up, yellow down: a direction, not a judgement)."""
    if abs(value) < 0.05:
        return "[dim]±0[/]"
    return f"[cyan]+{value:.1f}[/]" if value > 0 else f"[yellow]−{-value:.1f}[/]"


@app.command("whatif")
def whatif_command(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    whatif: WhatifOpt = None,
    change: ChangeOpt = None,
    model: ModelOpt = None,
    rounds: RoundsOpt = None,
    param: ParamOpt = None,
    draws: DrawsOpt = 1000,
    seed: SeedOpt = 0,
    event: EventOpt = None,
    workers: WorkersOpt = 1,
    cluster: ClusterOpt = None,
    output_format: Annotated[Format, typer.Option("--format", "-f", help="table, json or csv.")] = Format.table,
    output: OutputOpt = None,
) -> None:
    """Compare what-ifs with the baseline, side by side, each with its Monte Carlo distribution.

    Without --whatif or --change, the what-ifs shipped beside the scenario are compared.
    """
    if output_format is Format.parquet:
        raise StakesError("whatif writes table, json or csv; for every draw in Parquet use "
                          "`stakes montecarlo --whatif ... -f parquet -o FILE`")
    sc = load(scenario)
    specs = model_specs(model, param, rounds)
    events = _check_events(sc, list(event or []))
    sources = list(whatif or ([] if change else ["bundled"]))
    whatifs = select_whatifs(scenario, sources, list(change or []))
    result, _ = _compare(sc, whatifs, specs, draws, seed, events, workers, cluster)
    if output_format is Format.json:
        _write(_json({"scenario": sc.title, "draws": draws, "seed": seed, "complete": result.complete,
                      "whatifs": [{"id": w.id, "title": w.title, "description": w.description,
                                   "changes": [str(c) for c in w.changes]} for w in result.whatifs],
                      "table": result.table().to_dict(orient="records")}), output)
    elif output_format is Format.csv:
        _tabular(result.table(), output_format, output)
    else:
        detail = f"{result.runs[BASELINE].draws:,} draws per variant, seed {seed}; the same draws for every variant"
        _print([_heading(sc, detail), *whatif_tables(result)], output)
    if not result.complete:
        raise typer.Exit(130)


# --- sensitivity ------------------------------------------------------------------------------------

def tornado(row: Any, issue: Issue, width: int = 25) -> Text:
    """A text tornado bar across the issue's scale: the outcome with the input at its low end (blue)
    and high end (red) around the base outcome (│); a thin line spans the lowest to highest outcome."""
    lo, hi = issue.scale
    edges = np.linspace(lo, hi, width + 1)
    base = min(int(np.searchsorted(edges, row.base_outcome, side="right")) - 1, width - 1)
    cells = []
    for k in range(width):
        cell = (edges[k], edges[k + 1])
        low = _overlaps(cell, row.base_outcome, row.outcome_low)
        high = _overlaps(cell, row.base_outcome, row.outcome_high)
        if k == base:
            cells.append(("│", "bold"))
        elif low and high:  # both bars on one side: the shorter one is drawn on top
            shorter_low = abs(row.outcome_low - row.base_outcome) < abs(row.outcome_high - row.base_outcome)
            cells.append(("█", "blue" if shorter_low else "red"))
        elif low or high:
            cells.append(("█", "blue" if low else "red"))
        elif _overlaps(cell, row.outcome_min, row.outcome_max):
            cells.append(("─", "dim"))
        else:
            cells.append((" ", ""))
    return Text.assemble(*cells)


def _label(key: str, issue_id: str) -> str:
    """An input key shown within its issue's table: ``gantz.rafah_operation.position`` → ``gantz position``."""
    if key == f"{issue_id}.status_quo":
        return "status quo"
    return key.replace(f".{issue_id}.", " ").replace(".capability", " capability")


def _overlaps(cell: tuple[float, float], x: float, y: float) -> bool:
    """True when the span between x and y reaches into the cell's interior."""
    return min(x, y) < cell[1] and max(x, y) > cell[0]


def sensitivity_tables(scenario: Scenario, oat: pd.DataFrame, sobols: dict[str, pd.DataFrame], model: str,
                       top: int) -> list[Any]:
    out: list[Any] = []
    for issue in scenario.issues:
        part = oat[oat["issue"] == issue.id]
        if part.empty:
            continue
        base = part["base_outcome"].iloc[0]
        title = (f"[bold]{escape(issue.name)}[/] [dim]({escape(issue.id)}, scale {fmt(issue.scale[0])}–"
                 f"{fmt(issue.scale[1])}; {escape(model)} outcome with every input at its value: {fmt(base)})[/]")
        table = Table(title=title, title_justify="left")
        for column in ("input", "range", "at low", "at high", "swing", "tornado"):
            table.add_column(column, justify="left" if column in ("input", "tornado") else "right",
                             overflow="fold" if column == "input" else "ellipsis", no_wrap=column == "tornado")
        for row in part.head(top).itertuples():
            table.add_row(escape(_label(row.input, issue.id)), f"{fmt(row.low)}–{fmt(row.high)}",
                          fmt(row.outcome_low), fmt(row.outcome_high), f"[bold]{fmt(row.swing)}[/]", tornado(row, issue))
        if len(part) > top:
            table.caption = f"{len(part) - top} more inputs with smaller swings (--top to show them)"
        out.append(table)
        if issue.id in sobols:
            indices = sobols[issue.id]
            table = Table(title=f"[bold]Sobol' indices[/]: {escape(issue.id)} [dim](S1 alone, ST with "
                                "interactions; ± half the 95% interval)[/]", title_justify="left")
            for column in ("input", "S1", "ST", ""):
                table.add_column(column, justify="left" if column in ("input", "") else "right",
                                 overflow="fold" if column == "input" else "ellipsis")
            for row in indices.head(top).itertuples():
                bar = "█" * round(max(0.0, min(row.ST, 1.0)) * 20)
                table.add_row(escape(_label(row.input, issue.id)), f"{row.S1:.3f} ± {row.S1_conf:.3f}",
                              f"[bold]{row.ST:.3f}[/] ± {row.ST_conf:.3f}", bar)
            out.append(table)
    return out


@app.command("sensitivity")
def sensitivity_command(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    model: Annotated[str, typer.Option("--model", "-m", help=f"Model: {', '.join(MODELS)}.")] = "bdm",
    rounds: RoundsOpt = None,
    param: ParamOpt = None,
    issue: Annotated[list[str] | None, typer.Option(help="Only these issue ids.")] = None,
    points: Annotated[int, typer.Option(min=2, help="Values per input across its range.")] = 5,
    top: Annotated[int, typer.Option(min=1, help="Inputs shown per issue in the table.")] = 12,
    with_sobol: Annotated[bool, typer.Option(
        "--sobol", help="Also rank inputs by Sobol' indices (variance-based; runs the model samples × (inputs + 2) "
        "times).")] = False,
    samples: Annotated[int, typer.Option(help="Sobol' base samples (a power of two).")] = 256,
    seed: Annotated[int, typer.Option(help="Seed of the Sobol' sample.")] = 0,
    output_format: Annotated[Format, typer.Option(
        "--format", "-f", help="table, json or csv (csv: the one-at-a-time table, or with --sobol the indices).")
    ] = Format.table,
    output: OutputOpt = None,
) -> None:
    """Which input moves the forecast most: each uncertain number swept across its range, one at a time."""
    # imported here: it loads SciPy's statistics, which take a second
    from stakes.uncertainty.sensitivity import check_base_samples, one_at_a_time, sobol

    if output_format is Format.parquet:
        raise StakesError("sensitivity writes table, json or csv")
    if with_sobol:
        check_base_samples(samples)
    sc = load(scenario)
    ((name, params),) = model_specs([model], param, rounds)
    oat = one_at_a_time(sc, name, issues=issue or None, points=points, **params)
    sobols = {}
    if with_sobol:
        for issue_id in dict.fromkeys(oat["issue"]):
            sobols[issue_id] = sobol(sc, name, issue=issue_id, base_samples=samples, seed=seed, **params)
    if output_format is Format.json:
        _write(_json({"scenario": sc.title, "model": name, "points": points,
                      "one_at_a_time": oat.to_dict(orient="records"),
                      "sobol": {k: v.to_dict(orient="records") for k, v in sobols.items()}}), output)
    elif output_format is Format.csv:
        table = (pd.concat([v.assign(issue=k) for k, v in sobols.items()], ignore_index=True)[
            ["issue", "input", "S1", "S1_conf", "ST", "ST_conf"]] if sobols else oat)
        _tabular(table, output_format, output)
    else:
        detail = (f"One input at a time, {points} points across its range, every other input at its value. Bars "
                  "span the issue's scale: the outcome with the input at the low (blue) and high (red) end of "
                  "its range, │ the outcome with every input at its value, ─ the lowest to highest outcome "
                  "over the range.")
        _print([_heading(sc, detail), *sensitivity_tables(sc, oat, sobols, name, top)], output)
