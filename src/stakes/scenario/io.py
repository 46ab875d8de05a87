"""Loading and saving scenarios: files by extension, bundled scenarios by name.

Formats: ``.yaml``/``.yml`` (canonical), ``.json`` (same structure), ``.csv`` (the layouts other tools
use; see :mod:`stakes.scenario.tables`), ``.xml`` (KTAB's XML scenarios, read only; see
:mod:`stakes.scenario.ktab_xml`).
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from importlib import resources
from pathlib import Path

import yaml

from stakes.errors import Problem, ScenarioError, did_you_mean
from stakes.files import write_atomic
from stakes.scenario import ktab_xml, schema, tables
from stakes.scenario.documents import parse_text, read_text
from stakes.scenario.model import Scenario

DEFAULT_SCENARIO = "rafah-2024"
FORMATS = ("yaml", "json", "csv", "ktab-csv", "ktab-xml")
"""Formats stakes reads."""
WRITE_FORMATS = ("yaml", "json", "csv", "ktab-csv")
"""Formats stakes writes (KTAB XML is read only)."""
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present: same text, faster


def bundled_scenarios() -> dict[str, Path]:
    """Name → path of every scenario that ships with stakes (not ``NAME.whatifs.yaml``: what-ifs)."""
    folder = resources.files("stakes") / "data" / "scenarios"
    return {Path(p.name).stem: Path(str(p)) for p in folder.iterdir()
            if p.name.endswith(".yaml") and not p.name.endswith(".whatifs.yaml")}


def resolve(name_or_path: str | os.PathLike[str]) -> Path:
    """A bundled scenario's name or a file path → the file to read."""
    path = Path(name_or_path)
    if path.exists():
        return path
    bundled = bundled_scenarios()
    if str(name_or_path) in bundled:
        return bundled[str(name_or_path)]
    hint = did_you_mean(str(name_or_path), sorted(bundled), "bundled scenarios")
    raise ScenarioError([Problem(field="<file>", file=str(name_or_path), rule="no such file or bundled scenario",
                                 fix=f"give a path to a scenario file or a bundled name ({hint})")])


def _folder_problem(path: Path) -> ScenarioError:
    inside = sorted(p.name for p in path.iterdir() if p.suffix.lower() in (".yaml", ".yml", ".json", ".csv", ".xml")
                    and not p.name.endswith(".whatifs.yaml"))[:3]
    example = ", ".join(str(path / name) for name in inside) if inside else str(path / "NAME.yaml")
    return ScenarioError([Problem(field="<file>", file=str(path), rule="is a folder, not a scenario file",
                                  fix=f"pass a scenario file in it, e.g. {example}")])


def format_of(path: Path, fmt: str | None = None) -> str:
    """The file format, from ``fmt`` if given, else from the file name's extension."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise ScenarioError([Problem(field="<format>", file=str(path), value=fmt, rule="unknown format",
                                         fix=f"use one of {', '.join(FORMATS)}")])
        return fmt
    suffix = path.suffix.lower()
    known = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv", ".xml": "ktab-xml"}
    if suffix not in known:
        raise ScenarioError([Problem(field="<format>", file=str(path), value=suffix or "(none)",
                                     rule="cannot tell the format from the file name",
                                     fix="name the file .yaml, .json, .csv or .xml, or pass the format")])
    return known[suffix]


def load(name_or_path: str | os.PathLike[str] = DEFAULT_SCENARIO, fmt: str | None = None) -> Scenario:
    """Read and validate a scenario file, or a bundled scenario by name (``stakes.load("rafah-2024")``)."""
    path = resolve(name_or_path)
    if path.is_dir():
        raise _folder_problem(path)
    fmt = format_of(path, fmt)
    text = read_text(path)
    if fmt == "ktab-xml":
        return ktab_xml.read_ktab_xml(text, file=str(path))
    if fmt in ("csv", "ktab-csv"):
        return tables.read_csv_text(text, file=str(path), layout=None if fmt == "csv" else "ktab")
    data, lines = parse_text(text, file=str(path), fmt=fmt)
    return schema.from_data(data, lines, file=str(path))


def loads(text: str, fmt: str = "yaml", file: str = "<text>") -> Scenario:
    """Parse and validate a scenario held in a string."""
    if fmt == "ktab-xml":
        return ktab_xml.read_ktab_xml(text, file=file)
    if fmt in ("csv", "ktab-csv"):
        return tables.read_csv_text(text, file=file, layout=None if fmt == "csv" else "ktab")
    data, lines = parse_text(text, file=file, fmt=fmt)
    return schema.from_data(data, lines, file=file)


def dumps(scenario: Scenario, fmt: str = "yaml") -> str:
    """A scenario as text in the canonical YAML, JSON, or a CSV layout."""
    if fmt == "yaml":
        return yaml.dump(schema.to_data(scenario), Dumper=DUMPER, sort_keys=False, allow_unicode=True, width=100)
    if fmt == "json":
        return json.dumps(schema.to_data(scenario), indent=2, ensure_ascii=False) + "\n"
    if fmt in ("csv", "ktab-csv"):
        return tables.write_csv_text(scenario, layout="ktab" if fmt == "ktab-csv" else "table")
    if fmt == "ktab-xml":
        raise ScenarioError([Problem(field="<format>", value=fmt, fix="write ktab-csv (KTAB reads it too)",
                                     rule="stakes reads KTAB XML but does not write it")])
    raise ScenarioError([Problem(field="<format>", value=fmt, rule="unknown format",
                                 fix=f"use one of {', '.join(WRITE_FORMATS)}")])


def save(scenario: Scenario, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write a scenario atomically: the target is replaced only once the new file is complete
    (:func:`stakes.files.write_atomic`); a path that cannot be written raises ``OutputError``."""
    path = Path(path)
    try:
        text = dumps(scenario, format_of(path, fmt))
    except ScenarioError as exc:
        raise ScenarioError([replace(p, file=p.file or str(path)) for p in exc.problems]) from None
    return write_atomic(path, text)
