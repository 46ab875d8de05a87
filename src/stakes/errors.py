"""The project's own errors: each says what is wrong, where, and how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


SHOWN_CHOICES = 12
"""At most this many choices are listed in a hint, so an error stays one readable line."""


def did_you_mean(word: str, choices: Iterable[str], what: str = "allowed") -> str:
    """The hint for a mistyped name: ``did you mean `x`?`` for a close choice, else every choice."""
    choices = list(choices)
    near = difflib.get_close_matches(word, choices, n=1)
    if near:
        return f"did you mean `{near[0]}`?"
    shown = ", ".join(choices[:SHOWN_CHOICES])
    more = len(choices) - SHOWN_CHOICES
    return f"{what}: {shown}" + (f" and {more:,} more" if more > 0 else "")


class StakesError(Exception):
    """Base class of every error stakes raises on purpose (the CLI prints these without a traceback)."""


@dataclass(frozen=True)
class Problem:
    """One broken rule in an input: the file, the line, the field, the value, the rule and the fix."""

    field: str
    rule: str
    fix: str
    value: object = None
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        place = self.file or "<scenario>"
        if self.line is not None:
            place += f":{self.line}"
        shown = "" if self.value is None else f" = {self.value!r}"
        subject = "" if self.field.startswith("<") else f"{self.field}{shown}: "
        if not subject and shown:
            subject = f"{self.value!r}: "
        return f"{place}: {subject}{self.rule}; fix: {self.fix}"


class ScenarioError(StakesError):
    """A scenario file or object breaks one or more rules; ``problems`` lists every one found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        head = str(self.problems[0]) if self.problems else "invalid scenario"
        more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
        super().__init__(head + more)

    def report(self) -> str:
        """Every problem, one a line."""
        return "\n".join(str(p) for p in self.problems)


class ModelError(StakesError):
    """A model cannot run on the given input (for example, no actor has any weight on an issue)."""
