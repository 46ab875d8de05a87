"""The report as one self-contained HTML file: inline CSS, charts as inline SVG, no script, no URL.

Every piece of text that comes from a scenario, a what-if or a model name goes through
:func:`esc`. A Content-Security-Policy forbids scripts and any network fetch, so the page
behaves the same offline and cannot run code even if some text slipped through unescaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from stakes import __version__
from stakes.files import write_atomic
from stakes.report.build import Report
from stakes.report.charts import Chart
from stakes.report.summary import input_label, interval, number, numbers, percent
from stakes.scenario.model import Estimate, Observation, Scenario, Stance

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

CSS = """
:root { --ink: #1f2328; --muted: #59636e; --rule: #d0d7de; --band: #f6f8fa; --accent: #1b6ca8; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; font: 15px/1.55 system-ui, -apple-system, "Segoe UI",
  Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 1.7em; line-height: 1.25; margin: 0.2em 0 0.3em; }
h2 { font-size: 1.3em; margin: 2.2em 0 0.6em; padding-bottom: 0.25em; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.05em; margin: 1.6em 0 0.5em; }
p { margin: 0.5em 0; }
.meta, .note, figcaption, .scale { color: var(--muted); font-size: 0.9em; }
nav ol { columns: 2; margin: 0.5em 0; padding-left: 1.4em; }
nav a, a { color: var(--accent); }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1em; font-size: 0.86em; }
th, td { border: 1px solid var(--rule); padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: var(--band); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fbfcfd; }
td.basis { min-width: 22em; }
figure { margin: 1em 0 1.6em; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { margin-top: 0.3em; }
.summary p { margin: 0.4em 0 0.8em; }
.summary h3 { margin-top: 1.1em; }
code { font-size: 0.92em; background: var(--band); padding: 0 3px; border-radius: 3px; overflow-wrap: anywhere; }
details { margin: 0.6em 0; }
summary { cursor: pointer; color: var(--accent); }
pre.notes { white-space: pre-wrap; font-size: 0.85em; background: var(--band); padding: 10px; }
@media print { main { max-width: none; } h2 { break-after: avoid; } figure { break-inside: avoid; } }
"""

_XML_HEAD = re.compile(r"^.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)
_STYLE = re.compile(r"<style[^>]*>.*?</style>\s*", re.S)
_VIEW_BOX = re.compile(r'viewBox="([^"]*)"')
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(\bid="|"#|url\(#)([^")]+)')


def esc(text: object) -> str:
    """Any value as HTML text (quotes included, so it is safe inside attributes too)."""
    return html.escape("" if text is None else str(text), quote=True)


def inline_svg(chart: Chart) -> str:
    """A chart's SVG ready to sit inside the page: no XML prolog, metadata, namespace URLs or comments
    (matplotlib copies label text into comments), and ids made unique within the page."""
    svg = _XML_HEAD.sub("", chart.svg(), count=1)
    for part in (_METADATA, _STYLE, _COMMENT):
        svg = part.sub("", svg)
    head_end = svg.index(">")
    view_box = _VIEW_BOX.search(svg[:head_end])[1]
    svg = (f'<svg class="chart" id="svg-{chart.id}" viewBox="{view_box}" role="img" '
           f'aria-labelledby="title-{chart.id}" style="stroke-linejoin:round;stroke-linecap:butt">'
           f'<title id="title-{chart.id}">{esc(chart.description)}</title>' + svg[head_end + 1:])
    ids = set(_ID.findall(svg)) - {f"svg-{chart.id}", f"title-{chart.id}"}
    return _REF.sub(lambda m: m[1] + (f"{chart.id}-" if m[2] in ids else "") + m[2], svg).strip()


def render_html(report: Report) -> str:
    """The whole report as one HTML document."""
    sc = report.scenario
    sections = [
        ("summary", "Summary", _summary(report)),
        ("scenario", "Scenario", _scenario(report)),
        ("trajectories", "Trajectories", _trajectories(report)),
        ("distributions", "Outcome distributions", _distributions(report)),
    ]
    if report.backtest is not None:
        sections.append(("backtest", "Backtest", _backtest(report)))
    if report.sensitivity is not None:
        sections.append(("sensitivity", "Sensitivity", _sensitivity(report)))
    if report.comparison is not None:
        sections.append(("whatifs", "What-ifs", _whatifs(report)))
    sections.append(("method", "Method", _method(report)))
    toc = "".join(f'<li><a href="#{key}">{esc(title)}</a></li>' for key, title, _ in sections)
    body = "".join(f'<section id="{key}"><h2>{esc(title)}</h2>{content}</section>' for key, title, content in sections)
    as_of = f"as of {esc(sc.as_of.isoformat())} · " if sc.as_of else ""
    meta = (f"{as_of}models: {esc(', '.join(report.model_names))} · {report.montecarlo.draws} Monte Carlo draws · "
            f"seed {report.seed}")
    description = f"<p>{esc(sc.description)}</p>" if sc.description else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="stakes {esc(__version__)}">\n'
        f"<title>{esc(sc.title)}: forecast report</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f'<header><p class="meta">Forecast report</p><h1>{esc(sc.title)}</h1><p class="meta">{meta}</p>'
        f"{description}</header>\n"
        f'<nav aria-label="Contents"><ol>{toc}</ol></nav>\n{body}\n'
        f'<footer><p class="note">Made with stakes {esc(__version__)}.</p></footer>\n'
        "</main>\n</body>\n</html>\n"
    )


def write_html(report: Report, path: str | Path) -> Path:
    """Write the report as one self-contained HTML file (atomically); returns its path."""
    return write_atomic(path, render_html(report))


def _figure(chart: Chart) -> str:
    return (f'<figure id="chart-{chart.id}" data-section="{esc(chart.section)}">{inline_svg(chart)}'
            f"<figcaption>{esc(chart.description)}</figcaption></figure>")


def _table(columns: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[bool] | None = None,
           classes: Sequence[str] | None = None) -> str:
    """A table from already-escaped cells; ``numeric`` right-aligns columns."""
    numeric = numeric or [False] * len(columns)
    classes = classes or [""] * len(columns)
    cls = [" ".join(c for c in ("num" if n else "", k) if c) for n, k in zip(numeric, classes)]
    head = "".join(f'<th class="{c}">{esc(h)}</th>' if c else f"<th>{esc(h)}</th>" for h, c in zip(columns, cls))
    body = "".join("<tr>" + "".join(f'<td class="{c}">{v}</td>' if c else f"<td>{v}</td>" for v, c in zip(row, cls))
                   + "</tr>" for row in rows)
    return f'<div class="table"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _issue_heading(report: Report, issue_id: str) -> str:
    issue = report.scenario.issue(issue_id)
    lo, hi = issue.scale
    return (f'<h3>{esc(issue.name)}</h3><p class="scale">{number(lo)} = {esc(issue.low)}; '
            f"{number(hi)} = {esc(issue.high)}</p>")


def _summary(report: Report) -> str:
    parts = []
    for paragraph in report.summary:
        parts.append(f"<h3>{esc(paragraph.heading)}</h3>")
        for block in paragraph.blocks:
            if block.listed:
                parts.append("<ul>" + "".join(f"<li>{esc(s)}</li>" for s in block.sentences) + "</ul>")
            else:
                parts.append(f"<p>{esc(' '.join(block.sentences))}</p>")
    return f'<div class="summary">{"".join(parts)}</div>'


def _source_words(estimate: Estimate) -> str:
    if estimate.is_estimate:
        return "<em>analyst's estimate</em>"
    where = f", {esc(estimate.where)}" if estimate.where else ""
    return f"<code>{esc(estimate.source)}</code>{where}"


def _range(e: Estimate) -> str:
    if e.is_exact:
        return "exact"
    return interval(e.low, e.high) + ("" if e.distribution == "uniform" else f" ({esc(e.distribution)})")


def _scenario(report: Report) -> str:
    sc = report.scenario
    issues = _table(
        ["issue", "name", "scale", "low end means", "high end means", "status quo", "who must agree"],
        ([f"<code>{esc(i.id)}</code>", esc(i.name), interval(*i.scale), esc(i.low), esc(i.high),
          number(i.status_quo.value) if i.status_quo else "—",
          esc(i.decision.describe()) if i.decision else "bargaining"] for i in sc.issues),
        numeric=[False, False, True, False, False, True, False])
    matrix = _table(
        ["actor", "kind", "capability"] + [i.id for i in sc.issues],
        ([esc(a.name), esc(a.kind), number(a.capability.value)]
         + [_stance_cell(a.stances.get(i.id)) for i in sc.issues] for a in sc.actors),
        numeric=[False, False, True] + [True] * len(sc.issues))
    charts = "".join(_issue_heading(report, c.issue) + _figure(c) for c in report.charts_for("positions"))
    evidence = _table(["issue / actor", "number", "value", "range", "basis", "source"], _evidence_rows(sc),
                      numeric=[False, False, True, True, False, False],
                      classes=["", "", "", "", "basis", ""])
    sources = "".join(
        f"<li><strong>{esc(s.title)}</strong> <code>{esc(s.id)}</code>"
        + "".join(f"; {esc(x)}" for x in (s.kind, s.publisher, s.published) if x)
        + (f"; address (shown as text): <code>{esc(s.url)}</code>" if s.url else "")
        + (f'<br><span class="note">{esc(s.note)}</span>' if s.note else "") + "</li>"
        for s in sc.sources)
    notes = (f'<details><summary>Scenario notes</summary><pre class="notes">{esc(sc.notes)}</pre></details>'
             if sc.notes else "")
    return (f"<h3>Issues</h3>{issues}<h3>Actors</h3>{matrix}"
            f'<p class="note">Per issue: position (salience). Positions are on the issue\'s scale, salience runs '
            f"from 0 to 1, capability is shared by all issues; a stance marked fixed does not move in models that "
            f"play rounds. In the charts below, marker size shows capability × salience.</p>{charts}"
            + (f"<h3>Sources</h3><ul>{sources}</ul>" if sources else "")
            + '<h3>Every number and its basis</h3><p class="note">Range: the values the Monte Carlo draws cover. '
            "Source: the id of a source listed above and the place in it; an analyst's estimate cites none.</p>"
            + evidence + notes)


def _stance_cell(stance: Stance | None) -> str:
    if stance is None:
        return "—"
    fixed = " fixed" if stance.fixed else ""
    return f"{number(stance.position.value)} ({stance.salience.value:.2f}){fixed}"


def _evidence_rows(sc: Scenario) -> Iterable[list[str]]:
    previous = None
    for owner, label, e in numbers(sc):
        shown = "" if owner == previous else esc(owner)
        previous = owner
        yield [shown, esc(label), number(e.value), _range(e), esc(e.basis or "—"), _source_words(e)]


def _trajectories(report: Report) -> str:
    charts = report.charts_for("trajectories")
    intro = ('<p class="note">Each line is an actor\'s position after each round; the thick grey line is '
             "the model's outcome after that round. Models that settle in one step (no rounds) appear in the "
             "outcome table below and in the starting-positions charts.</p>")
    body = "".join(_issue_heading(report, c.issue) + _figure(c) for c in charts)
    if not charts:
        body = '<p class="note">None of the chosen models plays bargaining rounds.</p>'
    table = report.outcome_table()
    outcomes = _table(
        ["model", "issue", "forecast", "rounds", "stopped because"],
        ([esc(r.model), f"<code>{esc(r.issue)}</code>", number(r.forecast), str(int(r.rounds)),
          esc(r.stop_reason.replace("_", " "))] for r in table.itertuples()),
        numeric=[False, False, True, True, False])
    return intro + body + "<h3>Point forecasts</h3>" + outcomes


def _distributions(report: Report) -> str:
    mc = report.montecarlo
    intro = (f'<p class="note">{mc.draws} draws of every number that has an uncertainty range (seed '
             f"{mc.seed}); every model runs on every draw. The shaded band holds 90% of the draws, the black line "
             "is the median and the triangle the point forecast from the scenario's central values.</p>")
    charts = "".join(_issue_heading(report, c.issue) + _figure(c) for c in report.charts_for("distributions"))
    table = report.outcome_table()
    quantiles = _table(
        ["model", "issue", "forecast", "mean", "sd", "5%", "25%", "median", "75%", "95%"],
        ([esc(r.model), f"<code>{esc(r.issue)}</code>"]
         + [number(getattr(r, c)) for c in ("forecast", "mean", "sd", "q05", "q25", "q50", "q75", "q95")]
         for r in table.itertuples()),
        numeric=[False, False] + [True] * 8)
    events = ""
    probabilities = report.probabilities()
    if not probabilities.empty:
        events = "<h3>Events</h3>" + _table(
            ["event", "model", "share of draws", "standard error"],
            ([f"<code>{esc(r.event)}</code>", esc(r.model), f"{r.probability:.1%}", f"{r.stderr:.1%}"]
             for r in probabilities.itertuples()),
            numeric=[False, False, True, True])
    return intro + charts + "<h3>Quantiles</h3>" + quantiles + events


def _observation_words(observation: Observation) -> str:
    span = "" if observation.low is None else f" (range {interval(observation.low, observation.high)})"
    source = f"<code>{esc(observation.source)}</code>" if observation.source else "<em>no source given</em>"
    where = f", {esc(observation.where)}" if observation.where else ""
    return (f"<strong>{number(observation.value)}</strong>{span} on {esc(observation.date.isoformat())}: "
            f"{esc(observation.basis or '')} [{source}{where}]")


def _backtest(report: Report) -> str:
    intro = ('<p class="note">What was observed later, against each model\'s forecast. The first observation of an '
             "issue is scored: the error is the distance from the point forecast as a share of the scale's width; "
             "the band holds the central 90% of the Monte Carlo draws. On issues decided by veto, P(deal) is the "
             "share of draws with a deal, scored by the Brier score against whether a deal was observed (the "
             "status quo lies outside the observed range). The ensemble averages the models with equal weight.</p>")
    parts = [intro]
    for chart in report.charts_for("backtest"):
        issue = report.scenario.issue(chart.issue)
        observed = "".join(f"<li>{_observation_words(o)}</li>" for o in issue.outcomes)
        part = report.backtest[report.backtest["issue"] == chart.issue]
        rows = ([esc(r.model), number(r.forecast), f"{r.error_pct:.1f}%", interval(r.band_low, r.band_high, ".4g"),
                 "yes" if r.covered else "no", percent(r.p_deal), number(r.brier)] for r in part.itertuples())
        table = _table(["model", "forecast", "error (% of width)", "90% band", "outcome in band", "P(deal)",
                        "Brier"], rows, numeric=[False, True, True, True, False, True, True])
        parts.append(_issue_heading(report, chart.issue) + f"<ul>{observed}</ul>" + _figure(chart) + table)
    return "".join(parts)


def _sensitivity(report: Report) -> str:
    sens = report.sensitivity
    intro = (f'<p class="note">Model {esc(report.sensitivity_model)}: each input runs over its uncertainty '
             "range while every other number keeps its central value. Bars show the outcome with the input at "
             "the low and the high end of its range; the thin line spans the lowest and highest outcome over the "
             "range. Only inputs with a range are varied; the largest swings are shown.</p>")
    parts = [intro]
    for chart in report.charts_for("sensitivity"):
        part = sens[sens["issue"] == chart.issue].sort_values("swing", ascending=False, kind="stable").head(12)
        columns = ("low", "high", "outcome_low", "outcome_high", "outcome_min", "outcome_max", "swing")
        rows = ([esc(input_label(report.scenario, r["input"], r["issue"]))] + [number(r[c]) for c in columns]
                for _, r in part.iterrows())
        table = _table(["input", "low", "high", "outcome at low", "outcome at high", "lowest outcome",
                        "highest outcome", "swing"], rows, numeric=[False] + [True] * 7)
        parts.append(_issue_heading(report, chart.issue) + _figure(chart)
                     + f"<details><summary>Table: largest swings</summary>{table}</details>")
    return "".join(parts)


def _whatifs(report: Report) -> str:
    items = []
    for w in report.whatifs:
        changes = "".join(f"<li><code>{esc(c)}</code></li>" for c in w.changes)
        description = f"<p>{esc(w.description)}</p>" if w.description else ""
        items.append(f"<li><strong>{esc(w.title)}</strong> <code>{esc(w.id)}</code>{description}"
                     f"<ul>{changes}</ul></li>")
    intro = (f'<p class="note">Each what-if changes the scenario as listed and is run through the same models '
             f"and the same {report.montecarlo.draws} draws as the baseline (<code>baseline</code>: the scenario as "
             f"written).</p><ul>{''.join(items)}</ul>")
    parts = [intro]
    table = report.comparison_table()
    for chart in report.charts_for("whatifs"):
        part = table[table["issue"] == chart.issue]
        events = [f"P({e})" for e in report.events if e.issue == chart.issue and f"P({e})" in part]
        rows = ([f"<code>{esc(r['variant'])}</code>", esc(r["model"])]
                + [number(r[c]) for c in ("forecast", "mean", "q05", "q50", "q95")] + [percent(r[c]) for c in events]
                for _, r in part.iterrows())
        numbers = _table(["what-if", "model", "forecast", "mean", "5%", "median", "95%"] + events, rows,
                         numeric=[False, False] + [True] * (5 + len(events)))
        parts.append(_issue_heading(report, chart.issue) + _figure(chart)
                     + f"<details><summary>Table: outcome per what-if and model</summary>{numbers}</details>")
    return "".join(parts)


def _method(report: Report) -> str:
    rows = []
    for name in report.model_names:
        params = ", ".join(f"<code>{esc(f'{k}={v!r}')}</code>" for k, v in report.model_params(name).items())
        rows.append([esc(name), esc(report.model_title(name)), params or "none"])
    models = _table(["model", "name", "parameters"], rows)
    return (models + f"<p>Monte Carlo: {report.montecarlo.draws} draws, seed {report.seed}. "
            "The same seed and options reproduce every number in this report.</p>"
            '<p class="note">The intervals and shares of draws reflect only the uncertainty ranges written into '
            "the scenario; they do not measure how well a model describes the negotiation, nor errors in the "
            "sources. The summary is generated from the numbers above by fixed sentence templates.</p>")
