"""Text the command line prints: untrusted strings made harmless, and counts said in good English.

Names, titles, bases, article text and stored entries come from files and databases that anyone
may have written. Printed raw, an escape sequence in them (``ESC[2J`` clears the screen, an OSC
sequence retitles the window) or a bidi override (which reorders what the reader sees) acts on
the terminal of whoever runs the command. :func:`safe` is the one way the CLI puts such text into
rich markup: it shows every control, bidi and line-separator character as a visible ``\\x1b``
/ ``\\u202e`` escape, then escapes rich's own markup. :func:`printable` does the first half for
text printed without markup.
"""

from __future__ import annotations

import re

from rich.markup import escape

_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls (but tab and newline), DEL, bidi marks, overrides and isolates, line separators."""


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """``text`` with every control and bidi character shown as an escape (``\\x1b``, ``\\u202e``)."""
    return _INVISIBLE.sub(_shown, str(text))


def safe(text: object) -> str:
    """Untrusted text ready for rich markup: control and bidi characters made visible, markup escaped."""
    return escape(printable(text))


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``1 actor``, ``16 actors``, ``1 analysis``/``2 analyses`` (with ``plural_form``); thousands separated."""
    return f"{count:,} {noun if count == 1 else plural_form or noun + 's'}"


# --- tables at any width ------------------------------------------------------------------------------
# Ids (which users type back, e.g. in what-ifs) and numbers are never cut: their columns do not wrap,
# and a table too wide for the terminal is split into several (see :func:`column_groups`). Free text
# (names, bases) wraps, folding a word longer than its column rather than cutting it.

ID = {"no_wrap": True}
NUMBER = {"no_wrap": True, "justify": "right"}
TEXT = {"overflow": "fold"}


def column_groups(widths: list[int], fixed: int, room: int) -> list[list[int]]:
    """Split columns (indices of ``widths``, their text widths) into groups that each fit in ``room``
    characters beside the ``fixed`` width of the columns every table repeats (3 per column for
    borders and padding)."""
    groups: list[list[int]] = [[]]
    used = fixed + 1
    for k, width in enumerate(widths):
        if groups[-1] and used + width + 3 > room:
            groups.append([])
            used = fixed + 1
        groups[-1].append(k)
        used += width + 3
    return groups
