"""Untrusted text never drives the terminal: control, escape and bidi characters in names, titles,
bases and stored entries are shown as visible escapes by every command that prints them."""

from __future__ import annotations

import re

import pytest

from stakes.cli import main
from stakes.cli.text import printable, safe
from tests.conftest import DATA

CLEAR = "\x1b[2J"  # clears the screen
RETITLE = "\x1b]0;owned\x07"  # sets the window title (OSC ... BEL)
RIGHT_TO_LEFT = "\u202e"  # reverses the text after it
ISOLATE = "\u2066"
C1 = "\x9b"  # CSI in one byte
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def hostile(text: str) -> str:
    """``text`` with every kind of dangerous character in it."""
    return f"{CLEAR}{text}{RETITLE}{RIGHT_TO_LEFT}{ISOLATE}{C1}\r"


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (YAML escapes for the control characters)."""
    return '"' + text.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


@pytest.fixture()
def scenario(tmp_path):
    text = (DATA / "harbour.yaml").read_text(encoding="utf-8")
    for old in ("Harbour fees (a small invented test scenario)", "City council", "Harbour fee level",
                "sets the fee by ordinance", "Opening hours"):
        text = text.replace(old, quoted(hostile(old)), 1)
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys, *args) -> str:
    try:
        main([str(a) for a in args])
    except SystemExit:
        pass
    out = capsys.readouterr()
    return out.out + out.err


def assert_neutralised(output: str) -> None:
    assert not RAW.search(output), repr(RAW.search(output).group())
    assert "\\x1b[2J" in output or "\\x1b" in output  # shown, not obeyed


def test_printable_shows_every_control_and_bidi_character():
    assert printable(hostile("x")) == "\\x1b[2Jx\\x1b]0;owned\\x07\\u202e\\u2066\\x9b\\x0d"
    assert printable("tabs\tand\nnewlines stay, ümlauts and אב too") == "tabs\tand\nnewlines stay, ümlauts and אב too"
    assert safe("[bold]x\x1b") == "\\[bold]x\\x1b"


@pytest.mark.parametrize("command", [["show", "--evidence"], ["forecast", "-m", "mean", "-m", "bdm"],
                                     ["sensitivity", "-m", "mean"], ["montecarlo", "-m", "mean", "--draws", "10"]])
def test_scenario_text_is_neutralised(command, scenario, capsys):
    output = run(capsys, command[0], scenario, *command[1:])
    assert "Harbour fees" in output
    assert_neutralised(output)


def test_store_list_and_history_neutralise_stored_text(scenario, tmp_path, capsys):
    db = tmp_path / "store.sqlite"
    run(capsys, "store", "import", scenario, "--db", db, "--author", hostile("mallory"))
    for args in (["store", "list", "--db", db], ["store", "history", "hostile", "--db", db]):
        output = run(capsys, *args)
        assert_neutralised(output)
        assert "mallory" in output


def test_validate_errors_neutralise_the_offending_text(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    text = (DATA / "harbour.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("notes:", f"{quoted(hostile('titel'))}: x\nnotes:", 1), encoding="utf-8")
    output = run(capsys, "validate", bad)
    assert "unknown field" in output
    assert_neutralised(output)
    output = run(capsys, "forecast", hostile("rafah"))  # an unknown name is echoed back in the error
    assert "no such file" in output
    assert_neutralised(output)


def test_whatif_titles_are_neutralised(scenario, tmp_path, capsys):
    whatifs = tmp_path / "w.yaml"
    whatifs.write_text(f"whatifs:\n  - id: w1\n    title: {quoted(hostile('council halves'))}\n"
                       "    changes: [council.capability *= 0.5]\n", encoding="utf-8")
    output = run(capsys, "whatif", scenario, "-w", whatifs, "-m", "mean", "--draws", "10")
    assert "halves" in output
    assert_neutralised(output)
