"""``stakes report``: one self-contained HTML (or Markdown) file with every result and chart."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape
from rich.progress import Progress

from stakes import limits
from stakes.cli.app import app, console, errors, parse_params
from stakes.cli.core import DEFAULT_MODELS
from stakes.errors import StakesError
from stakes.models import MODELS, make_model
from stakes.scenario import DEFAULT_SCENARIO, load
from stakes.whatif import select_whatifs


class ReportFormat(str, Enum):
    html = "html"
    md = "md"


def _model_specs(names: list[str], params: dict[str, Any], rounds: int | None) -> list[tuple[str, dict[str, Any]]]:
    """``(name, params)`` per model; ``rounds`` reaches only models that play rounds."""
    specs = []
    for name in names:
        model_params = dict(params)
        if rounds is not None and "rounds" in make_model(name).get_params():
            model_params["rounds"] = rounds
        make_model(name, **model_params)  # a bad name or parameter fails here, before any work starts
        specs.append((name, model_params))
    return specs


@app.command("report")
def report_command(
    scenario: Annotated[str, typer.Argument(help="Scenario file or bundled name.")] = DEFAULT_SCENARIO,
    model: Annotated[Optional[list[str]], typer.Option(
        "--model", "-m", help=f"Model(s): {', '.join(MODELS)}; repeat for several (default: mean, median, nash, bdm)."
    )] = None,
    rounds: Annotated[Optional[int], typer.Option(min=1, help="Round limit for models that play rounds.")] = None,
    param: Annotated[Optional[list[str]], typer.Option("--param", "-p", help="Model parameter KEY=VALUE.")] = None,
    draws: Annotated[int, typer.Option(min=1, help="Monte Carlo draws.")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the draws and of models that use randomness.")] = 0,
    whatif: Annotated[Optional[list[str]], typer.Option("--whatif", "-w", help="What-if YAML file, or `bundled` "
                                                        "for the what-ifs shipped with the scenario.")] = None,
    change: Annotated[Optional[list[str]], typer.Option(
        "--change", "-c", help="One what-if change, e.g. 'us_admin.capability *= 0.5'; repeat: all form one what-if."
    )] = None,
    event: Annotated[Optional[list[str]], typer.Option("--event", "-e", help="Event whose probability to report, "
                                                       "e.g. 'rafah_operation > 70'.")] = None,
    sensitivity_model: Annotated[Optional[str], typer.Option(help="Model for the sensitivity tornado (default: "
                                                             "the first that plays rounds).")] = None,
    no_sensitivity: Annotated[bool, typer.Option("--no-sensitivity", help="Leave out sensitivity.")] = False,
    workers: Annotated[int, typer.Option(min=1, help="Local processes for the Monte Carlo draws.")] = 1,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Report file (default report.html, "
                                                   "or report.md with --format md).")] = None,
    fmt: Annotated[Optional[ReportFormat], typer.Option("--format", "-f", help="html or md (default: from the "
                                                        "output file's extension, else html).")] = None,
    charts: Annotated[Optional[Path], typer.Option(help="Also write every chart as SVG and PNG here.")] = None,
) -> None:
    """Write a report: scenario with every number's basis, trajectories, outcome distributions,
    sensitivity, what-ifs, and a summary generated from the numbers."""
    from stakes.report import build_report, write_html, write_markdown

    if fmt is None:
        markdown = output is not None and output.suffix.lower() in (".md", ".markdown")
        fmt = ReportFormat.md if markdown else ReportFormat.html
    output = output or Path(f"report.{fmt.value}")
    sc = load(scenario)
    specs = _model_specs(list(model or DEFAULT_MODELS), parse_params(param or []), rounds)
    if sensitivity_model is not None and sensitivity_model not in dict(specs):
        raise StakesError(f"--sensitivity-model {sensitivity_model!r} is not among the report's models "
                          f"({', '.join(dict(specs))})")
    variants = select_whatifs(scenario, list(whatif or []), list(change or []))
    limits.check_draws(draws * (1 + len(variants)), len(sc.actors))
    with Progress(console=errors, transient=True) as progress:
        task = progress.add_task("Monte Carlo draws", total=draws)
        report = build_report(sc, specs, draws=draws, seed=seed, whatifs=variants, events=list(event or []),
                              sensitivity=not no_sensitivity, sensitivity_model=sensitivity_model, workers=workers,
                              progress=lambda done, total: progress.update(task, completed=done, total=total))
    written = write_markdown(report, output) if fmt is ReportFormat.md else [write_html(report, output)]
    console.print(f"wrote {escape(str(written[0]))}: {len(report.charts)} charts"
                  + (f", with {len(written) - 1} chart files beside it" if len(written) > 1 else ""))
    if charts is not None:
        files = report.export_charts(charts)
        console.print(f"wrote {len(files)} chart files into {escape(str(charts))}")
