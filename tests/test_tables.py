"""The CSV layouts: KTAB's input files and the Actor/Capability/Position/Salience table."""

from __future__ import annotations

from pathlib import Path

import pytest

import stakes
from stakes.errors import Problem, ScenarioError
from stakes.scenario import tables
from tests.conftest import shared_path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
KTAB = SHARED / "ktab"
EU_CSV = SHARED / "bdm" / "eu_emissions.csv"
needs_shared = pytest.mark.usefixtures("shared_data")


@pytest.fixture
def shared_data() -> Path:
    return shared_path("data")

KTAB_FILES = {  # file: (actors, dimensions)
    "SOE-Policy.csv": (26, 1),
    "SOE-Competitive.csv": (34, 1),
    "SOE-Pol-Comp.csv": (13, 2),
    "dummyData_3Dim.csv": (7, 3),
    "dummyData_6Dim.csv": (27, 6),
    "dummyData-a040.csv": (40, 1),
    "dummyData-a080.csv": (80, 1),
    "dummyData-a160.csv": (160, 1),
}

TABLE = """Actor,Capability,Position,Salience
Alpha,0.5,10,40
Beta,0.3,30,80
Gamma,0.2,70,100
"""

KTAB_TEXT = """Test scenario,A test,3,2,
Actor,Description,Power,Trade Position,Trade Salience,Border Position,Border Salience,
A1,First actor,100,30,20,40,50,
A2,Second actor,60,45,40,10,10,
A3,,10,90,60,80,30,
"""


def fails(text: str, layout: str | None = None) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        tables.read_csv_text(text, file="in.csv", layout=layout)
    assert all(p.file == "in.csv" for p in info.value.problems)
    return info.value.problems


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def stance(scenario: stakes.Scenario, actor: str, issue: str) -> tuple[float, float]:
    s = scenario.actor(actor).stances[issue]
    return s.position.value, s.salience.value


# --- the KTAB files KTAB itself ships ---------------------------------------------------------------

@needs_shared
@pytest.mark.parametrize("name", sorted(KTAB_FILES))
def test_reads_every_ktab_file(name: str) -> None:
    text = (KTAB / name).read_text()
    assert tables.detect_layout(text) == "ktab"
    scenario = stakes.load(KTAB / name)
    n_actors, n_dims = KTAB_FILES[name]
    assert len(scenario.actors) == n_actors
    assert len(scenario.issues) == n_dims
    for issue in scenario.issues:
        assert issue.scale == (0.0, 100.0)
        assert "KTAB" in issue.low and "KTAB" in issue.high
    for actor in scenario.actors:
        assert actor.kind == "other" and actor.name == actor.id
        assert set(actor.stances) == {i.id for i in scenario.issues}


@needs_shared
def test_ktab_values() -> None:
    policy = stakes.load(KTAB / "SOE-Policy.csv")
    assert policy.title == "China Policy; scen 0"
    assert policy.description.startswith("Scenario-000; Appetite for reforming")
    assert [i.id for i in policy.issues] == ["policy"] and policy.issues[0].name == "Policy"
    xj = policy.actor("XJ")
    assert xj.description == "Xi Jinping" and xj.capability.value == 100
    assert stance(policy, "XJ", "policy") == (30, 0.3)
    assert policy.actor("ZD").description == "Zhou Dadi - Former NEA; still influential adviser"

    both = stakes.load(KTAB / "SOE-Pol-Comp.csv")
    assert [i.id for i in both.issues] == ["policy", "competitive"]
    assert both.actor("LK").capability.value == 60.2
    assert stance(both, "LK", "policy") == (45, 0.447)
    assert stance(both, "LK", "competitive") == (65, 0.413)

    three = stakes.load(KTAB / "dummyData_3Dim.csv")
    assert [i.id for i in three.issues] == ["pstn1", "pstn2", "pstn3"]
    assert three.actor("SActor-00").capability.value == 102.543
    assert stance(three, "SActor-00", "pstn2") == (6.37, 0.0591)

    six = stakes.load(KTAB / "dummyData_6Dim.csv")  # CRLF endings, extra fields on line 1
    assert [i.id for i in six.issues] == [f"dim{d}" for d in range(6)]
    assert stance(six, "AA26", "dim0") == (0, 0.2666)

    big = stakes.load(KTAB / "dummyData-a160.csv")
    assert big.actors[-1].id == "Act-1160"
    assert stance(big, "Act-1160", "xyz") == (48.46, 0.26)


@needs_shared
@pytest.mark.parametrize("name", sorted(KTAB_FILES))
def test_ktab_files_survive_writing_and_rereading(name: str) -> None:
    original = stakes.load(KTAB / name)
    again = tables.read_csv_text(tables.write_csv_text(original, "ktab"), file="again.csv", layout="ktab")
    assert again.title == original.title and again.description == original.description
    assert [(i.id, i.name) for i in again.issues] == [(i.id, i.name) for i in original.issues]
    assert again.actors == original.actors


@needs_shared
def test_bundled_ktab_scenario_keeps_ktabs_numbers() -> None:
    source = stakes.load(KTAB / "SOE-Policy.csv")
    bundled = stakes.load("ktab-soe-policy")
    assert [a.id for a in bundled.actors] == [a.id for a in source.actors]
    for mine, theirs in zip(bundled.actors, source.actors, strict=True):
        assert mine.capability.value == theirs.capability.value and mine.capability.source == "ktab"
        assert stance(bundled, mine.id, "policy") == stance(source, theirs.id, "policy")
        assert mine.description == theirs.description


# --- the Actor/Capability/Position/Salience table ---------------------------------------------------

@needs_shared
def test_reads_eu_emissions_table() -> None:
    text = EU_CSV.read_text()
    assert tables.detect_layout(text) == "table"
    scenario = stakes.load(EU_CSV)
    assert [a.id for a in scenario.actors][:3] == ["netherlands", "belgium", "luxembourg"]
    assert len(scenario.actors) == 10 and len(scenario.issues) == 1
    issue = scenario.issues[0]
    assert issue.scale == (4.0, 10.0)
    uk = scenario.actor("uk")
    assert uk.name == "UK" and uk.capability.value == 0.16
    assert stance(scenario, "uk", "issue") == (10, 0.9)
    assert tables.write_csv_text(scenario, "table") == text  # the same file, byte for byte


@needs_shared
def test_bundled_eu_scenario_matches_the_published_table() -> None:
    table = stakes.load(EU_CSV).issue_data("issue")
    bundled = stakes.load("eu-emissions").issue_data("emissions")
    assert bundled.issue.scale == (4.0, 10.0)
    assert list(bundled.position) == list(table.position)
    assert list(bundled.salience) == list(table.salience)
    assert list(bundled.capability) == list(table.capability)


def test_table_header_is_case_and_space_tolerant() -> None:
    scenario = tables.read_csv_text(" actor , CAPABILITY,position ,  Salience\nA b,1,0,50\nC,2,10,25\n",
                                    file="t.csv", layout=None)
    assert [a.id for a in scenario.actors] == ["a_b", "c"]
    assert scenario.actor("a_b").name == "A b"
    assert stance(scenario, "c", "issue") == (10, 0.25)


def test_table_scale_runs_from_lowest_to_highest_position() -> None:
    scenario = stakes.loads(TABLE, fmt="csv", file="t.csv")
    assert scenario.title == "t"
    assert scenario.issues[0].scale == (10.0, 70.0)
    assert scenario.issues[0].low.startswith("10") and scenario.issues[0].high.startswith("70")


def test_table_with_issue_column_holds_several_issues() -> None:
    text = ("Actor,Issue,Capability,Position,Salience\n"
            "Alpha,Trade,0.5,10,40\nAlpha,Border,0.5,5,90\nBeta,Trade,0.3,30,80\nBeta,Border,0.3,1,20\n"
            "Gamma,Trade,0.2,70,100\n")
    scenario = stakes.loads(text, fmt="csv")
    assert [(i.id, i.name, i.scale) for i in scenario.issues] == [
        ("trade", "Trade", (10.0, 70.0)), ("border", "Border", (1.0, 5.0))]
    assert set(scenario.actor("gamma").stances) == {"trade"}
    assert stance(scenario, "alpha", "border") == (5, 0.9)
    written = tables.write_csv_text(scenario, "table")
    assert written.splitlines()[0] == "Actor,Issue,Capability,Position,Salience"
    assert stakes.loads(written, fmt="csv").actors == scenario.actors


def test_ktab_text_reads_writes_and_rereads() -> None:
    scenario = stakes.loads(KTAB_TEXT, fmt="ktab-csv")
    assert [i.id for i in scenario.issues] == ["trade", "border"]
    assert scenario.actor("A3").description is None
    assert stance(scenario, "A2", "border") == (10, 0.1)
    written = tables.write_csv_text(scenario, "ktab")
    assert written.splitlines()[1] == ("Actor,Description,Power,Trade Position,Trade Salience,"
                                       "Border Position,Border Salience")
    assert tables.read_csv_text(written, "w.csv", None).actors == scenario.actors


def test_ktab_writing_keeps_text_on_one_line_and_escapes_quotes() -> None:
    scenario = stakes.loads(KTAB_TEXT, fmt="ktab-csv")
    first = scenario.actors[0]
    odd = first.__class__(**{**vars(first), "description": 'Says "no",\n  often'})
    scenario = scenario.__class__(**{**vars(scenario), "actors": (odd,) + scenario.actors[1:]})
    written = tables.write_csv_text(scenario, "ktab")
    assert len(written.splitlines()) == 5
    assert '"Says &quot;no&quot;, often"' in written
    assert stakes.loads(written, fmt="csv").actors[0].description == 'Says "no", often'


def test_layout_detection() -> None:
    assert tables.detect_layout(TABLE) == "table"
    assert tables.detect_layout(KTAB_TEXT) == "ktab"
    assert stakes.loads("\ufeff" + TABLE.replace("\n", "\r\n"), fmt="csv").actors == \
        stakes.loads(TABLE, fmt="csv").actors


def test_convert_between_formats_by_extension(tmp_path: Path) -> None:
    yaml_path = tmp_path / "s.yaml"
    stakes.save(stakes.loads(KTAB_TEXT, fmt="csv"), yaml_path)
    stakes.save(stakes.load(yaml_path), tmp_path / "table.csv")
    stakes.save(stakes.load(yaml_path), tmp_path / "ktab.csv", fmt="ktab-csv")
    assert (tmp_path / "table.csv").read_text().startswith("Actor,Issue,Capability")
    assert tables.detect_layout((tmp_path / "ktab.csv").read_text()) == "ktab"
    assert stakes.load(tmp_path / "ktab.csv").actors == stakes.load(yaml_path).actors
    assert stakes.load(tmp_path / "ktab.csv", fmt="ktab-csv").actors == stakes.load(yaml_path).actors


# --- errors, with the CSV's own line numbers and column names --------------------------------------

@pytest.mark.parametrize("text, line, field, rule, fix", [
    (TABLE.replace("0.3,30", "lots,30"), 3, "Capability", "not a number", "plain number"),
    (TABLE.replace("0.3,30", ",30"), 3, "Capability", "empty", "write a number"),
    (TABLE.replace("0.3,30", "-1,30"), 3, "Capability", "at least 0", "never clipped"),
    (TABLE.replace("30,80", "30,120"), 3, "Salience", "[0, 100]", "never clipped"),
    (TABLE.replace("30,80", "nan,80"), 3, "Position", "finite", "real number"),
    (TABLE.replace("Beta,0.3,30,80", "Beta,0.3,30"), 3, "<row>", "3 value(s), expected 4", "one value"),
    (TABLE.replace("Gamma", "BETA"), 4, "Actor", "duplicate actor (first on line 3)", "one row"),
    (TABLE.replace("Gamma", "!!"), 4, "Actor", "no usable actor id", "letters or digits"),
    (TABLE.replace("Salience", "Salince"), 1, "Salince", "unknown column", "did you mean `Salience`?"),
    (TABLE.replace("Salience", "Salience,Notes"), 1, "Notes", "unknown column", "YAML format"),
    (TABLE.replace("Salience", "Position"), 1, "Position", "twice", "only one"),
    ("Actor,Capability,Position\nA,1,2\n", 1, "Salience", "missing", "Actor,Capability,Position,Salience"),
    ("Actor,Capability,Position,Salience\n", 1, "<rows>", "no actor rows", "one row per actor"),
    ("Actor,Capability,Position,Salience\n\nA,1,5,50\nB,2,5,60\n", 3, "Position", "same position",
     "scale:"),
])
def test_table_errors(text: str, line: int, field: str, rule: str, fix: str) -> None:
    problem = only([p for p in fails(text) if p.field == field])
    assert (problem.line, problem.field) == (line, field)
    assert rule in problem.rule and fix in problem.fix


def test_table_row_with_extra_value() -> None:
    problem = only(fails(TABLE.replace("30,80", "30,80,9")))
    assert (problem.line, problem.field) == (3, "<row>") and "5 value(s), expected 4" in problem.rule


def test_table_capability_must_agree_across_issues() -> None:
    text = "Actor,Issue,Capability,Position,Salience\nA,X,1,0,50\nA,Y,2,5,50\nB,X,1,9,50\nB,Y,1,1,1\n"
    problem = only(fails(text))
    assert (problem.line, problem.field, problem.value) == (3, "Capability", 2.0)
    assert "line 2" in problem.rule and "same capability" in problem.fix
    duplicate = only(fails(text.replace("A,Y,2", "A,X,1")))
    assert duplicate.line == 3 and "(A, X)" in duplicate.rule


@pytest.mark.parametrize("text, line, field, rule", [
    (KTAB_TEXT.replace(",3,2,", ",4,2,"), 1, "#actors", "lists 3 actor row(s)"),
    (KTAB_TEXT.replace(",3,2,", ",two,2,"), 1, "#actors", "whole number"),
    (KTAB_TEXT.replace(",3,2,", ",3,3,"), 2, "<header>", "need 9"),
    (KTAB_TEXT.replace("A2,Second actor,60,45", "A2,Second actor,60,145"), 4, "Trade Position", "[0, 100]"),
    (KTAB_TEXT.replace("40,10,10,", "40,10,101,"), 4, "Border Salience", "[0, 100]"),
    (KTAB_TEXT.replace("A2,Second actor,60", "A2,Second actor,x"), 4, "Power", "not a number"),
    (KTAB_TEXT.replace("A3,", "A1,"), 5, "Actor", "duplicate actor id (first on line 3)"),
    (KTAB_TEXT.replace("A3,", "A 3,"), 5, "Actor", "not a valid actor id"),
    (KTAB_TEXT.replace("A3,,10,90,60,80,30,", "A3,,10,90,60,80,"), 5, "<row>", "6 value(s), expected 7"),
    (KTAB_TEXT.replace("40,50,", "40,90,"), 3, "<row>", "add up to 110; KTAB allows at most 100"),
    ("Only two,fields\n", 1, "<first line>", "KTAB's has 4"),
    ("name,desc,3,1\n", 1, "<header>", "missing"),
])
def test_ktab_errors(text: str, line: int, field: str, rule: str) -> None:
    problem = only(fails(text, layout="ktab"))
    assert (problem.line, problem.field) == (line, field)
    assert rule in problem.rule and problem.fix


def test_every_problem_in_a_file_is_reported() -> None:
    text = KTAB_TEXT.replace("A1,First actor,100,30", "A1,First actor,100,300").replace(
        "A2,Second actor,60,45,40", "A2,Second actor,60,45,x")
    problems = fails(text)
    assert [(p.line, p.field) for p in problems] == [(3, "Trade Position"), (4, "Trade Salience")]


@pytest.mark.parametrize("text", ["", "\n\n", " , ,\n"])
def test_empty_file(text: str) -> None:
    problem = only(fails(text))
    assert "empty" in problem.rule and "Actor,Capability,Position,Salience" in problem.fix


def test_unreadable_csv_and_unknown_layout() -> None:
    problem = only(fails('Actor,Capability,Position,Salience\n"' + "x" * 200_000))
    assert "not readable as CSV" in problem.rule and problem.line is not None
    assert only(fails(TABLE, layout="excel")).value == "excel"


def test_line_numbers_count_blank_lines() -> None:
    problem = only(fails("Actor,Capability,Position,Salience\n\n\nA,1,x,50\nB,1,2,50\n"))
    assert (problem.line, problem.field) == (4, "Position")


# --- what cannot be written -------------------------------------------------------------------------

def write_fails(scenario: stakes.Scenario, layout: str) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        tables.write_csv_text(scenario, layout)
    return info.value.problems


def test_ktab_needs_the_0_100_scale() -> None:
    problem = only(write_fails(stakes.loads(TABLE, fmt="csv"), "ktab"))
    assert problem.field == "issues[0].scale" and problem.value == [10.0, 70.0]
    assert "0–100" in problem.rule and "scale: [0, 100]" in problem.fix


def test_ktab_needs_every_stance_saliences_within_100_and_three_actors() -> None:
    scenario = stakes.loads(KTAB_TEXT, fmt="csv")
    a1, a2, a3 = scenario.actors
    no_border = a2.__class__(**{**vars(a2), "stances": {"trade": a2.stances["trade"]}})
    loud = a3.stances["trade"].__class__(a3.stances["trade"].position,
                                         a3.stances["trade"].salience.with_value(0.9))
    too_much = a3.__class__(**{**vars(a3), "stances": {**a3.stances, "trade": loud}})
    odd = scenario.__class__(**{**vars(scenario), "actors": (a1, no_border, too_much)})
    problems = write_fails(odd, "ktab")
    assert [p.field for p in problems] == ["actors[1].stances", "actors[2].stances"]
    assert "no stance on border" in problems[0].rule
    assert "120%" in problems[1].rule and "sum to at most 1" in problems[1].fix
    two = scenario.__class__(**{**vars(scenario), "actors": (a1, a3)})
    assert "3 to 250 actors" in only(write_fails(two, "ktab")).rule


def test_table_needs_distinct_names_and_a_stance_per_actor() -> None:
    scenario = stakes.loads(TABLE, fmt="csv")
    alpha, beta, gamma = scenario.actors
    clash = beta.__class__(**{**vars(beta), "name": "ALPHA"})
    silent = gamma.__class__(**{**vars(gamma), "stances": {}})
    problems = write_fails(scenario.__class__(**{**vars(scenario), "actors": (alpha, clash, silent)}),
                           "table")
    assert [p.field for p in problems] == ["actors[1].name", "actors[2].stances"]
    assert "same actor id as actors[0]" in problems[0].rule
    assert only(write_fails(scenario, "excel")).value == "excel"
