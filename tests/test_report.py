"""The report: sections and charts present, summary numbers equal to the results, text escaped,
no external reference, Markdown output and chart export."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from stakes.cli import app
from stakes.report import build_report, render_html, render_markdown, write_markdown
from stakes.report.html import esc
from stakes.report.summary import numbers
from stakes.scenario import load
from stakes.scenario.model import Estimate, Source
from stakes.uncertainty.sensitivity import one_at_a_time
from stakes.whatif import whatif_from_changes
from tests.conftest import DATA, make_scenario

HARBOUR = str(DATA / "harbour.yaml")
MODELS = ["mean", "median", "nash", ("bdm", {"rounds": 3})]
SECTIONS = ("summary", "scenario", "trajectories", "distributions", "sensitivity", "whatifs", "method")
DECIMALS = {"fees": 0, "hours": 1}  # a 0–100 scale shows whole numbers, a 0–24 scale one decimal
PAYLOADS = ('<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', "$x^2$ & [link](javascript:alert(3)) --><b>")


@pytest.fixture(scope="module")
def report():
    whatif = whatif_from_changes(["council.capability *= 0.5"], title="Council weakened", id="weak_council")
    return build_report(load(HARBOUR), MODELS, draws=64, seed=3, whatifs=[whatif], events=["fees > 45"])


@pytest.fixture(scope="module")
def page(report) -> str:
    return render_html(report)


def test_every_section_and_chart_is_in_the_page(report, page):
    for section in SECTIONS:
        assert f'<section id="{section}">' in page
    issues = {i.id for i in report.scenario.issues}
    for section in ("positions", "trajectories", "distributions", "sensitivity", "whatifs"):
        assert {c.issue for c in report.charts_for(section)} == issues, section
    assert page.count('<svg class="chart"') == len(report.charts) == 10
    for chart in report.charts:
        assert f'<figure id="chart-{chart.id}"' in page


def test_element_ids_are_unique_across_inlined_charts(page):
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    for ref in set(re.findall(r'(?:href="#|url\(#)([^")]+)', page)):
        assert ref in ids


def test_the_page_references_nothing_outside_itself(page):
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page.lower()
    assert not re.search(r"\s(src|srcset|action|formaction)=", page)
    assert set(re.findall(r'href="([^"#][^"]*)"', page)) == set()
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_a_source_address_is_shown_as_text_not_as_a_link():
    base = load(HARBOUR)
    sc = replace(base, sources=(replace(base.sources[0], url="https://example.org/memo?a=1&b=2"),))
    page = render_html(build_report(sc, ["mean"], draws=16, sensitivity=False))
    assert "https://example.org/memo?a=1&amp;b=2" in page
    assert 'href="https' not in page and "<a " not in page.replace('<a href="#', "")


def test_every_number_shows_its_basis(report, page):
    for _, _, estimate in numbers(report.scenario):
        if estimate.basis:
            assert esc(estimate.basis) in page


def _fmt(issue: str, x: float) -> str:
    return f"{x:.{DECIMALS[issue]}f}"


def test_summary_numbers_are_the_results(report):
    paragraphs = {p.heading: " ".join(p.sentences) for p in report.summary}
    stats = report.montecarlo.summary()
    points = {(fc.model_name, issue): value for fc in report.forecasts for issue, value in fc.outcomes.items()}
    for issue in report.scenario.issues:
        text = paragraphs[issue.name]
        for row in stats[stats["issue"] == issue.id].itertuples():
            low, high = _fmt(issue.id, row.q05), _fmt(issue.id, row.q95)
            spread = f"draws give {low}." if low == high else f"draws lie between {low} and {high} (median "
            point = _fmt(issue.id, points[(row.model, issue.id)])
            assert f"Under the {row.model} model the forecast is {point}" in text
            assert f"90% of the {row.draws} {spread}" in text


def test_summary_event_shares_are_the_probabilities(report):
    text = " ".join(next(p for p in report.summary if p.heading == "Harbour fee level").sentences)
    for row in report.montecarlo.probability("fees > 45").itertuples():
        assert f"{row.probability:.0%} under {row.model}" in text


def test_summary_names_the_input_with_the_largest_swing(report):
    table = one_at_a_time(report.scenario, model="bdm", issues=["fees"], rounds=3)
    top = table.iloc[0]
    text = " ".join(next(p for p in report.summary if p.heading == "Harbour fee level").sentences)
    assert top["input"] == "council.capability"
    assert (f"moves most with the capability of City council: over its range, 50–70, the outcome runs from "
            f"{_fmt('fees', top['outcome_min'])} to {_fmt('fees', top['outcome_max'])}") in text


def test_summary_compares_each_whatif_with_the_baseline(report):
    table = report.comparison_table()
    fees = table[(table["issue"] == "fees") & (table["model"] == "mean")].set_index("variant")
    text = " ".join(next(p for p in report.summary if p.heading == "Harbour fee level").sentences)
    after, before = _fmt("fees", fees.loc["weak_council", "q50"]), _fmt("fees", fees.loc["baseline", "q50"])
    assert f"With the what-if “Council weakened”, the median outcome is {after} under mean (baseline {before})" in text


@pytest.fixture(scope="module")
def hostile_report():
    base = make_scenario([20, 50, 80], [0.5, 0.8, 0.6], [30, 40, 20], issue_id="x")
    issue = replace(base.issues[0], name=PAYLOADS[0], low=PAYLOADS[1], high=PAYLOADS[2])
    first = base.actors[0]
    stance = first.stances["x"]
    actors = (replace(first, name=PAYLOADS[0], kind="other",
                      capability=Estimate(30, 20, 40, basis=PAYLOADS[1], source="s", where=PAYLOADS[2]),
                      stances={"x": replace(stance, position=Estimate(20, 10, 30, basis=PAYLOADS[2]))}),
              replace(base.actors[1], name=PAYLOADS[1]), replace(base.actors[2], name=PAYLOADS[2]))
    sc = replace(base, title=PAYLOADS[0], description=PAYLOADS[1], notes=PAYLOADS[2], issues=(issue,), actors=actors,
                 sources=(Source("s", PAYLOADS[1], url="javascript:alert(4)", note=PAYLOADS[0]),))
    whatif = whatif_from_changes(["a1.capability *= 0.5"], title=PAYLOADS[1], id="w")
    return build_report(sc, ["mean", ("bdm", {"rounds": 2})], draws=16, whatifs=[whatif])


def test_scenario_and_whatif_text_is_escaped_in_html(hostile_report):
    page = render_html(hostile_report)
    for payload in PAYLOADS:
        assert payload not in page
        assert esc(payload) in page
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert not re.search(r"<[^>]*\s(onerror|src|href)=(?!\"#)", page)


def test_scenario_text_is_inert_in_markdown(hostile_report):
    text = render_markdown(hostile_report, "charts")
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "[link](javascript" not in text and r"\[link\](javascript" in text


def test_markdown_report_and_its_chart_files(report, tmp_path):
    written = write_markdown(report, tmp_path / "harbour report.md")
    document = written[0].read_text(encoding="utf-8")
    assert written[0].name == "harbour report.md"
    for heading in ("## Summary", "## Scenario", "## Trajectories", "## Outcome distributions", "## Sensitivity",
                    "## What-ifs", "## Method"):
        assert heading in document
    links = re.findall(r"\]\(([^)]+\.png)\)", document)
    assert len(links) == len(report.charts)
    for link in links:
        assert (tmp_path / link.replace("%20", " ")).is_file()
    assert report.summary[1].sentences[1].split(";")[0] in document


def test_every_chart_exports_as_svg_and_png(report, tmp_path):
    files = report.export_charts(tmp_path / "charts")
    assert len(files) == 2 * len(report.charts)
    for chart in report.charts:
        svg = (tmp_path / "charts" / f"{chart.id}.svg").read_text(encoding="utf-8")
        root = ET.fromstring(svg.encode())
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert "<text" not in svg  # text is drawn as paths: the file looks the same without fonts
        png = (tmp_path / "charts" / f"{chart.id}.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


def test_cli_writes_html_markdown_and_chart_files(tmp_path):
    runner = CliRunner()
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", HARBOUR, "-m", "mean", "--draws", "16", "--no-sensitivity",
                                 "--change", "council.capability *= 0.5", "--event", "fees > 45", "-o", str(out),
                                 "--charts", str(tmp_path / "charts")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert '<section id="whatifs">' in page and "council.capability *= 0.5" in page
    assert '<section id="sensitivity">' not in page
    assert len(list((tmp_path / "charts").glob("*.svg"))) == page.count('<svg class="chart"')
    result = runner.invoke(app, ["report", HARBOUR, "-m", "median", "--draws", "8", "--no-sensitivity",
                                 "-o", str(tmp_path / "r.md")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# Harbour fees")
    assert (tmp_path / "r-charts").is_dir()


def test_cli_rejects_a_sensitivity_model_outside_the_report(tmp_path):
    from stakes.errors import StakesError

    with pytest.raises(StakesError, match="not among the report's models"):
        CliRunner().invoke(app, ["report", HARBOUR, "-m", "mean", "--sensitivity-model", "bdm", "-o",
                                 str(tmp_path / "r.html")], catch_exceptions=False)


def test_cli_takes_the_whatifs_bundled_with_a_scenario(tmp_path):
    from stakes.errors import StakesError
    from stakes.whatif import bundled_whatifs

    out = tmp_path / "rafah.html"
    result = CliRunner().invoke(app, ["report", "rafah-2024", "-m", "mean", "--draws", "8", "--no-sensitivity",
                                      "--whatif", "bundled", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    titles = [w.title for w in bundled_whatifs("rafah-2024")]
    assert titles and all(esc(title) in page for title in titles)
    with pytest.raises(StakesError, match="no what-ifs ship with"):
        CliRunner().invoke(app, ["report", HARBOUR, "--whatif", "bundled", "-o", str(out)], catch_exceptions=False)
