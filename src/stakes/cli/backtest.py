"""``stakes backtest``: score every model against the outcomes observed after the fact."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich import box
from rich.table import Table

from stakes.backtest import BAND, Backtest, backtest, scored_issues
from stakes.cli.app import app, console, errors
from stakes.cli.core import OutputFormat
from stakes.cli.text import safe
from stakes.cli.uncertainty import ParamOpt, RoundsOpt, SeedOpt, model_specs
from stakes.errors import ScenarioError, StakesError
from stakes.forecast import jsonable
from stakes.models import DEFAULT_MODELS, MODELS
from stakes.scenario import Scenario, bundled_scenarios, load
from stakes.scenario.deu import is_deu, read_deu
from stakes.scenario.documents import read_text

BACKTEST_MODELS = (*DEFAULT_MODELS, "veto")
"""The models a backtest scores by default: the forecast defaults, and the veto-player model."""


def case_library() -> list[tuple[str, Scenario]]:
    """Every bundled scenario with at least one observed outcome, by name."""
    cases = [(name, load(path)) for name, path in sorted(bundled_scenarios().items())]
    return [(name, sc) for name, sc in cases if scored_issues(sc)]


def load_cases(paths: list[str]) -> list[tuple[str, Scenario]]:
    """Scenario files or bundled names; a CSV in the DEU layout gives one case per proposal."""
    cases = []
    for given in paths:
        path = Path(given)
        if path.suffix.lower() == ".csv" and path.is_file() and is_deu(read_text(path)):
            cases += [(f"{path.name}:{sc.title.removeprefix('Proposal ')}", sc) for sc in read_deu(path)]
        else:
            cases.append((path.stem if path.is_file() else given, load(given)))
    return cases


def _number(value: float | None, digits: str = ".3g") -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else format(value, digits)


def _span(low: float, high: float) -> str:
    return f"{low:.3g}–{high:.3g}"


def score_tables(result: Backtest) -> list[Table]:
    """One table per case: per scored issue a row with the observation, then a row per model."""
    tables = []
    for case, part in result.scores.groupby("case", sort=False):
        table = Table(title=f"[bold]{safe(case)}[/]", title_justify="left", box=box.SIMPLE_HEAD,
                      pad_edge=False)
        table.add_column("issue / model", overflow="fold")  # a long id folds onto the next line, never cut
        for column in ("value", "error", f"{BAND:.0%} band", "P(deal)", "Brier"):
            table.add_column(column, justify="right", no_wrap=True)
        for issue, rows in part.groupby("issue", sort=False):
            first = rows.iloc[0]
            exact = first["observed_low"] is None or pd.isna(first["observed_low"])
            deal = "" if first["deal"] is None or pd.isna(first["deal"]) else ("deal" if first["deal"] else "no deal")
            table.add_row(f"[bold]{safe(issue)}[/]\n[dim]observed {safe(first['date'] or '')}[/]",
                          f"[bold]{first['observed']:.3g}[/]", "",
                          "" if exact else _span(first["observed_low"], first["observed_high"]), deal, "")
            for _, row in rows.iterrows():
                mark = "[green]in[/] " if row["covered"] else "[red]out[/]"
                table.add_row(f"  {safe(row['model'])}", f"{row['forecast']:.3g}", f"{row['error_pct']:.1f}%",
                              f"{_span(row['band_low'], row['band_high'])} {mark}",
                              _number(row["p_deal"], ".2f"), _number(row["brier"], ".3f"))
        tables.append(table)
    return tables


def summary_table(result: Backtest) -> Table:
    """Per model over every scored issue: mean absolute error, coverage of the band, mean Brier score."""
    table = Table(title="[bold]Summary per model[/] [dim](error: % of the scale's width)[/]",
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("model", no_wrap=True)
    for column in ("issues", "mean error", f"in {BAND:.0%} band", "Brier (issues)"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in result.summary().itertuples():
        brier = "—" if row.brier_issues == 0 else f"{row.brier:.3f} ({row.brier_issues})"
        table.add_row(safe(row.model), str(row.issues), f"{row.mean_error_pct:.1f}%",
                      f"{round(row.coverage * row.issues)}/{row.issues}", brier)
    return table


@app.command("backtest")
def backtest_command(
    paths: Annotated[list[str] | None, typer.Argument(help="Scenario files or bundled names with observed outcomes, "
                                                      "or CSV files in the DEU layout (default: the bundled "
                                                      "case library).")] = None,
    model: Annotated[list[str] | None, typer.Option("--model", "-m", help=f"Model(s): {', '.join(MODELS)}; repeat "
                                                    f"for several (default: {', '.join(BACKTEST_MODELS)}).")] = None,
    rounds: RoundsOpt = None,
    param: ParamOpt = None,
    draws: Annotated[int, typer.Option(min=1, help="Monte Carlo draws per case for the 90% band and P(deal).")] = 1000,
    seed: SeedOpt = 0,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="table, json or csv.")] = OutputFormat.table,
) -> None:
    """Score every model on every issue with an observed outcome: error, 90% band, P(deal), ensemble."""
    specs = model_specs(model, param, rounds, default=BACKTEST_MODELS)
    try:
        cases = load_cases(paths) if paths else case_library()
    except ScenarioError as exc:  # every problem of the file, one a line
        errors.print(safe(exc.report()), soft_wrap=True)
        raise typer.Exit(1) from None
    if not cases:
        raise StakesError("no bundled scenario has an observed outcome")
    result = backtest(cases, specs, draws=draws, seed=seed)
    if output is OutputFormat.json:
        typer.echo(json.dumps(jsonable(result.to_dict()), indent=2, ensure_ascii=False))
    elif output is OutputFormat.csv:
        buffer = io.StringIO()
        result.scores.to_csv(buffer, index=False)
        typer.echo(buffer.getvalue(), nl=False)
    else:
        console.print(f"[bold]Backtest[/] [dim]{len(result.cases)} case(s), models {safe(', '.join(result.models))}, "
                      f"{draws:,} draws, seed {seed}[/]")
        console.print("[dim]Per issue: the observed outcome, its range and whether a deal was observed; per model: "
                      f"the forecast, its error (% of the scale's width), the {BAND:.0%} band of the draws and whether "
                      "the outcome falls in it, P(deal) and its Brier score.[/]")
        for table in score_tables(result):
            console.print(table)
        console.print(summary_table(result))
