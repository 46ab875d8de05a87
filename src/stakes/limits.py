"""Caps on how big an input may be and how much work one request may cost, checked before the work.

One set of caps serves every front door: scenario validation (files read by the CLI, scenarios
sent to the web app), the reading pipeline, Monte Carlo runs and the web app's request bodies.
Each check raises a :class:`LimitError` whose message names what is too big, the cap, and how to
raise it, so a refusal never points into an internal dump.

The caps come from the environment (``STAKES_MAX_*``, see :data:`ENVIRONMENT`), else the defaults
below; ``stakes serve --max-...`` options override them for the server. Code that needs other caps
for a while (the web app, per request; tests) uses :func:`using`, which sets them for the current
context only (threads started from it inherit them).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields, replace
from typing import Any

from stakes.errors import Problem, ScenarioError, StakesError


READABLE_CHARS = 1_000_000
"""The most characters the reading pipeline (spaCy) takes in one text."""


class LimitError(StakesError):
    """An input or a run is larger than a cap allows; ``status`` is the web app's answer (413 for what
    is sent, 422 for the work asked for)."""

    def __init__(self, message: str, status: int = 413):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Limits:
    """The caps, each a positive integer.

    ``body_bytes``: a request body sent to the web app. ``text_chars``: one free-text value of a
    scenario (a title, description, note, basis, ...). ``cells``: actors × issues of a scenario.
    ``draw_cells``: Monte Carlo draws × actors of one run. ``article_chars``: one article to read.
    ``articles``: articles in one request.
    """

    body_bytes: int = 16 * 1024 * 1024
    text_chars: int = 20_000
    cells: int = 2_500
    draw_cells: int = 2_000_000
    article_chars: int = 100_000
    articles: int = 10

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise StakesError(f"the cap {item.name} = {value!r} must be a whole number of at least 1; "
                                  f"fix: set {ENVIRONMENT[item.name]} or {OPTIONS[item.name]} to one")
        if self.article_chars > READABLE_CHARS:
            raise StakesError(f"the cap article_chars = {self.article_chars} is above {READABLE_CHARS}, the most the "
                              f"reading pipeline reads at once; fix: set {ENVIRONMENT['article_chars']} or "
                              f"{OPTIONS['article_chars']} to at most {READABLE_CHARS}")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """The defaults, with every ``STAKES_MAX_*`` variable that is set taking its cap's place."""
        environ = os.environ if environ is None else environ
        given: dict[str, Any] = {}
        for name, variable in ENVIRONMENT.items():
            text = environ.get(variable, "").strip().replace("_", "")
            if not text:
                continue
            try:
                given[name] = int(text)
            except ValueError:
                raise StakesError(f"${variable} = {environ[variable]!r} is not a whole number; fix: set it to "
                                  f"a number such as {getattr(cls, name)}, or unset it") from None
        return cls(**given)

    def but(self, **changes: int | None) -> Limits:
        """These limits with the caps given (not None) replaced."""
        return replace(self, **{key: value for key, value in changes.items() if value is not None})

    @property
    def yaml_values(self) -> int:
        """The most values a scenario document may hold (a guard against alias bombs, scaled with
        ``cells`` so that any scenario within the caps reads)."""
        return max(200_000, 100 * self.cells)


ENVIRONMENT = {
    "body_bytes": "STAKES_MAX_BODY_BYTES",
    "text_chars": "STAKES_MAX_TEXT_CHARS",
    "cells": "STAKES_MAX_CELLS",
    "draw_cells": "STAKES_MAX_DRAW_CELLS",
    "article_chars": "STAKES_MAX_ARTICLE_CHARS",
    "articles": "STAKES_MAX_ARTICLES",
}
"""The environment variable that sets each cap."""

OPTIONS = {name: "--max-" + name.replace("_", "-") for name in ENVIRONMENT}
"""The ``stakes serve`` option that sets each cap."""

_current: ContextVar[Limits | None] = ContextVar("stakes_limits", default=None)


def current() -> Limits:
    """The caps in force: those set by :func:`using`, else the environment's."""
    return _current.get() or Limits.from_env()


@contextmanager
def using(limits: Limits) -> Iterator[Limits]:
    """Make ``limits`` the caps in force within the block (in this context only)."""
    token = _current.set(limits)
    try:
        yield limits
    finally:
        _current.reset(token)


def how_to_raise(name: str, needed: int) -> str:
    """How to allow ``needed`` for cap ``name``: the variable, and the serve option."""
    return f"raise the cap: {ENVIRONMENT[name]}={needed} (stakes serve {OPTIONS[name]} {needed})"


def check_cells(actors: int, issues: int, file: str | None = None, limits: Limits | None = None) -> None:
    """Refuse a scenario with more actors × issues than the cap (a ScenarioError naming both)."""
    cap = (limits or current()).cells
    if actors * issues > cap:
        rule = (f"{actors} actors × {issues} issue{'s' if issues != 1 else ''} = {actors * issues} cells, more "
                f"than the cap of {cap} actors × issues")
        raise ScenarioError([Problem(field="actors", rule=rule, file=file,
                                     fix=f"split the scenario or drop actors, or {how_to_raise('cells', actors * issues)}")])


def text_problems(data: Any, file: str | None = None, limits: Limits | None = None,
                  lines: Any = None) -> list[Problem]:
    """A problem for every text value in ``data`` (nested dicts and lists) longer than the cap."""
    cap = (limits or current()).text_chars
    problems: list[Problem] = []

    def walk(value: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(value, str):
            if len(value) > cap:
                field = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")
                problems.append(Problem(
                    field=field or "<text>", rule=f"{len(value)} characters, more than the cap of {cap} for one text",
                    fix=f"shorten it (keep the full text as an article in the corpus), or "
                        f"{how_to_raise('text_chars', len(value))}",
                    file=file, line=lines(path) if lines is not None else None))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*path, str(key)))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))

    walk(data, ())
    return problems


def check_draws(draws: int, actors: int, limits: Limits | None = None) -> None:
    """Refuse a Monte Carlo run of more draws × actors than the cap."""
    cap = (limits or current()).draw_cells
    if draws * actors > cap:
        raise LimitError(f"{draws} draws × {actors} actors = {draws * actors}, more than the cap of {cap} draws × "
                         f"actors for one run; fix: ask for at most {max(1, cap // max(actors, 1))} draws, or "
                         f"{how_to_raise('draw_cells', draws * actors)}", status=422)


def check_article(text: str, where: str = "the article", limits: Limits | None = None) -> None:
    """Refuse an article longer than the cap (reading time grows with its length)."""
    cap = (limits or current()).article_chars
    if len(text) > cap:
        raise LimitError(f"{where} has {len(text)} characters, more than the cap of {cap} for one article to "
                         f"read; fix: split it into parts, or {how_to_raise('article_chars', len(text))}")


def check_articles(count: int, limits: Limits | None = None) -> None:
    """Refuse more articles in one request than the cap."""
    cap = (limits or current()).articles
    if count > cap:
        raise LimitError(f"{count} articles in one request, more than the cap of {cap}; fix: send them in "
                         f"batches of {cap}, or {how_to_raise('articles', count)}")
