"""Core commands: forecast, show, validate, convert, scenarios, models."""

from __future__ import annotations

import io
import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from stakes.cli.app import app, console, errors, fmt, parse_params
from stakes.csvsafe import escape_frame
from stakes.errors import ScenarioError
from stakes.forecast import Forecast, forecast
from stakes.models import MODELS, make_model
from stakes.scenario import DEFAULT_SCENARIO, Scenario, bundled_scenarios, load, save
from stakes.scenario.io import FORMATS

DEFAULT_MODELS = ("mean", "median", "nash", "bdm")


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def run_models(scenario: Scenario, models: list[str], params: dict[str, Any], rounds: int | None = None,
               seed: int | None = None, issues: list[str] | None = None) -> list[Forecast]:
    """Run each named model; ``rounds`` reaches only models that play rounds."""
    results = []
    for name in models:
        model_params = dict(params)
        if rounds is not None:
            accepts = make_model(name).get_params()
            if "rounds" in accepts:
                model_params["rounds"] = rounds
        results.append(forecast(scenario, name, issues=issues, seed=seed, **model_params))
    return results


def _forecast_tables(scenario: Scenario, results: list[Forecast]) -> list[Table]:
    """Per issue: every actor's numbers and where multi-round models leave it; then all outcomes."""
    tables = []
    issues = [i for i in scenario.issues if i.id in results[0].issues]
    for issue in issues:
        data = scenario.issue_data(issue.id)
        title = (f"[bold]{escape(issue.name)}[/]\n[dim]{fmt(issue.scale[0])} = {escape(issue.low)}; "
                 f"{fmt(issue.scale[1])} = {escape(issue.high)}[/]")
        table = Table(title=title, title_justify="left")
        for column in ("actor", "capability", "salience", "start"):
            table.add_column(column, justify="left" if column == "actor" else "right")
        played = [fc for fc in results if fc.issues[issue.id].rounds]
        for fc in played:
            table.add_column(escape(f"{fc.model_name} end"), justify="right")
        for k, actor_id in enumerate(data.actor_ids):
            cells = [escape(actor_id), fmt(data.capability[k]), fmt(data.salience[k]), fmt(data.position[k])]
            cells += [fmt(fc.issues[issue.id].final_positions[actor_id]) for fc in played]
            table.add_row(*cells)
        tables.append(table)
    outcomes = Table(title="[bold]Predicted outcome per issue[/]", title_justify="left")
    outcomes.add_column("issue")
    outcomes.add_column("scale", justify="right")
    for fc in results:
        outcomes.add_column(escape(fc.model_name), justify="right")
    for issue in issues:
        cells = [escape(issue.id), f"{fmt(issue.scale[0])}–{fmt(issue.scale[1])}"]
        for fc in results:
            result = fc.issues[issue.id]
            note = f" [dim]({result.rounds} rd, {result.stop_reason.replace('_', ' ')})[/]" if result.rounds else ""
            cells.append(f"[bold]{fmt(result.outcome)}[/]{note}")
        outcomes.add_row(*cells)
    tables.append(outcomes)
    return tables


@app.command("forecast")
def forecast_command(
    scenario: Annotated[str, typer.Argument(help="Scenario file or bundled name.")] = DEFAULT_SCENARIO,
    model: Annotated[Optional[list[str]], typer.Option("--model", "-m", help=f"Model(s): {', '.join(MODELS)}; "
                                                       "repeat for several.")] = None,
    rounds: Annotated[Optional[int], typer.Option(min=1, help="Round limit for models that play rounds.")] = None,
    param: Annotated[Optional[list[str]], typer.Option("--param", "-p", help="Model parameter KEY=VALUE.")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Seed for models that use randomness.")] = None,
    issue: Annotated[Optional[list[str]], typer.Option(help="Only these issue ids.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="table, json or csv.")] = OutputFormat.table,
) -> None:
    """Forecast every issue of a scenario with one or more bargaining models."""
    sc = load(scenario)
    names = list(model or DEFAULT_MODELS)
    for name in names:
        make_model(name)  # fail fast on an unknown name, before any model runs
    results = run_models(sc, names, parse_params(param or []), rounds, seed, issue or None)
    if output is OutputFormat.json:
        typer.echo(json.dumps([fc.to_dict() for fc in results], indent=2, ensure_ascii=False))
    elif output is OutputFormat.csv:
        buffer = io.StringIO()
        escape_frame(pd.concat([fc.trajectory for fc in results], ignore_index=True)).to_csv(buffer, index=False)
        typer.echo(buffer.getvalue(), nl=False)
    else:
        console.print(f"[bold]{escape(sc.title)}[/]" + (f" [dim](as of {sc.as_of})[/]" if sc.as_of else ""))
        for table in _forecast_tables(sc, results):
            console.print(table)


@app.command()
def show(
    scenario: Annotated[str, typer.Argument(help="Scenario file or bundled name.")] = DEFAULT_SCENARIO,
    evidence: Annotated[bool, typer.Option("--evidence", "-e", help="List every number's basis.")] = False,
) -> None:
    """Show a scenario: its issues, and every actor's capability, position and salience."""
    sc = load(scenario)
    console.print(f"[bold]{escape(sc.title)}[/]" + (f" [dim](as of {sc.as_of})[/]" if sc.as_of else ""))
    if sc.description:
        console.print(escape(sc.description))
    issues = Table(title="Issues", title_justify="left")
    for column in ("id", "name", "scale", "low end means", "high end means"):
        issues.add_column(column)
    for i in sc.issues:
        issues.add_row(escape(i.id), escape(i.name), f"{fmt(i.scale[0])}–{fmt(i.scale[1])}", escape(i.low),
                       escape(i.high))
    console.print(issues)
    actors = Table(title="Actors (position / salience per issue)", title_justify="left")
    for column in ("id", "name", "kind", "capability"):
        actors.add_column(column, justify="right" if column == "capability" else "left")
    for i in sc.issues:
        actors.add_column(escape(i.id), justify="right")
    for a in sc.actors:
        cells = [escape(a.id), escape(a.name), escape(a.kind), fmt(a.capability.value)]
        for i in sc.issues:
            s = a.stances.get(i.id)
            cells.append("—" if s is None else f"{fmt(s.position.value)} / {s.salience.value:.2f}")
        actors.add_row(*cells)
    console.print(actors)
    if evidence:
        table = Table(title="Evidence", title_justify="left", show_lines=True)
        for column in ("actor", "number", "value", "range", "basis", "source"):
            table.add_column(column)
        for a in sc.actors:
            numbers = [("capability", a.capability)]
            for issue_id, s in a.stances.items():
                numbers += [(f"{issue_id} position", s.position), (f"{issue_id} salience", s.salience)]
                if s.risk is not None:
                    numbers.append((f"{issue_id} risk", s.risk))
            for label, est in numbers:
                span = "" if est.is_exact else f"{fmt(est.low)}–{fmt(est.high)}"
                where = "analyst's estimate" if est.is_estimate else f"{est.source} {est.where or ''}".strip()
                table.add_row(escape(a.id), escape(label), fmt(est.value), span, escape(est.basis or "—"),
                              escape(where))
        console.print(table)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to check.")],
) -> None:
    """Check scenario files and list every problem with its line and how to fix it."""
    failed = 0
    for path in files:
        try:
            sc = load(path)
        except ScenarioError as exc:
            failed += 1
            errors.print(escape(exc.report()), soft_wrap=True)
            continue
        console.print(f"[green]ok[/] {escape(str(path))}: {len(sc.actors)} actors, {len(sc.issues)} issues")
    if failed:
        raise typer.Exit(1)


@app.command()
def convert(
    source: Annotated[str, typer.Argument(help="Input scenario (file or bundled name).")],
    target: Annotated[Path, typer.Argument(help="Output file; the format follows its extension.")],
    from_format: Annotated[Optional[str], typer.Option("--from", help=f"Input format: {', '.join(FORMATS)}.")] = None,
    to_format: Annotated[Optional[str], typer.Option("--to", help=f"Output format: {', '.join(FORMATS)}.")] = None,
) -> None:
    """Convert a scenario between YAML, JSON and the CSV layouts (table, KTAB)."""
    sc = load(source, fmt=from_format)
    written = save(sc, target, fmt=to_format)
    console.print(f"wrote {escape(str(written))}: {len(sc.actors)} actors, {len(sc.issues)} issues")


@app.command()
def scenarios() -> None:
    """List the scenarios that ship with stakes."""
    table = Table(title="Bundled scenarios", title_justify="left")
    for column in ("name", "title", "actors", "issues", "as of"):
        table.add_column(column)
    for name, path in sorted(bundled_scenarios().items()):
        sc = load(path)
        table.add_row(escape(name), escape(sc.title), str(len(sc.actors)), str(len(sc.issues)),
                      str(sc.as_of or ""))
    console.print(table)


@app.command()
def models() -> None:
    """List the bargaining models and their parameters."""
    table = Table(title="Models", title_justify="left")
    for column in ("name", "model", "parameters", "reference"):
        table.add_column(column)
    for name in MODELS:
        model = make_model(name)
        params = ", ".join(f"{k}={v!r}" for k, v in model.get_params().items())
        table.add_row(name, escape(model.title), escape(params), escape(model.reference))
    console.print(table)


