"""At 80 columns every table fits, and no id or number is cut: each actor id, issue id and number a
command computes (worked out here from the library, not read from the output) appears whole, in
the row it belongs to."""

from __future__ import annotations

import pytest

import stakes
from stakes.cli import main
from stakes.cli.app import console, errors, fmt
from stakes.models import DEFAULT_MODELS
from stakes.scenario import bundled_scenarios
from stakes.uncertainty.compare import compare
from stakes.uncertainty.sensitivity import one_at_a_time
from stakes.whatif import select_whatifs

WIDTH = 80
BUNDLED = sorted(bundled_scenarios())


@pytest.fixture(autouse=True)
def eighty_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    monkeypatch.setattr(console, "width", WIDTH)
    monkeypatch.setattr(errors, "width", WIDTH)


def run(capsys, *args: str) -> list[list[str]]:
    """Run a command; check every line fits; return the table rows as lists of cells (first lines of rows)."""
    try:
        main(list(args))
    except SystemExit as exc:
        assert not exc.code
    output = capsys.readouterr().out
    assert "…" not in output
    for line in output.splitlines():
        assert len(line) <= WIDTH, line
    rows = [[cell.strip() for cell in line.strip().strip("│").split("│")] for line in output.splitlines()
            if line.startswith("│")]
    return [row for row in rows if row[0]]  # not the continuation lines of wrapped text


def has_row(rows: list[list[str]], *cells: str) -> bool:
    """Some row starts with these cells."""
    return any(row[:len(cells)] == list(cells) for row in rows)


@pytest.mark.parametrize("name", BUNDLED)
def test_show_keeps_every_id_and_number_whole(name, capsys):
    sc = stakes.load(name)
    rows = run(capsys, "show", name)
    for issue in sc.issues:
        assert has_row(rows, issue.id)
    for actor in sc.actors:
        assert any(row[0] == actor.id and row[-1] == fmt(actor.capability.value) for row in rows), actor.id
        for issue_id, stance in actor.stances.items():
            cell = f"{fmt(stance.position.value)} / {stance.salience.value:.2f}"
            assert any(row[0] == actor.id and cell in row for row in rows), (actor.id, issue_id, cell)


def test_show_evidence_for_one_actor_and_issue(capsys):
    sc = stakes.load("rafah-2024")
    rows = run(capsys, "show", "rafah-2024", "--actor", "netanyahu", "--issue", "hostage_deal")
    stance = sc.actor("netanyahu").stances["hostage_deal"]
    assert has_row(rows, "hostage_deal position", fmt(stance.position.value))
    assert has_row(rows, "hostage_deal salience", fmt(stance.salience.value))
    assert not any(row[0].startswith("rafah_operation ") for row in rows)  # other issues left out


@pytest.mark.parametrize("name", BUNDLED)
def test_the_issues_evidence_keeps_status_quos_rules_and_observed_outcomes_whole(name, capsys):
    sc = stakes.load(name)
    for issue in sc.issues:
        rows = run(capsys, "show", name, "--issue", issue.id)
        if issue.status_quo is not None:
            sq = issue.status_quo
            span = "" if sq.is_exact else f"{fmt(sq.low)}–{fmt(sq.high)}"
            assert has_row(rows, f"{issue.id} status quo", fmt(sq.value), span), issue.id
        if issue.decision is not None:
            assert has_row(rows, f"{issue.id} decision rule", issue.decision.rule), issue.id
        for seen in issue.outcomes:
            span = "" if seen.low is None else f"{fmt(seen.low)}–{fmt(seen.high)}"
            assert has_row(rows, f"{issue.id} outcome {seen.date.isoformat()}", fmt(seen.value), span)


@pytest.mark.parametrize("name", BUNDLED)
def test_forecast_keeps_every_id_and_number_whole(name, capsys):
    sc = stakes.load(name)
    rows = run(capsys, "forecast", name)
    results = [stakes.forecast(sc, model) for model in DEFAULT_MODELS]
    for issue in sc.issues:
        data = sc.issue_data(issue.id)
        played = [fc for fc in results if fc.issues[issue.id].rounds]
        for k, actor_id in enumerate(data.actor_ids):
            ends = [fmt(fc.issues[issue.id].final_positions[actor_id]) for fc in played]
            assert has_row(rows, actor_id, fmt(data.capability[k]), fmt(data.salience[k]), fmt(data.position[k]),
                           *ends), (issue.id, actor_id)
        assert has_row(rows, issue.id, f"{fmt(issue.scale[0])}–{fmt(issue.scale[1])}",
                       *(fmt(fc.issues[issue.id].outcome) for fc in results)), issue.id


def test_montecarlo_keeps_every_number_whole(capsys):
    sc = stakes.load("rafah-2024")
    rows = run(capsys, "montecarlo", "rafah-2024", "--draws", "20", "--seed", "3", "-e", "rafah_operation > 50")
    result = compare(sc, [], models=list(DEFAULT_MODELS), draws=20, seed=3)
    points = {fc.model_name: fc for fc in result.forecasts["baseline"]}
    for row in result.runs["baseline"].summary().itertuples():
        numbers = (points[row.model].outcomes[row.issue], row.mean, row.q05, row.q25, row.q50, row.q75, row.q95)
        assert has_row(rows, row.model, *(f"{v:.3g}" for v in numbers)), (row.model, row.issue)
    assert any(row[0] == "rafah_operation > 50" for row in rows)


def test_whatif_keeps_every_id_and_number_whole(capsys):
    sc = stakes.load("rafah-2024")
    rows = run(capsys, "whatif", "rafah-2024", "-m", "mean", "-m", "bdm", "--draws", "20")
    whatifs = select_whatifs("rafah-2024", ["bundled"], [])
    table = compare(sc, whatifs, models=["mean", "bdm"], draws=20, seed=0).table()
    for w in whatifs:
        assert has_row(rows, w.id)
    pairs = list(dict.fromkeys(zip(table["issue"], table["model"])))
    indexed = table.set_index(["variant", "issue", "model"])
    for variant in dict.fromkeys(table["variant"]):
        shown = [cell.split()[0] for row in rows if row[0] == variant and len(row) > 1 for cell in row[1:]]
        medians = [f"{indexed.loc[(variant, *pair), 'q50']:.3g}" for pair in pairs]
        points = [f"{indexed.loc[(variant, *pair), 'forecast']:.3g}" for pair in pairs]
        assert shown[-2 * len(pairs):] == medians + points, (variant, shown)


def test_sensitivity_keeps_every_number_whole(capsys):
    sc = stakes.load("rafah-2024")
    rows = run(capsys, "sensitivity", "rafah-2024", "-m", "mean")
    oat = one_at_a_time(sc, "mean")
    for issue_id, part in oat.groupby("issue"):
        for row in part.head(12).itertuples():
            cells = [f"{fmt(row.low)}–{fmt(row.high)}", fmt(row.outcome_low), fmt(row.outcome_high), fmt(row.swing)]
            assert any(r[1:5] == cells for r in rows), (issue_id, row.input, cells)


def test_scenarios_models_and_store_list_keep_names_and_counts_whole(capsys, tmp_path):
    rows = run(capsys, "scenarios")
    for name in BUNDLED:
        sc = stakes.load(name)
        assert any(row[0] == name and row[2:4] == [str(len(sc.actors)), str(len(sc.issues))] for row in rows)
    rows = run(capsys, "models")
    for name in stakes.MODELS:
        assert any(row[0].removesuffix(" *") == name for row in rows)
    db = str(tmp_path / "store.sqlite")
    run(capsys, "store", "import", "ktab-soe-policy", "--db", db)
    rows = run(capsys, "store", "list", "--db", db)
    assert has_row(rows, "ktab-soe-policy")
    assert any(row[0] == "ktab-soe-policy" and row[2:5] == ["26", "1", "1"] for row in rows)
