"""The report as Markdown, with its charts written as image files in a folder beside it.

Scenario text is escaped with :func:`md` so that neither Markdown syntax nor raw HTML in an actor's
name or a basis changes how the document renders.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import quote

from stakes.files import OutputError, write_atomic
from stakes.report.build import Report
from stakes.report.charts import Chart
from stakes.report.summary import input_label, interval, number, numbers, percent

_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def md(text: object) -> str:
    """Any value as inert Markdown text on one line."""
    one_line = " ".join(("" if text is None else str(text)).split())
    return _SPECIAL.sub(r"\\\1", html.escape(one_line, quote=False))


def _table(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A pipe table from already-escaped cells."""
    lines = ["| " + " | ".join(md(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _image(chart: Chart, folder: str) -> str:
    link = quote(folder)
    return f"![{md(chart.description)}]({link}/{chart.id}.png)\n\n*{md(chart.title)}* ([SVG]({link}/{chart.id}.svg))\n"


def render_markdown(report: Report, folder: str) -> str:
    """The report as Markdown; charts are referenced as ``folder/ID.png`` (see :func:`write_markdown`)."""
    sc = report.scenario
    out = [f"# {md(sc.title)}\n"]
    meta = [f"as of {sc.as_of.isoformat()}"] if sc.as_of else []
    meta += [f"models: {', '.join(report.model_names)}", f"{report.montecarlo.draws} Monte Carlo draws",
             f"seed {report.seed}"]
    out.append(md(" · ".join(meta)) + "\n")
    if sc.description:
        out.append(md(sc.description) + "\n")
    out.append("## Summary\n")
    for paragraph in report.summary:
        out.append(f"### {md(paragraph.heading)}\n")
        for block in paragraph.blocks:
            if block.listed:
                out.append("".join(f"- {md(s)}\n" for s in block.sentences))
            else:
                out.append(md(" ".join(block.sentences)) + "\n")
    out.append("## Scenario\n\n### Issues\n")
    out.append(_table(["issue", "name", "scale", "low end means", "high end means", "status quo", "who must agree"],
                      ([md(i.id), md(i.name), interval(*i.scale), md(i.low), md(i.high),
                        number(i.status_quo.value) if i.status_quo else "—",
                        md(i.decision.describe()) if i.decision else "bargaining"] for i in sc.issues)))
    out.append("### Actors\n")
    out.append(_table(["actor", "kind", "capability"] + [f"{i.id}: position (salience)" for i in sc.issues],
                      ([md(a.name), md(a.kind), number(a.capability.value)]
                       + [(f"{number(s.position.value)} ({s.salience.value:.2f})" + (" fixed" if s.fixed else ""))
                          if (s := a.stances.get(i.id)) else "—" for i in sc.issues] for a in sc.actors)))
    out += [_image(c, folder) for c in report.charts_for("positions")]
    out.append("### Every number and its basis\n")
    out.append(_table(["actor / issue", "number", "value", "range", "basis", "source"], _evidence(report)))
    if sc.sources:
        out.append("### Sources\n")
        out += [f"- **{md(s.title)}** ({md(s.id)})" + "".join(f"; {md(x)}" for x in (s.kind, s.publisher,
                                                                                     s.published, s.url) if x)
                for s in sc.sources]
        out.append("")
    table = report.outcome_table()
    out.append("## Trajectories\n")
    out += [_image(c, folder) for c in report.charts_for("trajectories")]
    out.append(_table(["model", "issue", "forecast", "rounds", "stopped because"],
                      ([md(r.model), md(r.issue), number(r.forecast), str(int(r.rounds)),
                        md(r.stop_reason.replace("_", " "))] for r in table.itertuples())))
    out.append("## Outcome distributions\n")
    out += [_image(c, folder) for c in report.charts_for("distributions")]
    out.append(_table(["model", "issue", "forecast", "mean", "sd", "5%", "median", "95%"],
                      ([md(r.model), md(r.issue)] + [number(getattr(r, c)) for c in
                                                      ("forecast", "mean", "sd", "q05", "q50", "q95")]
                       for r in table.itertuples())))
    probabilities = report.probabilities()
    if not probabilities.empty:
        out.append(_table(["event", "model", "share of draws", "standard error"],
                          ([md(r.event), md(r.model), f"{r.probability:.1%}", f"{r.stderr:.1%}"]
                           for r in probabilities.itertuples())))
    if report.backtest is not None:
        out.append("## Backtest\n\nThe first observation of each issue is scored: error as % of the scale's width, "
                   "whether it lies in the 90% band of the draws, and on veto issues the Brier score of P(deal).\n")
        for chart in report.charts_for("backtest"):
            for o in sc.issue(chart.issue).outcomes:
                span = "" if o.low is None else f" (range {interval(o.low, o.high)})"
                out.append(f"- observed {number(o.value)}{span} on {o.date.isoformat()}: {md(o.basis or '')}"
                           + (f" [{md(o.source)}{', ' + md(o.where) if o.where else ''}]" if o.source else ""))
            out.append("")
            out.append(_image(chart, folder))
            part = report.backtest[report.backtest["issue"] == chart.issue]
            out.append(_table(["model", "forecast", "error", "90% band", "in band", "P(deal)", "Brier"],
                              ([md(r.model), number(r.forecast), f"{r.error_pct:.1f}%",
                                interval(r.band_low, r.band_high, ".4g"), "yes" if r.covered else "no",
                                percent(r.p_deal), number(r.brier)] for r in part.itertuples())))
    if report.sensitivity is not None:
        out.append(f"## Sensitivity\n\nModel {md(report.sensitivity_model)}, one input at a time over its range.\n")
        for chart in report.charts_for("sensitivity"):
            out.append(_image(chart, folder))
            part = report.sensitivity[report.sensitivity["issue"] == chart.issue]
            part = part.sort_values("swing", ascending=False, kind="stable").head(12)
            out.append(_table(["input", "low", "high", "lowest outcome", "highest outcome", "swing"],
                              ([md(input_label(sc, r["input"], r["issue"]))]
                               + [number(r[c]) for c in ("low", "high", "outcome_min", "outcome_max", "swing")]
                               for _, r in part.iterrows())))
    if report.comparison is not None:
        out.append("## What-ifs\n")
        for w in report.whatifs:
            out.append(f"- **{md(w.title)}** ({md(w.id)}): " + "; ".join(md(c) for c in w.changes))
        out.append("")
        comparison = report.comparison_table()
        for chart in report.charts_for("whatifs"):
            out.append(_image(chart, folder))
            part = comparison[comparison["issue"] == chart.issue]
            events = [f"P({e})" for e in report.events if e.issue == chart.issue and f"P({e})" in part]
            out.append(_table(["what-if", "model", "forecast", "5%", "median", "95%"] + events,
                              ([md(r["variant"]), md(r["model"])]
                               + [number(r[c]) for c in ("forecast", "q05", "q50", "q95")]
                               + [percent(r[c]) for c in events] for _, r in part.iterrows())))
    out.append("## Method\n")
    out.append(_table(["model", "name", "parameters"],
                      ([md(name), md(report.model_title(name)),
                        md(", ".join(f"{k}={v!r}" for k, v in report.model_params(name).items()))]
                       for name in report.model_names)))
    out.append(f"Monte Carlo: {report.montecarlo.draws} draws, seed {report.seed}. The intervals reflect only the "
               "uncertainty ranges written into the scenario. The summary is generated from the numbers by fixed "
               "sentence templates.\n")
    return "\n".join(out)


def _evidence(report: Report) -> Iterable[list[str]]:
    titles = {s.id: s.title for s in report.scenario.sources}
    for owner, label, e in numbers(report.scenario):
        span = "exact" if e.is_exact else interval(e.low, e.high)
        source = ("analyst's estimate" if e.is_estimate
                  else md(titles.get(e.source, e.source)) + (f", {md(e.where)}" if e.where else ""))
        yield [md(owner), md(label), number(e.value), span, md(e.basis or "—"), source]


def write_markdown(report: Report, path: str | Path) -> list[Path]:
    """Write ``path`` and its charts (SVG and PNG) into ``<stem>-charts/`` beside it; returns every file."""
    path = Path(path)
    folder = f"{path.stem}-charts"
    existed = (path.parent / folder).exists()
    charts: list[Path] = []
    try:
        charts = report.export_charts(path.parent / folder)
        write_atomic(path, render_markdown(report, folder))
    except OutputError:  # all or nothing: no charts without their report
        for chart in charts:
            chart.unlink(missing_ok=True)
        if not existed and (path.parent / folder).is_dir() and not any((path.parent / folder).iterdir()):
            (path.parent / folder).rmdir()
        raise
    return [path, *charts]
