"""The montecarlo, sensitivity and whatif commands as a user meets them."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from contextlib import contextmanager

import pandas as pd
import pytest
from typer.testing import CliRunner

from stakes.cli import app, console
from stakes.cli import uncertainty as commands
from stakes.errors import StakesError
from stakes.uncertainty.sampling import BLOCK
from tests.uncertain import HARBOUR

runner = CliRunner()


@pytest.fixture(scope="module")
def harbour_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("scenario") / "harbour.yaml"
    path.write_text(HARBOUR)
    (path.parent / "harbour.whatifs.yaml").write_text("""whatifs:
  - id: weak_council
    title: The council loses half its weight
    changes: [council.capability *= 0.5]
  - id: no_shipping
    title: "[bold]Shipping[/bold] lines withdraw"
    changes: [drop shipping]
""")
    return str(path)


def run(*args: str):
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result


def stakes_process(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "stakes", *args], capture_output=True, text=True, timeout=120,
                          check=False)


def test_montecarlo_table_shows_distributions_and_events(harbour_file):
    result = run("montecarlo", harbour_file, "-m", "mean", "-m", "bdm", "--draws", "300", "-e", "fees > 40",
                 "--positions")
    assert result.exit_code == 0, result.output
    for text in ("Uncertain harbour", "300 draws", "Outcome distribution", "50%", "fees > 40",
                 "Final positions", "residents"):
        assert text in result.output


def test_montecarlo_json_holds_summaries_histograms_and_events(harbour_file):
    result = run("montecarlo", harbour_file, "-m", "median", "--draws", "200", "--seed", "4", "-e", "hours <= 12",
                 "-f", "json")
    data = json.loads(result.output)
    assert data["complete"] and data["requested"] == 200 and data["seed"] == 4
    baseline = data["variants"]["baseline"]
    assert {row["issue"] for row in baseline["summary"]} == {"fees", "hours"}
    assert sum(baseline["histograms"]["median"]["fees"]["counts"]) == 200
    assert baseline["events"][0]["event"] == "hours <= 12"
    assert {"actor", "q50"} <= set(baseline["final_positions"][0])


def test_montecarlo_csv_has_every_draw_and_same_seed_same_numbers(harbour_file):
    first = run("montecarlo", harbour_file, "-m", "nash", "--draws", "150", "-f", "csv").output
    again = run("montecarlo", harbour_file, "-m", "nash", "--draws", "150", "-f", "csv").output
    table = pd.read_csv(io.StringIO(first))
    assert list(table.columns) == ["variant", "draw", "model", "issue", "outcome", "rounds", "stop_reason",
                                   "deal"]  # deal: empty where no decision rule applies
    assert len(table) == 300 and first == again


def test_montecarlo_parquet_goes_to_a_file(harbour_file, tmp_path):
    target = tmp_path / "draws.parquet"
    result = run("montecarlo", harbour_file, "-m", "mean", "--draws", "100", "-o", str(target),
                 "--change", "drop residents")
    assert result.exit_code == 0
    table = pd.read_parquet(target)
    assert set(table["variant"]) == {"baseline", "changes"} and len(table) == 400
    with pytest.raises(StakesError, match="-o results.parquet"):
        run("montecarlo", harbour_file, "-m", "mean", "--draws", "10", "-f", "parquet")


def test_ctrl_c_keeps_the_finished_draws_and_says_so(harbour_file, monkeypatch):
    @contextmanager
    def interrupted_after_one_block(label):
        def update(done, total):
            raise KeyboardInterrupt

        yield update

    monkeypatch.setattr(commands, "draw_progress", interrupted_after_one_block)
    result = runner.invoke(app, ["montecarlo", harbour_file, "-m", "mean", "--draws", str(3 * BLOCK), "-f", "csv"])
    assert result.exit_code == 130
    assert f"kept the {BLOCK:,} of {3 * BLOCK:,} draws" in result.stderr
    assert len(pd.read_csv(io.StringIO(result.stdout))) == 2 * BLOCK  # one block, two issues


def test_whatif_compares_the_bundled_set_side_by_side(harbour_file, monkeypatch):
    monkeypatch.setattr(console, "width", 200)
    result = run("whatif", harbour_file, "-m", "mean", "--draws", "200", "-e", "fees > 40")
    assert result.exit_code == 0, result.output
    for text in ("What-ifs", "weak_council", "no_shipping", "baseline", "Median outcome", "Point forecast",
                 "fees > 40", "[bold]Shipping[/bold] lines withdraw"):
        assert text in result.output


def test_whatif_csv_and_json_carry_the_comparison_table(harbour_file):
    table = pd.read_csv(io.StringIO(run("whatif", harbour_file, "-m", "median", "--draws", "100",
                                        "--change", "council.fees.position = 10", "-e", "fees < 30",
                                        "-f", "csv").output))
    assert list(table.columns) == ["variant", "title", "model", "issue", "forecast", "mean", "q05", "q50", "q95",
                                   "P(fees < 30)"]
    assert list(table["variant"]) == ["baseline", "baseline", "changes", "changes"]
    assert table["P(fees < 30)"].isna().tolist() == [False, True, False, True]
    data = json.loads(run("whatif", harbour_file, "-m", "mean", "--draws", "50", "-f", "json").output)
    assert [w["id"] for w in data["whatifs"]] == ["weak_council", "no_shipping"] and len(data["table"]) == 6


def test_sensitivity_table_json_and_sobol_csv(harbour_file):
    result = run("sensitivity", harbour_file, "-m", "mean", "--top", "3")
    assert result.exit_code == 0
    assert "Harbour fee level" in result.output and "more inputs with smaller swings" in result.output
    data = json.loads(run("sensitivity", harbour_file, "-m", "nash", "--issue", "hours", "-f", "json").output)
    assert {row["issue"] for row in data["one_at_a_time"]} == {"hours"} and data["sobol"] == {}
    table = pd.read_csv(io.StringIO(run("sensitivity", harbour_file, "-m", "mean", "--sobol", "--samples", "64",
                                        "-f", "csv").output))
    assert list(table.columns) == ["issue", "input", "S1", "S1_conf", "ST", "ST_conf"]
    assert set(table["issue"]) == {"fees", "hours"}


def test_a_table_can_be_written_to_a_file(harbour_file, tmp_path):
    target = tmp_path / "sensitivity.txt"
    assert run("sensitivity", harbour_file, "-m", "mean", "-o", str(target)).exit_code == 0
    assert "Harbour fee level" in target.read_text()


@pytest.mark.parametrize("args,message", [
    (["montecarlo", "-e", "rafah_operation >> 70"], "ISSUE OP NUMBER"),
    (["montecarlo", "-e", "harbour > 3"], "names no issue"),
    (["whatif", "--change", "us_admin.capability *= lots"], "is not a number"),
    (["whatif", "--change", "drop nobody"], "what-if 'changes', `drop nobody`"),
    (["whatif", "--whatif", "no-such-file.yaml"], "no such file"),
    (["sensitivity", "--sobol", "--samples", "100"], "power of two"),
    (["montecarlo", "-m", "mean", "-m", "mean"], "each model may be named once"),
])
def test_mistakes_are_the_projects_own_errors(args, message):
    with pytest.raises(StakesError, match=re.escape(message)):
        run(*args)


def test_errors_are_one_line_without_traceback():
    result = stakes_process("whatif", "--change", "drop nobody", "--draws", "10")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: what-if 'changes', `drop nobody`")
    assert len(result.stderr.strip().splitlines()) == 1


def test_montecarlo_reports_p_deal_on_veto_issues_beside_the_users_events():
    result = run("montecarlo", "rafah-2024", "-m", "mean", "-m", "veto", "--draws", "200", "-e",
                 "rafah_operation > 70", "-f", "json")
    events = json.loads(result.output)["variants"]["baseline"]["events"]
    assert [(e["event"], e["model"]) for e in events] == [
        ("rafah_operation > 70", "mean"), ("rafah_operation > 70", "veto"), ("deal on hostage_deal", "veto")]
    # Hamas signs only from 70 up and the far-right partners (at 0 to 25, status quo 0 to 10) never
    # prefer that to no deal: the stated deadlock holds in every draw
    assert events[-1]["probability"] == 0
    table = run("montecarlo", "rafah-2024", "-m", "veto", "--draws", "100")
    assert table.exit_code == 0 and "deal on hostage_deal" in table.output
    rows = pd.read_csv(io.StringIO(run("montecarlo", "rafah-2024", "-m", "veto", "--draws", "50", "-f", "csv").output))
    assert rows[rows["issue"] == "hostage_deal"]["deal"].isin([True, False]).all()
    assert rows[rows["issue"] != "hostage_deal"]["deal"].isna().all()
