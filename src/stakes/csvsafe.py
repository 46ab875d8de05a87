"""CSV cells a spreadsheet shows as text, never runs as a formula.

A spreadsheet opening a CSV file treats a cell starting with ``=``, ``+``, ``-`` or ``@`` (and, in
some, a tab or carriage return) as a formula, so a name such as ``=HYPERLINK(...)`` taken from an
article would run on the reader's machine. Every CSV stakes writes passes its text cells through
:func:`escape_cell`, which puts an apostrophe before such a cell (the spreadsheets' own mark for
"text"); numbers are left as numbers, and so is text that is a plain number such as ``-5``, which a
spreadsheet reads as that number and nothing else. Reading a stakes CSV back removes the mark
(:func:`unescape_cell`), so a file round-trips.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""
MARK = "'"
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def escape_cell(value: Any) -> Any:
    """``value`` as a safe CSV cell: text that would start a formula gets a leading apostrophe;
    numbers, and text that is only a number, are returned unchanged. (Text that already starts with
    apostrophes before such a character gets one more, so that reading it back is exact.)"""
    if not isinstance(value, str) or not value.lstrip(MARK).startswith(FORMULA_START):
        return value
    if not value.startswith(MARK) and _NUMBER.fullmatch(value):
        return value
    return MARK + value


def unescape_cell(value: str) -> str:
    """The text of a cell :func:`escape_cell` wrote (one apostrophe before a formula character removed)."""
    if value.startswith(MARK) and value.lstrip(MARK).startswith(FORMULA_START):
        return value[1:]
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are escaped (numeric columns as they are)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(escape_cell)
    out.columns = [escape_cell(str(c)) for c in out.columns]
    return out
