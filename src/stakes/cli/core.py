"""Core commands: forecast, show, validate, convert, scenarios, models."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import pandas as pd
import typer
from rich.table import Table

from stakes.cli.app import app, console, errors, fmt, parse_params
from stakes.cli.text import ID, NUMBER, TEXT, column_groups, plural, safe
from stakes.csvsafe import escape_frame
from stakes.errors import ScenarioError, StakesError, did_you_mean
from stakes.files import check_output
from stakes.forecast import Forecast, forecast
from stakes.models import DEFAULT_MODELS, MODELS, default_models, make_model, rules
from stakes.scenario import DEFAULT_SCENARIO, Scenario, bundled_scenarios, load, save
from stakes.scenario.io import FORMATS, WRITE_FORMATS
from stakes.scenario.model import Decision, Issue


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


def _heading(scenario: Scenario) -> str:
    return f"[bold]{safe(scenario.title)}[/]" + (f" [dim](as of {scenario.as_of})[/]" if scenario.as_of else "")


def _forecast_tables(scenario: Scenario, results: list[Forecast]) -> list[str | Table]:
    """Per issue, a heading and every actor's numbers and where multi-round models leave it; then all
    outcomes. Headings are lines of their own: as a table's title they would wrap to its width."""
    tables: list[str | Table] = []
    issues = [i for i in scenario.issues if i.id in results[0].issues]
    for issue in issues:
        data = scenario.issue_data(issue.id)
        title = (f"[bold]{safe(issue.name)}[/] [dim]({safe(issue.id)})[/]\n[dim]{fmt(issue.scale[0])} = "
                 f"{safe(issue.low)}; {fmt(issue.scale[1])} = {safe(issue.high)}[/]")
        tables.append(title)
        table = Table()
        table.add_column("actor", **ID)
        for column in ("capability", "salience", "start"):
            table.add_column(column, **NUMBER)
        played = [fc for fc in results if fc.issues[issue.id].rounds]
        for fc in played:
            table.add_column(safe(f"{fc.model_name} end"), **NUMBER)
        for k, actor_id in enumerate(data.actor_ids):
            cells = [safe(actor_id), fmt(data.capability[k]), fmt(data.salience[k]), fmt(data.position[k])]
            cells += [fmt(fc.issues[issue.id].final_positions[actor_id]) for fc in played]
            table.add_row(*cells)
        tables.append(table)
    tables.append("[bold]Predicted outcome per issue[/] [dim](with the rounds played and why they stopped)[/]")
    outcomes = Table()
    outcomes.add_column("issue", **ID)
    outcomes.add_column("scale", **NUMBER)
    for fc in results:
        outcomes.add_column(safe(fc.model_name), justify="right", overflow="fold")
    for issue in issues:
        cells = [safe(issue.id), f"{fmt(issue.scale[0])}–{fmt(issue.scale[1])}"]
        for fc in results:
            result = fc.issues[issue.id]
            note = (f"\n[dim]{plural(result.rounds, 'round')}, {result.stop_reason.replace('_', ' ')}[/]"
                    if result.rounds else "")
            if "bargained" in result.diagnostics:  # the rule picked the outcome; show what bargaining gave
                note += f"\n[dim]bargained {fmt(result.diagnostics['bargained'][-1])}[/]"
            cells.append(f"[bold]{fmt(result.outcome)}[/]{note}")
        outcomes.add_row(*cells)
    tables.append(outcomes)
    ruled = [issue for issue in issues if rules.binding(issue.decision)]
    deciding = [fc for fc in results if any("rule" in fc.issues[i.id].diagnostics for i in ruled)]
    if ruled and deciding:
        tables.append(_rule_table(ruled, deciding))
    return tables


def rule_text(decision: Decision | None) -> str:
    """A decision rule in a few words (plain bargaining where there is none)."""
    return "bargaining" if decision is None else decision.describe()


def _rule_table(issues: list[Issue], results: list[Forecast]) -> Table:
    """Per issue with a decision rule: who must agree, the status quo, and per model that applies the
    rule whether a deal passes (with the interval that can pass) or who blocks."""
    table = Table(title="[bold]Decision rules[/] [dim](who must agree; deal? per model)[/]", title_justify="left")
    table.add_column("issue", **ID)
    table.add_column("who must agree", **TEXT)
    table.add_column("status quo", **NUMBER)
    for fc in results:
        table.add_column(safe(fc.model_name), **TEXT)
    for issue in issues:
        cells = [safe(issue.id), safe(rule_text(issue.decision)), fmt(issue.status_quo.value)]
        for fc in results:
            seen = fc.issues[issue.id].diagnostics
            if seen.get("deal") is None:
                cells.append("—")
            elif seen["deal"]:
                low, high = seen["feasible"]
                cells.append(f"yes [dim]({fmt(low)}–{fmt(high)})[/]")
            else:
                cells.append(f"no [dim](blocked by {safe(', '.join(seen['blocking']) or 'the rule')})[/]")
        table.add_row(*cells)
    return table


@app.command("forecast")
def forecast_command(
    scenario: Annotated[str, typer.Argument(help="Scenario file or bundled name.")] = DEFAULT_SCENARIO,
    model: Annotated[Optional[list[str]], typer.Option(
        "--model", "-m", help=f"Model(s): {', '.join(MODELS)}; repeat for several \\[default: "
                              f"{', '.join(DEFAULT_MODELS)}, and veto where an issue has a decision rule].")] = None,
    rounds: Annotated[Optional[int], typer.Option(min=1, help="Round limit for models that play rounds.")] = None,
    param: Annotated[Optional[list[str]], typer.Option("--param", "-p", help="Model parameter KEY=VALUE.")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Seed for models that use randomness.")] = None,
    issue: Annotated[Optional[list[str]], typer.Option(help="Only these issue ids.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="table, json or csv.")] = OutputFormat.table,
) -> None:
    """Forecast every issue of a scenario with one or more bargaining models."""
    sc = load(scenario)
    names = list(model or default_models(sc))
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
        console.print(_heading(sc))
        for table in _forecast_tables(sc, results):
            console.print(table)


def _chosen(given: list[str] | None, known: list[str], option: str) -> list[str]:
    """The ids given to ``option`` (all of ``known`` when none), each checked, with a did-you-mean."""
    for value in given or []:
        if value not in known:
            raise StakesError(f"{option} {value!r} names nothing in this scenario; {did_you_mean(value, known)}")
    return list(given or known)


def _stance_tables(sc: Scenario, width: int) -> list[Table]:
    """Position / salience per actor and issue, split into tables that fit ``width`` columns."""
    cells = {(a.id, i.id): "—" if (s := a.stances.get(i.id)) is None
             else f"{fmt(s.position.value)} / {s.salience.value:.2f}" for a in sc.actors for i in sc.issues}
    widths = [max(len(i.id), *(len(cells[a.id, i.id]) for a in sc.actors)) for i in sc.issues]
    fixed = max(len("actor"), *(len(a.id) for a in sc.actors)) + 3
    tables = []
    for group in column_groups(widths, fixed, width):
        table = Table(title="Position / salience per issue", title_justify="left")
        table.add_column("actor", **ID)
        for k in group:
            table.add_column(safe(sc.issues[k].id), **NUMBER)
        for a in sc.actors:
            table.add_row(safe(a.id), *(cells[a.id, sc.issues[k].id] for k in group))
        tables.append(table)
    return tables


def _evidence_tables(sc: Scenario, actors: list[str], issues: list[str], every_number: bool) -> list[Table]:
    """One table per actor: each of its numbers with its range, basis and source; with every actor
    shown, one more for the issues' status quos, decision rules and observed outcomes."""
    tables = []
    rows: dict[str, list[tuple[str, str, str, str, str]]] = {}
    for a in sc.actors:
        if a.id not in actors:
            continue
        numbers = [("capability", a.capability)] if every_number else []
        for issue_id, s in a.stances.items():
            if issue_id not in issues:
                continue
            numbers += [(f"{issue_id} position", s.position), (f"{issue_id} salience", s.salience)]
            if s.risk is not None:
                numbers.append((f"{issue_id} risk", s.risk))
        rows[a.id] = [_evidence_row(label, fmt(est.value), "" if est.is_exact else f"{fmt(est.low)}–{fmt(est.high)}",
                                    est) for label, est in numbers]
    if len(actors) == len(sc.actors):
        issue_rows = []
        for i in sc.issues:
            if i.id not in issues:
                continue
            if i.status_quo is not None:
                sq = i.status_quo
                issue_rows.append(_evidence_row(f"{i.id} status quo", fmt(sq.value),
                                                "" if sq.is_exact else f"{fmt(sq.low)}–{fmt(sq.high)}", sq))
            if i.decision is not None:
                decision = i.decision
                basis = f"{rule_text(decision)}. {decision.basis}" if decision.basis else rule_text(decision)
                issue_rows.append(_evidence_row(f"{i.id} decision rule", decision.rule, "",
                                                replace(decision, basis=basis)))
            for seen in i.outcomes:
                span = "" if seen.low is None else f"{fmt(seen.low)}–{fmt(seen.high)}"
                issue_rows.append(_evidence_row(f"{i.id} outcome {seen.date.isoformat()}", fmt(seen.value), span,
                                                seen))
        rows["issues"] = issue_rows
    for key, found in rows.items():
        if not found:
            continue
        title = ("[bold]Evidence: issues[/] [dim](status quo, who must agree, observed outcomes)[/]"
                 if key == "issues" else f"[bold]Evidence: {safe(key)}[/] [dim]({safe(sc.actor(key).name)})[/]")
        table = Table(title=title, title_justify="left", show_lines=True)
        table.add_column("number", **ID)
        table.add_column("value", **NUMBER)
        table.add_column("range", **NUMBER)
        table.add_column("basis", **TEXT)
        table.add_column("source", **TEXT)
        for row in found:
            table.add_row(*(safe(cell) for cell in row[:2]), row[2], *(safe(cell) for cell in row[3:]))
        tables.append(table)
    return tables


def _evidence_row(label: str, value: str, span: str, evidence: Any) -> tuple[str, str, str, str, str]:
    """A row of an evidence table from anything with ``basis``, ``source`` and ``where``."""
    where = "analyst's estimate" if evidence.source is None else f"{evidence.source} {evidence.where or ''}".strip()
    return label, value, span, evidence.basis or "—", where


@app.command()
def show(
    scenario: Annotated[str, typer.Argument(help="Scenario file or bundled name.")] = DEFAULT_SCENARIO,
    evidence: Annotated[bool, typer.Option("--evidence", "-e", help="List every number's basis.")] = False,
    actor: Annotated[Optional[list[str]], typer.Option(help="Evidence of this actor id only; repeat for "
                                                       "several (implies --evidence).")] = None,
    issue: Annotated[Optional[list[str]], typer.Option(help="Evidence on this issue id only; repeat for "
                                                       "several (implies --evidence).")] = None,
) -> None:
    """Show a scenario: its issues, and every actor's capability, position and salience."""
    sc = load(scenario)
    actors = _chosen(actor, [a.id for a in sc.actors], "--actor")
    issues = _chosen(issue, [i.id for i in sc.issues], "--issue")
    console.print(_heading(sc))
    if sc.description:
        console.print(safe(sc.description))
    table = Table(title="Issues", title_justify="left")
    table.add_column("id", **ID)
    table.add_column("name", **TEXT)
    table.add_column("scale", **NUMBER)
    table.add_column("low end means", **TEXT)
    table.add_column("high end means", **TEXT)
    for i in sc.issues:
        table.add_row(safe(i.id), safe(i.name), f"{fmt(i.scale[0])}–{fmt(i.scale[1])}", safe(i.low), safe(i.high))
    console.print(table)
    if any(i.status_quo is not None or i.decision is not None for i in sc.issues):
        table = Table(title="Status quo and who must agree", title_justify="left")
        table.add_column("issue", **ID)
        table.add_column("status quo", **NUMBER)
        table.add_column("who must agree", **TEXT)
        for i in sc.issues:
            table.add_row(safe(i.id), "—" if i.status_quo is None else fmt(i.status_quo.value),
                          safe(rule_text(i.decision)))
        console.print(table)
    table = Table(title="Actors", title_justify="left")
    table.add_column("id", **ID)
    table.add_column("name", **TEXT)
    table.add_column("kind", **TEXT)
    table.add_column("capability", **NUMBER)
    for a in sc.actors:
        table.add_row(safe(a.id), safe(a.name), safe(a.kind), fmt(a.capability.value))
    console.print(table)
    for table in _stance_tables(sc, console.width):
        console.print(table)
    if evidence or actor or issue:
        for table in _evidence_tables(sc, actors, issues, every_number=not issue):
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
            errors.print(safe(exc.report()), soft_wrap=True)
            continue
        console.print(f"[green]ok[/] {safe(path)}: {plural(len(sc.actors), 'actor')}, "
                      f"{plural(len(sc.issues), 'issue')}", soft_wrap=True)
    if failed:
        raise typer.Exit(1)


@app.command()
def convert(
    source: Annotated[str, typer.Argument(help="Input scenario (file or bundled name).")],
    target: Annotated[Path, typer.Argument(help="Output file; the format follows its extension.")],
    from_format: Annotated[Optional[str], typer.Option(
        "--from", help=f"Input format: {', '.join(FORMATS)} \\[default: from the input's extension].")] = None,
    to_format: Annotated[Optional[str], typer.Option(
        "--to", help=f"Output format: {', '.join(WRITE_FORMATS)} \\[default: from the output's extension].")] = None,
) -> None:
    """Convert a scenario between YAML, JSON and the CSV layouts (table, KTAB); KTAB XML is read only."""
    check_output(target)
    sc = load(source, fmt=from_format)
    written = save(sc, target, fmt=to_format)
    console.print(f"wrote {safe(written)}: {plural(len(sc.actors), 'actor')}, {plural(len(sc.issues), 'issue')}",
                  soft_wrap=True)


@app.command()
def scenarios() -> None:
    """List the scenarios that ship with stakes; `outcomes` counts the issues with a recorded outcome
    (the case library that `stakes backtest` scores)."""
    table = Table(title="Bundled scenarios", title_justify="left")
    table.add_column("name", **ID)
    table.add_column("title", **TEXT)
    table.add_column("actors", **NUMBER)
    table.add_column("issues", **NUMBER)
    table.add_column("as of", **NUMBER)
    table.add_column("outcomes", **NUMBER)
    for name, path in sorted(bundled_scenarios().items()):
        sc = load(path)
        observed = sum(1 for issue in sc.issues if issue.outcomes)
        table.add_row(safe(name), safe(sc.title), str(len(sc.actors)), str(len(sc.issues)), str(sc.as_of or ""),
                      f"{observed} of {len(sc.issues)}" if observed else "—")
    console.print(table)


@app.command()
def models() -> None:
    """List the bargaining models and their parameters (* marks those run when none is named)."""
    table = Table(title="Models", title_justify="left")
    table.add_column("name", **ID)
    table.add_column("model", **TEXT)
    table.add_column("parameters", **TEXT)
    table.add_column("reference", **TEXT)
    for name in MODELS:
        model = make_model(name)
        params = ", ".join(f"{k}={v!r}" for k, v in model.get_params().items())
        table.add_row(safe(name) + (" *" if name in DEFAULT_MODELS else ""), safe(model.title), safe(params),
                      safe(model.reference))
    console.print(table)
