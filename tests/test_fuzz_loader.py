"""Untrusted input never crashes the loader: anything that is not a valid scenario is a ScenarioError."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stakes
from stakes.errors import ScenarioError
from stakes.scenario import schema

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORMATS = ("yaml", "json", "csv", "ktab-csv")

VALID = """\
stakes: 1
title: Border talks
sources:
  - {id: report, title: A field report}
issues:
  - {id: border, name: Border crossing, low: closed, high: open, scale: [0, 100]}
actors:
  - id: alpha
    name: Alpha
    kind: state
    capability: {value: 0.6, range: [0.5, 0.7], source: report}
    stances:
      border: {position: 20, salience: 0.8, risk: 0.2}
  - id: beta
    name: Beta
    kind: government
    capability: 0.4
    stances:
      border: {position: 80, salience: 0.5}
"""
VALID_CSV = "Actor,Capability,Position,Salience\nAlpha,0.6,20,80\nBeta,0.4,80,50\n"


def survives(text: str, fmt: str) -> None:
    """Loading either gives a scenario or raises ScenarioError; any other exception fails the test."""
    try:
        scenario = stakes.loads(text, fmt=fmt)
    except ScenarioError as error:
        assert error.problems and str(error) and error.report()
    else:
        assert isinstance(scenario, stakes.Scenario)


def test_the_seeds_are_valid() -> None:
    assert stakes.loads(VALID).title == "Border talks"
    assert len(stakes.loads(VALID_CSV, fmt="csv").actors) == 2


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from([".yaml", ".json", ".csv"]))
def test_random_bytes_in_a_file(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"scenario{suffix}"
        path.write_bytes(data)
        try:
            stakes.load(path)
        except ScenarioError:
            pass


@SETTINGS
@given(st.text(max_size=300), st.sampled_from(FORMATS))
def test_random_text(text: str, fmt: str) -> None:
    survives(text, fmt)


FIELDS = ["stakes", "title", "issues", "actors", "id", "position", "salience", "value", "range"]
plain = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
         | st.sampled_from(FIELDS))
documents = st.recursive(plain, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(st.text(max_size=8) | plain.filter(lambda k: k is not None
                                                                            and not isinstance(k, float)),
                                           inner, max_size=4), max_leaves=20)


@SETTINGS
@given(documents)
def test_random_structures(document: object) -> None:
    survives(yaml.safe_dump(document), "yaml")
    survives(json.dumps(document), "json")


def places(node: object, path: tuple = ()) -> list[tuple]:
    """The path of every value inside a document."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    return [path] + [p for key, child in items for p in places(child, path + (key,))]


VALID_DATA = schema.to_data(stakes.loads(VALID))


@SETTINGS
@given(st.data())
def test_a_valid_scenario_with_one_value_replaced(data: st.DataObject) -> None:
    document = copy.deepcopy(VALID_DATA)
    *parents, last = data.draw(st.sampled_from(places(document)[1:]))
    target = document
    for key in parents:
        target = target[key]
    target[last] = data.draw(documents)
    survives(yaml.safe_dump(document), "yaml")
    survives(json.dumps(document), "json")


SNIPPETS = [":", "-", "[", "{", "&a", "*a", "!!binary", "\t", "'", '"', ",", "\n", "<<: *a", "1e999"]


@SETTINGS
@given(st.data(), st.sampled_from([(VALID, "yaml"), (VALID_CSV, "csv")]))
def test_mutated_text_of_a_valid_file(data: st.DataObject, seed: tuple[str, str]) -> None:
    """Delete, insert, duplicate or swap pieces of a valid file's text."""
    text, fmt = seed
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["delete", "insert", "duplicate", "swap"]))
        if action == "delete":
            text = text[:at] + text[at + data.draw(st.integers(1, 20)):]
        elif action == "insert":
            text = text[:at] + data.draw(st.text(max_size=10) | st.sampled_from(SNIPPETS)) + text[at:]
        else:
            lines = text.split("\n")
            i, j = (data.draw(st.integers(0, len(lines) - 1)) for _ in range(2))
            if action == "duplicate":
                lines.insert(i, lines[j])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    survives(text, fmt)


def bomb(depth: int, width: int) -> str:
    """The "billion laughs": each level repeats the previous one `width` times by alias."""
    lines = ["a0: &a0 [lol]"]
    for level in range(1, depth):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly() -> None:
    with pytest.raises(ScenarioError, match="more than") as info:
        stakes.loads(bomb(depth=10, width=10))
    assert "alias" in info.value.problems[0].fix


@pytest.mark.parametrize("text", [
    "a: &x [*x]\n",
    "a: &x {b: *x}\n",
    "a: &x {<<: *x}\n",
    "&x [*x, *x]\n",
])
def test_recursive_aliases(text: str) -> None:
    with pytest.raises(ScenarioError):
        stakes.loads(text)


HOSTILE = {
    "deep YAML": ("[" * 600 + "]" * 600, "yaml"),
    "deep JSON": ("[" * 50_000 + "]" * 50_000, "json"),
    "JSON integer too long for Python": ('{"title": ' + "9" * 5000 + "}", "json"),
    "merge key naming no mapping": ("a: 1\n<<: 5\n", "yaml"),
    "python object tag": ("title: !!python/object/apply:os.system [echo]\n", "yaml"),
    "binary where text belongs": ("title: !!binary aGk=\n", "yaml"),
    "a list as a key": ("? [1, 2]\n: x\n", "yaml"),
    "a timestamp as a key": ("2024-01-01: x\n", "yaml"),
}


@pytest.mark.parametrize("text, fmt", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_documents(text: str, fmt: str) -> None:
    with pytest.raises(ScenarioError):
        stakes.loads(text, fmt=fmt)


def test_huge_number_is_reported_not_overflowed() -> None:
    text = VALID.replace("capability: 0.4", "capability: 1" + "0" * 400)
    with pytest.raises(ScenarioError) as info:
        stakes.loads(text)
    (problem,) = info.value.problems
    assert problem.field == "actors[1].capability" and "finite" in problem.rule
