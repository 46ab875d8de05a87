"""Every command against paths it cannot use: one line saying what, where and how to fix it, a
non-zero exit, no traceback, and nothing half-written.

Each output path (``-o``, ``--charts``, ``corpus export FOLDER``, ``--db``) is tried as a missing
folder, a folder where a file is expected, a file where a folder is expected, a place without
permission, and a full disk (simulated in the process, and for real with ``/dev/full``).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from stakes import files
from stakes.cli import main
from tests.conftest import DATA
from tests.uncertain import HARBOUR

ROOT = os.geteuid() == 0


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``stakes ARGS`` in this process as the console entry point does; exit code, stdout, stderr."""
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_one_line_error(code: int, out: str, err: str, *names: str) -> str:
    assert code != 0
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error:"), err
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file under ``folder`` with its bytes (folders as None): what a failed command must not change."""
    return {str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes() for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A scenario with ranges, an article, a corpus holding it, and a store holding the scenario."""
    folder = tmp_path_factory.mktemp("inputs")
    scenario = folder / "harbour.yaml"
    scenario.write_text(HARBOUR, encoding="utf-8")
    article = folder / "article.txt"
    article.write_text("Egypt warned that an assault on Rafah would endanger the peace treaty, and Egyptian "
                       "officials pressed for a ceasefire. Hamas rejected any deal that does not ensure an Israeli "
                       "withdrawal.\n", encoding="utf-8")
    corpus, store = folder / "corpus.sqlite", folder / "store.sqlite"
    for args in (["corpus", "add", article, "--db", corpus], ["store", "import", scenario, "--db", store]):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            assert not exc.code
    return {"scenario": str(scenario), "article": str(article), "corpus": str(corpus), "store": str(store)}


# Commands that write one file: the arguments, ending with the output path ({out} and an extension).
FILE_WRITERS = {
    "convert": ["convert", "{scenario}", "{out}.yaml"],
    "report": ["report", "{scenario}", "-m", "mean", "--draws", "5", "--no-sensitivity", "-o", "{out}.html"],
    "report-md": ["report", "{scenario}", "-m", "mean", "--draws", "5", "--no-sensitivity", "-o", "{out}.md"],
    "montecarlo": ["montecarlo", "{scenario}", "-m", "mean", "--draws", "5", "-o", "{out}.csv"],
    "montecarlo-parquet": ["montecarlo", "{scenario}", "-m", "mean", "--draws", "5", "-o", "{out}.parquet"],
    "whatif": ["whatif", "{scenario}", "-m", "mean", "--draws", "5", "-c", "council.capability *= 2", "-o",
               "{out}.json"],
    "sensitivity": ["sensitivity", "{scenario}", "-m", "mean", "-o", "{out}.csv"],
    "corpus-query": ["corpus", "query", "articles", "--db", "{corpus}", "-f", "csv", "-o", "{out}.csv"],
    "corpus-query-parquet": ["corpus", "query", "articles", "--db", "{corpus}", "-f", "parquet", "-o",
                             "{out}.parquet"],
    "store-export": ["store", "export", "harbour", "--db", "{store}", "-o", "{out}.yaml"],
    "read": ["read", "{article}", "-o", "{out}.yaml"],
}
# Commands that write into a folder: {out} is the folder.
FOLDER_WRITERS = {
    "report-charts": ["report", "{scenario}", "-m", "mean", "--draws", "5", "--no-sensitivity", "-o",
                      "{tmp}/ok.html", "--charts", "{out}"],
    "corpus-export": ["corpus", "export", "{out}", "--db", "{corpus}"],
}
# Commands whose --db names a database file to create or open.
DB_USERS = {
    "store-list": ["store", "list", "--db", "{out}"],
    "store-import": ["store", "import", "{scenario}", "--db", "{out}"],
    "corpus-add": ["corpus", "add", "{article}", "--db", "{out}"],
    "serve-token": ["serve", "--create-token", "bob", "--db", "{out}"],
}


def command(template: list[str], inputs: dict[str, str], out: str, tmp: Path) -> list[str]:
    return [part.format(out=out, tmp=tmp, **inputs) for part in template]


def needs(name: str) -> None:
    if name == "read":
        pytest.importorskip("spacy")


def no_permission_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write into: a read-only folder, or for root (whom permission bits
    do not stop) a folder of /sys, which refuses new files to everyone."""
    if not ROOT:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    try:
        (Path("/sys") / "stakes-test").touch()
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return Path("/sys")
    pytest.skip("running as root and /sys accepts files: no place refuses a write")


BAD_FILE_PLACES = ["missing folder", "a folder", "under a file", "no permission"]


def bad_place(kind: str, tmp_path: Path) -> tuple[str, str]:
    """An output path stem of the given kind, and the text the error must name."""
    if kind == "missing folder":
        return str(tmp_path / "no" / "such" / "out"), str(tmp_path / "no")
    if kind == "under a file":
        (tmp_path / "afile").write_text("keep\n")
        return str(tmp_path / "afile" / "out"), "not a folder"
    if kind == "no permission":
        return str(no_permission_folder(tmp_path) / "out"), "permission"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", BAD_FILE_PLACES)
@pytest.mark.parametrize("name", FILE_WRITERS)
def test_a_file_that_cannot_be_written_is_one_line(name, kind, inputs, tmp_path, capsys):
    needs(name)
    work = tmp_path / "work"
    work.mkdir()
    if kind == "a folder":
        args = command(FILE_WRITERS[name], inputs, str(work / "out"), work)
        target = Path(args[-1])
        target.mkdir()
        before = tree(work)
        line = assert_one_line_error(*run(capsys, *args), str(target), "is a folder")
    else:
        out, expected = bad_place(kind, work)
        before = tree(work)
        line = assert_one_line_error(*run(capsys, *command(FILE_WRITERS[name], inputs, out, work)), expected)
    assert line.startswith("error: cannot write the")
    assert tree(work) == before


@pytest.mark.parametrize("name", FILE_WRITERS)
def test_a_full_disk_leaves_the_old_file_and_no_temporary_file(name, inputs, tmp_path, capsys, monkeypatch):
    needs(name)
    args = command(FILE_WRITERS[name], inputs, str(tmp_path / "out"), tmp_path)
    target = Path(args[-1])
    target.write_bytes(b"the old contents\n")
    before = tree(tmp_path)
    fill = files._fill

    def half_then_full(out, data):
        out.write(b"half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files, "_fill", half_then_full)
    assert_one_line_error(*run(capsys, *args), str(tmp_path), "disk is full")
    assert tree(tmp_path) == before
    monkeypatch.setattr(files, "_fill", fill)
    code, _, err = run(capsys, *args)  # the same command then writes the file whole
    assert code == 0, err
    assert target.read_bytes() != b"the old contents\n"


DEVICE_WRITERS = {
    "convert": ["convert", "{scenario}", "--to", "yaml", "/dev/full"],
    "montecarlo": ["montecarlo", "{scenario}", "-m", "mean", "--draws", "5", "-f", "csv", "-o", "/dev/full"],
    "corpus-query": ["corpus", "query", "articles", "--db", "{corpus}", "-f", "json", "-o", "/dev/full"],
    "store-export": ["store", "export", "harbour", "--db", "{store}", "--to", "json", "-o", "/dev/full"],
}


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="no /dev/full on this system")
@pytest.mark.parametrize("name", DEVICE_WRITERS)
def test_writing_to_a_really_full_device_is_one_line(name, inputs, tmp_path, capsys):
    assert_one_line_error(*run(capsys, *command(DEVICE_WRITERS[name], inputs, "", tmp_path)), "/dev/full",
                          "disk is full")
    assert Path("/dev/full").is_char_device()  # written to, never replaced


@pytest.mark.parametrize("kind", ["a file", "under a file", "no permission", "full disk"])
@pytest.mark.parametrize("name", FOLDER_WRITERS)
def test_a_folder_that_cannot_be_written_is_one_line(name, kind, inputs, tmp_path, capsys, monkeypatch):
    if kind == "a file":
        (tmp_path / "afile").write_text("keep\n")
        out, expected = str(tmp_path / "afile"), "a file of that name is in the way"
    elif kind == "full disk":
        out, expected = str(tmp_path / "charts"), "disk is full"
        monkeypatch.setattr(files, "_fill", lambda out, data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    else:
        out, expected = bad_place(kind, tmp_path)
    before = tree(tmp_path)
    assert_one_line_error(*run(capsys, *command(FOLDER_WRITERS[name], inputs, out, tmp_path)), expected)
    after = tree(tmp_path)
    # a full disk may leave the (empty) folder it made; never a file
    assert {k: v for k, v in after.items() if v is not None} == {k: v for k, v in before.items() if v is not None}


@pytest.mark.parametrize("kind", ["missing folder", "a folder", "under a file"])
@pytest.mark.parametrize("name", DB_USERS)
def test_a_database_path_that_cannot_be_used_is_one_line(name, kind, inputs, tmp_path, capsys):
    if kind == "a folder":
        (tmp_path / "db.sqlite").mkdir()
        db, expected = str(tmp_path / "db.sqlite"), "is a folder"
    else:
        out, expected = bad_place(kind, tmp_path)
        db = out + ".sqlite"
    before = tree(tmp_path)
    assert_one_line_error(*run(capsys, *command(DB_USERS[name], inputs, db, tmp_path)), expected)
    assert tree(tmp_path) == before


SCENARIO_READERS = {
    "forecast": ["forecast", "{path}"], "show": ["show", "{path}"], "validate": ["validate", "{path}"],
    "convert": ["convert", "{path}", "{tmp}/out.yaml"],
    "montecarlo": ["montecarlo", "{path}", "--draws", "5"], "whatif": ["whatif", "{path}", "--draws", "5"],
    "sensitivity": ["sensitivity", "{path}"], "report": ["report", "{path}", "-o", "{tmp}/r.html"],
    "store-import": ["store", "import", "{path}", "--db", "{tmp}/s.sqlite"],
}


@pytest.mark.parametrize("name", SCENARIO_READERS)
def test_a_scenario_path_that_is_a_folder_or_missing_is_one_line(name, tmp_path, capsys):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "a.yaml").write_text((DATA / "harbour.yaml").read_text())
    for path, expected in ((tmp_path / "scenarios", "is a folder"), (tmp_path / "absent.yaml", "no such file")):
        args = [part.format(path=path, tmp=tmp_path) for part in SCENARIO_READERS[name]]
        before = tree(tmp_path)
        code, out, err = run(capsys, *args)
        if name == "validate":  # validate lists each file's problems, without "error:"
            assert code == 1 and "Traceback" not in out + err and len(err.strip().splitlines()) == 1
            assert expected in err and str(path) in err
        else:
            assert_one_line_error(code, out, err, expected, str(path))
        assert tree(tmp_path) == before


def test_validate_a_folder_says_it_is_a_folder_and_names_a_file_to_pass(tmp_path, capsys):
    (tmp_path / "talks.yaml").write_text((DATA / "harbour.yaml").read_text())
    code, _, err = run(capsys, "validate", tmp_path)
    assert code == 1
    assert "is a folder" in err and str(tmp_path / "talks.yaml") in err
    assert "cannot tell the format" not in err


@pytest.mark.parametrize("args", [["ingest", "{tmp}/absent.txt"], ["read", "{tmp}/absent.txt"],
                                  ["corpus", "add", "{tmp}/absent.txt", "--db", "{tmp}/c.sqlite"],
                                  ["corpus", "query", "articles", "--db", "{tmp}/absent.sqlite"],
                                  ["corpus", "export", "{tmp}/out", "--db", "{tmp}/absent.sqlite"]])
def test_reading_a_missing_input_ends_without_a_traceback(args, tmp_path, capsys):
    if args[0] == "read":
        pytest.importorskip("spacy")
    code, out, err = run(capsys, *(a.format(tmp=tmp_path) for a in args))
    assert code != 0 and "Traceback" not in out + err
    assert "absent" in err
    assert not (tmp_path / "out").exists()


def test_an_unknown_scenario_name_gets_a_did_you_mean(capsys):
    line = assert_one_line_error(*run(capsys, "show", "rafa-2024"))
    assert "did you mean `rafah-2024`?" in line
