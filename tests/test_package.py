"""The top-level package shows the whole flow, scenario → forecast → report, and stays quick to import."""

import subprocess
import sys

import stakes


def test_flow_from_the_top_level_package(tmp_path):
    scenario = stakes.load("rafah-2024")
    forecast = stakes.forecast(scenario, model="median")
    assert set(forecast.outcomes) == {issue.id for issue in scenario.issues}
    run = stakes.monte_carlo(scenario, ["median"], draws=20, seed=1)
    assert run.draws == 20 and len(run.outcome_table()) == 20 * len(scenario.issues)
    report = stakes.build_report(scenario, models=["median"], draws=20, sensitivity=False)
    page = stakes.write_html(report, tmp_path / "report.html")
    notes = tmp_path / "report.md"
    assert notes in stakes.write_markdown(report, notes)
    assert "<html" in page.read_text(encoding="utf-8").lower()
    assert scenario.title in notes.read_text(encoding="utf-8")


def test_every_public_name_resolves():
    for name in stakes.__all__:
        assert getattr(stakes, name) is not None, name
    assert set(stakes.__all__) <= set(dir(stakes))


def test_unknown_attribute_is_an_attribute_error():
    try:
        stakes.no_such_thing  # noqa: B018
    except AttributeError as error:
        assert "no_such_thing" in str(error)
    else:
        raise AssertionError("expected AttributeError")


def test_import_leaves_reports_and_uncertainty_for_first_use():
    code = ("import sys, stakes; print(sorted(m for m in sys.modules "
            "if m.startswith(('stakes.report', 'stakes.uncertainty', 'scipy'))))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
