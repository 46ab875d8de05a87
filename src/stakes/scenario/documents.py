"""Reading YAML/JSON documents into plain data while remembering the line of every value.

The line map lets validation errors point at the exact place in the user's file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from stakes import limits
from stakes.errors import Problem, ScenarioError

Path_ = tuple[str | int, ...]
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same result, ~8× faster


class Lines:
    """Maps a path inside a document (``("actors", 3, "capability")``) to its 1-based line."""

    def __init__(self, lines: dict[Path_, int] | None = None):
        self._lines = lines or {}

    def __call__(self, path: Path_) -> int | None:
        path = tuple(path)
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return self._lines.get((), None)


def _fail(file: str, line: int | None, rule: str, fix: str) -> ScenarioError:
    return ScenarioError([Problem(field="<document>", rule=rule, fix=fix, file=file, line=line)])


def _to_plain(root: yaml.Node, file: str) -> tuple[Any, Lines]:
    constructor = yaml.SafeLoader("")
    lines: dict[Path_, int] = {}
    count = 0
    caps = limits.current()
    most = caps.yaml_values  # guards against alias bombs ("billion laughs") in untrusted YAML

    def build(node: yaml.Node, path: Path_, stack: frozenset[int]) -> Any:
        nonlocal count
        count += 1
        if count > most:
            raise _fail(file, node.start_mark.line + 1,
                        f"more than {most} values, more than a scenario within the cap of {caps.cells} actors × "
                        "issues holds",
                        f"split the scenario or remove repeated aliases, or {limits.how_to_raise('cells', 2 * caps.cells)}")
        if id(node) in stack:
            raise _fail(file, node.start_mark.line + 1, "an alias refers to itself",
                        "remove the recursive anchor/alias")
        lines[path] = node.start_mark.line + 1
        inner = stack | {id(node)}
        if isinstance(node, yaml.MappingNode):
            try:
                constructor.flatten_mapping(node)
            except yaml.YAMLError as exc:  # a `<<:` merge key that names no mapping
                raise _fail(file, node.start_mark.line + 1, f"unusable merge key ({exc.problem or exc})",
                            "let `<<:` name a mapping or a list of mappings") from None
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = build(key_node, path + ("<key>",), inner)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    raise _fail(file, key_node.start_mark.line + 1,
                                f"a mapping key must be plain text, not {type(key).__name__}",
                                "write the key as a plain word")
                key = str(key)
                if key in result:
                    raise _fail(file, key_node.start_mark.line + 1, f"the key {key!r} appears twice",
                                "keep only one of them")
                result[key] = build(value_node, path + (key,), inner)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [build(item, path + (i,), inner) for i, item in enumerate(node.value)]
        try:
            return constructor.construct_object(node, deep=True)
        except Exception as exc:  # a scalar whose implicit type fails to construct
            raise _fail(file, node.start_mark.line + 1, f"unreadable value {node.value!r} ({exc})",
                        "quote the value or correct it") from None

    data = build(root, (), frozenset())
    lines.pop(("<key>",), None)
    return data, Lines(lines)


def parse_text(text: str, file: str = "<text>", fmt: str = "yaml") -> tuple[Any, Lines]:
    """Parse YAML or JSON text into plain Python data and its line map."""
    if fmt == "json":
        try:
            return json.loads(text), Lines()
        except json.JSONDecodeError as exc:
            raise _fail(file, exc.lineno, f"not valid JSON ({exc.msg}, column {exc.colno})",
                        "correct the JSON syntax at that place") from None
        except RecursionError:
            raise _fail(file, None, "nested too deeply", "flatten the document") from None
        except ValueError as exc:  # e.g. an integer with more digits than Python converts
            raise _fail(file, None, f"not valid JSON ({exc})", "correct the value") from None
    try:
        root = yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise _fail(file, line, f"not valid YAML ({exc.problem or exc.context})",
                    "correct the YAML syntax at that place (indentation, colons, quotes)") from None
    except yaml.YAMLError as exc:
        raise _fail(file, None, f"not valid YAML ({exc})", "correct the YAML syntax") from None
    except RecursionError:
        raise _fail(file, None, "nested too deeply", "flatten the document") from None
    if root is None:
        raise _fail(file, None, "the document is empty", "write a scenario (see docs/scenario-format.md)")
    try:
        data, lines = _to_plain(root, file)
    except RecursionError:
        raise _fail(file, None, "nested too deeply", "flatten the document") from None
    if data is None:  # `---` or `null` alone
        raise _fail(file, None, "the document is empty", "write a scenario (see docs/scenario-format.md)")
    return data, lines


def read_text(path: Path) -> str:
    """Read a text file as UTF-8, turning I/O and encoding failures into the project's error."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _fail(str(path), None, "no such file", "check the path or run `stakes scenarios`") from None
    except IsADirectoryError:
        raise _fail(str(path), None, "is a folder, not a file", "name a scenario file") from None
    except OSError as exc:
        raise _fail(str(path), None, f"cannot be read ({exc.strerror})", "check its permissions") from None
    if b"\x00" in raw:
        raise _fail(str(path), None, "is a binary file, not text", "name a YAML, JSON or CSV scenario")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(str(path), line, f"is not UTF-8 text (byte {exc.start})",
                    "save the file as UTF-8") from None
