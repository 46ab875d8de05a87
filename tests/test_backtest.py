"""Backtests: the scoring functions against numbers worked by hand, scores of a scenario whose draws are
known, the command on the bundled case library (table, JSON, CSV), the report's section, and the case
library itself."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from stakes.backtest import (
    ENSEMBLE,
    absolute_error_pct,
    backtest,
    band,
    brier,
    covered,
    deal_observed,
    pooled,
    score_run,
    summarize,
)
from stakes.cli import app
from stakes.cli.backtest import case_library
from stakes.forecast import forecast
from stakes.report import build_report, render_html, render_markdown
from stakes.report.html import esc
from stakes.scenario import bundled_scenarios, load, save
from stakes.scenario.model import Decision, Estimate, Observation
from stakes.uncertainty.montecarlo import MonteCarlo
from tests.conftest import DATA, make_scenario

runner = CliRunner()
CASES = ("iran-nuclear-2015", "greece-bailout-2015", "us-debt-ceiling-2011", "iran-talks-2022")
FAST = ("-m", "mean", "-m", "median")


def observed(value, low=None, high=None, when=date(2020, 1, 1), basis="recorded"):
    return Observation(value, low, high, when, basis)


# --- scoring functions, by hand -----------------------------------------------------------------------

def test_absolute_error_is_a_share_of_the_scale_width():
    assert absolute_error_pct(60, 70, (0, 100)) == pytest.approx(10.0)
    # 1.5 apart on a scale 6 wide: a quarter of it
    assert absolute_error_pct(7, 8.5, (4, 10)) == pytest.approx(25.0)
    assert absolute_error_pct(8.5, 7, (4, 10)) == pytest.approx(25.0)


def test_band_is_the_central_ninety_percent():
    # 0, 1, ..., 100: the 5% quantile is 5 and the 95% quantile 95
    assert band(np.arange(101)) == pytest.approx((5.0, 95.0))
    assert band(np.full(10, 3.0)) == (3.0, 3.0)
    assert band(np.arange(101), level=0.5) == pytest.approx((25.0, 75.0))


def test_covered_includes_the_ends():
    assert covered(5, 5, 95) and covered(95, 5, 95) and covered(50, 5, 95)
    assert not covered(4.9, 5, 95) and not covered(95.1, 5, 95)


def test_brier_score_of_one_forecast():
    assert brier(0.8, True) == pytest.approx(0.04)    # (0.8 - 1)²
    assert brier(0.8, False) == pytest.approx(0.64)   # (0.8 - 0)²
    assert brier(0.5, True) == brier(0.5, False) == pytest.approx(0.25)
    assert brier(1.0, True) == 0.0


def test_a_deal_is_observed_when_the_status_quo_lies_outside_the_observed_range():
    scale = (0.0, 100.0)
    assert deal_observed(observed(70, 60, 80), 35, scale) is True
    assert deal_observed(observed(0, 0, 10), 0, scale) is False
    assert deal_observed(observed(5, 0, 10), 10, scale) is False      # the end of the range counts as inside
    # an exact observation: within 1% of the width (here 1.0) is the status quo
    assert deal_observed(observed(30.5), 30, scale) is False
    assert deal_observed(observed(31.5), 30, scale) is True
    assert deal_observed(observed(2.1), 0, (0.0, 5.0)) is True
    assert deal_observed(observed(70, 60, 80), None, scale) is None


def test_the_ensemble_pools_draws_with_equal_weight():
    mixed = pooled([np.array([1.0, 2.0, 3.0, 4.0]), np.array([10.0, 20.0])])
    assert sorted(mixed) == [1.0, 2.0, 10.0, 20.0]


# --- scoring a run ---------------------------------------------------------------------------------------

def three_actor_scenario(decision: Decision | None = None):
    """Positions 0, 40, 100 with equal weights: mean 140/3, weighted median 40."""
    sc = make_scenario([0, 40, 100], [1, 1, 1], [1, 1, 1])
    issue = replace(sc.issues[0], status_quo=Estimate(0.0), decision=decision,
                    outcomes=(observed(70, 60, 80, date(2021, 5, 1)), observed(10, when=date(2022, 1, 1))))
    return replace(sc, issues=(issue,))


def test_point_forecasts_are_scored_against_the_first_observation():
    sc = three_actor_scenario()
    result = backtest([("three", sc)], ["mean", "median"], draws=8, seed=1)
    rows = result.scores.set_index("model")
    assert list(rows.index) == ["mean", "median", ENSEMBLE]
    assert rows.loc["mean", "forecast"] == pytest.approx(140 / 3)
    assert rows.loc["mean", "error_pct"] == pytest.approx(70 - 140 / 3)            # scale 0-100: points = %
    assert rows.loc["median", "error_pct"] == pytest.approx(30.0)
    assert rows.loc[ENSEMBLE, "forecast"] == pytest.approx((140 / 3 + 40) / 2)
    assert rows.loc[ENSEMBLE, "error_pct"] == pytest.approx(70 - (140 / 3 + 40) / 2)
    # no number has a range: every draw is the point forecast, a band of zero width that misses 70
    assert rows.loc["mean", "band_low"] == pytest.approx(140 / 3) == rows.loc["mean", "band_high"]
    assert not rows["covered"].any()
    assert set(rows["date"]) == {"2021-05-01"}
    # no veto rule: no deal is scored
    assert rows["brier"].isna().all() and rows["p_deal"].isna().all()
    summary = result.summary().set_index("model")
    assert summary.loc["median", "mean_error_pct"] == pytest.approx(30.0)
    assert summary.loc["median", "coverage"] == 0.0


def known_run(sc, outcomes, deal):
    """A Monte Carlo run whose draws are given (as if a model had produced them)."""
    results = {("mean", "x"): {"outcome": np.asarray(outcomes, dtype=float), "deal": np.asarray(deal)}}
    return MonteCarlo(scenario=sc, models=["mean"], seed=0, requested=len(outcomes),
                      draw_index=np.arange(len(outcomes)), results=results)


def test_p_deal_on_a_veto_issue_gets_a_brier_score():
    sc = three_actor_scenario(Decision("veto", veto_players=("a0", "a2")))
    run = known_run(sc, [50, 60, 70, 80], [True, True, False, True])
    scores = score_run(sc, [forecast(sc, "mean")], run, case="known")
    row = scores.iloc[0]
    assert len(scores) == 1                       # one model: no ensemble
    assert row["p_deal"] == pytest.approx(0.75)
    # status quo 0 lies outside the observed 60-80: a deal was observed; (0.75 - 1)² = 0.0625
    assert row["deal"] is True or row["deal"] == 1
    assert row["brier"] == pytest.approx(0.0625)
    # quantiles of 50, 60, 70, 80 (linear): 50 + 0.05 * 30 and 50 + 0.95 * 30
    assert row["band_low"] == pytest.approx(51.5) and row["band_high"] == pytest.approx(78.5)
    assert row["covered"]


def test_summary_averages_over_issues_and_counts_brier_issues():
    scores = pd.DataFrame({
        "model": ["a", "a", "b", "b"], "error_pct": [10.0, 30.0, 5.0, 5.0],
        "covered": [True, False, True, True], "brier": [0.25, None, None, None]})
    summary = summarize(scores).set_index("model")
    assert summary.loc["a", "mean_error_pct"] == 20.0 and summary.loc["a", "coverage"] == 0.5
    assert summary.loc["a", "brier"] == 0.25 and summary.loc["a", "brier_issues"] == 1
    assert summary.loc["b", "coverage"] == 1.0 and np.isnan(summary.loc["b", "brier"])
    assert summary.loc["b", "brier_issues"] == 0


def test_a_scenario_without_outcomes_is_an_error():
    with pytest.raises(Exception, match="no scenario given has an observed outcome"):
        backtest([("harbour", load(DATA / "harbour.yaml"))], ["mean"], draws=4)


# --- the case library ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_every_bundled_scenario_validates(name):
    assert load(name).title


@pytest.mark.parametrize("name", CASES)
def test_each_case_is_written_as_of_a_date_before_its_outcomes(name):
    sc = load(name)
    assert "written after the fact" in sc.notes and "as_of" in sc.notes
    assert all(issue.outcomes for issue in sc.issues)
    for issue in sc.issues:
        assert all(o.date > sc.as_of for o in issue.outcomes), issue.id
        assert all(o.basis for o in issue.outcomes)
        assert issue.status_quo is not None and issue.status_quo.basis
    assert any(issue.decision is not None for issue in sc.issues)
    for actor in sc.actors:
        numbers = [actor.capability] + [n for s in actor.stances.values() for n in (s.position, s.salience)]
        assert all(n.basis for n in numbers), actor.id


def test_the_library_holds_the_cases_and_the_scenarios_with_recorded_outcomes():
    names = [name for name, _ in case_library()]
    assert set(CASES) | {"rafah-2024", "eu-emissions"} <= set(names)
    assert "ktab-soe-policy" not in names


# --- the command -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def library_json():
    result = runner.invoke(app, ["backtest", *FAST, "--draws", "64", "-f", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_json_scores_every_observed_issue_of_the_library(library_json):
    scores = pd.DataFrame(library_json["scores"])
    expected = {(name, issue.id) for name, sc in case_library() for issue in sc.issues if issue.outcomes}
    assert set(zip(scores["case"], scores["issue"])) == expected
    assert set(scores["model"]) == {"mean", "median", ENSEMBLE}
    # each error recomputed from the forecast, the observation and the scale
    for row in scores.itertuples():
        issue = load(row.case).issue(row.issue)
        assert row.error_pct == pytest.approx(abs(row.forecast - row.observed) / issue.width * 100)
        assert row.covered == (row.band_low <= row.observed <= row.band_high)
    summary = {row["model"]: row for row in library_json["summary"]}
    part = scores[scores["model"] == "median"]
    assert summary["median"]["mean_error_pct"] == pytest.approx(part["error_pct"].mean())
    assert summary["median"]["issues"] == len(part)
    assert library_json["draws"] == 64 and library_json["models"] == ["mean", "median"]


def test_csv_has_one_row_per_issue_and_model():
    result = runner.invoke(app, ["backtest", "us-debt-ceiling-2011", *FAST, "--draws", "16", "-f", "csv"],
                           catch_exceptions=False)
    table = pd.read_csv(io.StringIO(result.output))
    assert len(table) == 3 * 3 and set(table["issue"]) == {"deficit_reduction", "revenue_share", "duration"}
    row = table[(table["issue"] == "deficit_reduction") & (table["model"] == "median")].iloc[0]
    assert row["observed"] == 2.1 and row["observed_low"] == 1.9 and bool(row["deal"])


def test_table_fits_eighty_columns_without_cutting_ids_or_numbers(library_json):
    result = runner.invoke(app, ["backtest", *FAST, "--draws", "64"], catch_exceptions=False,
                           env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.output
    for name, sc in case_library():
        assert name in result.output
        for issue in sc.issues:
            assert issue.id in result.output
    for row in library_json["summary"]:
        assert f"{row['mean_error_pct']:.1f}%" in result.output
    assert "Summary per model" in result.output


def test_a_missing_path_is_a_one_line_error():
    result = runner.invoke(app, ["backtest", "no-such-case.yaml"])
    assert result.exit_code != 0


# --- the report ------------------------------------------------------------------------------------------

PAYLOAD = '<script>alert(1)</script> & "quoted"'


@pytest.fixture(scope="module")
def observed_report():
    sc = load(DATA / "harbour.yaml")
    issues = tuple(replace(i, outcomes=(observed(40, 30, 50, date(2024, 2, 1), basis=PAYLOAD),))
                   if k == 0 else i for k, i in enumerate(sc.issues))
    return build_report(replace(sc, issues=issues), ["mean", "median"], draws=32, sensitivity=False)


def test_the_report_has_a_backtest_section_with_a_chart_per_observed_issue(observed_report):
    page = render_html(observed_report)
    first = observed_report.scenario.issues[0]
    assert '<section id="backtest">' in page
    assert [c.issue for c in observed_report.charts_for("backtest")] == [first.id]
    assert esc(PAYLOAD) in page and PAYLOAD not in page
    scores = observed_report.backtest
    assert list(scores["model"]) == ["mean", "median", ENSEMBLE]
    for row in scores.itertuples():
        assert f"{row.error_pct:.1f}%" in page
    markdown = render_markdown(observed_report, "charts")
    assert "## Backtest" in markdown and "backtest-" in markdown and "<script>" not in markdown


def test_a_report_without_outcomes_has_no_backtest_section():
    report = build_report(load(DATA / "harbour.yaml"), ["mean"], draws=16, sensitivity=False)
    assert report.backtest is None
    assert 'id="backtest"' not in render_html(report)
    assert not re.search(r"^## Backtest", render_markdown(report, "charts"), re.MULTILINE)


def test_scenarios_shows_which_bundled_scenarios_have_outcomes():
    result = runner.invoke(app, ["scenarios"], catch_exceptions=False, terminal_width=200)
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") > 2}
    assert "3 of 3" in rows["rafah-2024"] and "2 of 2" in rows["iran-talks-2022"]
    assert rows["ktab-soe-policy"].rstrip("│ ").endswith("—")


def test_a_long_issue_id_folds_instead_of_being_cut(tmp_path):
    long_id = "an_issue_identifier_much_longer_than_the_column_it_is_shown_in"
    sc = three_actor_scenario()
    sc = replace(sc, issues=(replace(sc.issues[0], id=long_id),),
                 actors=tuple(replace(a, stances={long_id: a.stances["x"]}) for a in sc.actors))
    path = tmp_path / "long.yaml"
    save(sc, path)
    result = runner.invoke(app, ["backtest", str(path), "-m", "mean", "--draws", "4"], catch_exceptions=False)
    assert "…" not in result.output
    pieces = [line[:30].strip() for line in result.output.splitlines()]
    start = next(k for k, piece in enumerate(pieces) if piece and long_id.startswith(piece) and len(piece) > 10)
    folded = ""
    for piece in pieces[start:]:
        if not long_id.startswith(folded + piece):
            break
        folded += piece
    assert folded == long_id
