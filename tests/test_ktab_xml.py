"""Reading KTAB's XML scenarios: the scenario, the run settings, and every broken rule with its line."""

from __future__ import annotations

import pytest

import stakes
from stakes.errors import ScenarioError
from stakes.scenario.ktab_xml import ktab_xml_settings, read_ktab_xml
from tests.conftest import shared_path

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<Scenario>
  <name>Tiny</name>
  <desc>Three actors, two dimensions</desc>
  <prngSeed>00000000000000000042</prngSeed>
  <ModelParameters>
    <VictoryProbModel>Square</VictoryProbModel>
    <PCEModel>MarkovUniform</PCEModel>
    <StateTransitions>Stochastic</StateTransitions>
    <VotingRule>Proportional</VotingRule>
    <BigRAdjust>No</BigRAdjust>
    <BigRRange>Max</BigRRange>
    <ThirdPartyCommit>FullCommit</ThirdPartyCommit>
    <InterVecBrgn>S1P1</InterVecBrgn>
    <BargnModel>PWCompInterp</BargnModel>
  </ModelParameters>
  <Dimensions>
    <dName>Tax Position</dName>
    <dName>Spending</dName>
  </Dimensions>
  <Actors>
    <Actor>
      <name>A</name>
      <description>First</description>
      <capability>50</capability>
      <Position><dCoord>10</dCoord><dCoord>20</dCoord></Position>
      <Salience><dSal>30</dSal><dSal>40</dSal></Salience>
    </Actor>
    <Actor>
      <name>B</name>
      <description>Second</description>
      <capability>25.5</capability>
      <Position><dCoord>60</dCoord><dCoord>70</dCoord></Position>
      <Salience><dSal>43.31</dSal><dSal>10</dSal></Salience>
    </Actor>
    <Actor>
      <name>C</name>
      <description>Third</description>
      <capability>75</capability>
      <Position><dCoord>90</dCoord><dCoord>5</dCoord></Position>
      <Salience><dSal>50</dSal><dSal>50</dSal></Salience>
    </Actor>
  </Actors>
  <IdealAdjustment>
    <iaPair><adjustingIdeal>A</adjustingIdeal><referencePos>A</referencePos><adjust>0.6</adjust></iaPair>
    <iaPair><adjustingIdeal>A</adjustingIdeal><referencePos>B</referencePos><adjust>0.3</adjust></iaPair>
  </IdealAdjustment>
</Scenario>
"""


def _line(text: str, fragment: str, nth: int = 1) -> int:
    """The line of the nth line containing ``fragment``."""
    return [k for k, line in enumerate(text.splitlines(), start=1) if fragment in line][nth - 1]


def _problems(text: str) -> list:
    with pytest.raises(ScenarioError) as caught:
        read_ktab_xml(text, "tiny.xml")
    return caught.value.problems


def test_reads_the_scenario_as_the_ktab_csv_reader_does():
    sc = read_ktab_xml(TEMPLATE, "tiny.xml")
    assert sc.title == "Tiny" and sc.description == "Three actors, two dimensions"
    assert [(i.id, i.name, i.scale) for i in sc.issues] == [("tax", "Tax", (0.0, 100.0)),
                                                             ("spending", "Spending", (0.0, 100.0))]
    b = sc.actor("B")
    assert (b.kind, b.description, b.capability.value) == ("other", "Second", 25.5)
    assert b.stances["tax"].position.value == 60 and b.stances["tax"].salience.value == 0.4331
    assert "PRNG seed 00000000000000000042" in sc.notes and "0.3 toward B" in sc.notes


def test_settings_are_the_spatial_models_arguments():
    settings = ktab_xml_settings(TEMPLATE, "tiny.xml")
    assert settings.seed == 42
    assert settings.model_params == {
        "victory_prob_model": "Square", "pce_model": "MarkovUniform", "state_transitions": "Stochastic",
        "voting_rule": "Prop", "big_r_adjust": "None", "big_r_range": "Max", "third_party_commit": "FullCommit",
        "inter_vec_brgn": "S1P1", "bargain_model": "PWCompInterp", "accommodation": {"A": {"A": 0.6, "B": 0.3}}}
    model = stakes.models.make_model("smp", **settings.model_params)
    fc = stakes.forecast(read_ktab_xml(TEMPLATE, "tiny.xml"), model, seed=1)
    assert set(fc.outcomes) == {"tax", "spending"}


def test_without_model_parameters_ktab_defaults_hold():
    start, end = TEMPLATE.index("  <ModelParameters>"), TEMPLATE.index("  <Dimensions>")
    settings = ktab_xml_settings(TEMPLATE[:start] + TEMPLATE[end:], "tiny.xml")
    assert set(settings.model_params) == {"accommodation"}


@pytest.mark.parametrize(("old", "new", "at", "rule"), [
    ("<capability>50</capability>", "<capability>fifty</capability>", "fifty", "is not a number"),
    ("<capability>50</capability>", "<capability></capability>", "<capability></capability>", "is empty"),
    ("<capability>50</capability>", "<capability>0</capability>", "<capability>0<", "must be above 0"),
    ("<dSal>30</dSal>", "<dSal>130</dSal>", "<dSal>130", "must lie in [0, 100]"),
    ("<dSal>50</dSal><dSal>50</dSal>", "<dSal>50</dSal><dSal>60</dSal>", "<dSal>60", "sum to 110"),
    ("<dCoord>10</dCoord>", "<dCoord>150</dCoord>", "<dCoord>150", "position must lie in [0, 100]"),
    ("<dCoord>10</dCoord><dCoord>20</dCoord>", "<dCoord>10</dCoord>", "<dCoord>10</dCoord></Position>",
     "has 1 <dCoord>, but there are 2 dimensions"),
    ("<name>B</name>", "<name>Big B</name>", "Big B", "is not a valid actor id"),
    ("<name>B</name>", "<name>A</name>", ("<name>A</name>", 2), "duplicate actor name (first on line 23)"),
    ("<VotingRule>Proportional</VotingRule>", "<VotingRule>Majority</VotingRule>", "Majority",
     "is not one of KTAB's options"),
    ("<referencePos>B</referencePos>", "<referencePos>Z</referencePos>", "<referencePos>Z", "names no actor"),
    ("<adjust>0.3</adjust>", "<adjust>1.3</adjust>", "<adjust>1.3", "must lie in [0, 1]"),
    ("<adjust>0.3</adjust>", "<adjust>0.5</adjust>", "<iaPair>", "sum to 1.1"),
    ("<prngSeed>00000000000000000042</prngSeed>", "<prngSeed>-4</prngSeed>", "<prngSeed>", "whole number"),
    ("    <dName>Spending</dName>\n", "", "<Position><dCoord>10", "but there are 1 dimensions"),
])
def test_each_broken_rule_names_its_line_and_fix(old, new, at, rule):
    assert old in TEMPLATE
    text = TEMPLATE.replace(old, new, 1)
    line = _line(text, *at) if isinstance(at, tuple) else _line(text, at)
    problems = _problems(text)
    assert any(rule in p.rule and p.line == line and p.file == "tiny.xml" and p.fix for p in problems), problems


@pytest.mark.parametrize(("text", "rule"), [
    ("<Scenario><name>x</name>", "not well-formed XML"),
    ('<?xml version="1.0"?>\n<!DOCTYPE Scenario [<!ENTITY big "x">]>\n<Scenario/>',
     "document type declaration"),
    ("<Model><name>x</name></Model>", "root element is not <Scenario>"),
    ("<Scenario><name>x</name><Actors/></Scenario>", "has no <Dimensions>"),
])
def test_documents_that_are_not_ktab_scenarios_are_refused(text, rule):
    problems = _problems(text)
    assert any(rule in p.rule for p in problems), problems


def test_every_problem_is_reported_at_once():
    text = TEMPLATE.replace("<capability>50</capability>", "<capability>x</capability>").replace(
        "<dSal>10</dSal>", "<dSal>-1</dSal>")
    assert len(_problems(text)) == 2


def test_load_dispatches_xml_files(tmp_path):
    path = tmp_path / "tiny.xml"
    path.write_text(TEMPLATE, encoding="utf-8")
    sc = stakes.load(path)
    assert sc == stakes.loads(TEMPLATE, fmt="ktab-xml", file=str(path))
    with pytest.raises(ScenarioError, match="does not write it"):
        stakes.dumps(sc, "ktab-xml")


def test_ktab_sample_files():
    """dummyData_3Dim.xml reads as its CSV twin does; smpExample.xml's blanked coordinate is caught."""
    folder = ("data", "ktab")
    xml = read_ktab_xml(shared_path(*folder, "dummyData_3Dim.xml").read_text(encoding="utf-8-sig"), "d.xml")
    csv = stakes.load(shared_path(*folder, "dummyData_3Dim.csv"))
    assert (xml.title, xml.description, xml.issues, xml.actors) == (csv.title, csv.description, csv.issues,
                                                                    csv.actors)
    path = shared_path(*folder, "smpExample.xml")
    with pytest.raises(ScenarioError) as caught:
        stakes.load(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.field, problem.rule) == (32, "Alice", "<dCoord> is empty")
