"""Every number of a scenario with its evidence, and where in a source's text that evidence sits.

A number's ``where`` names a place in its source. Two forms are understood and turned into
character spans of the source's text: ``sentence N (chars A–B)`` (what ``stakes read`` writes) and
``paragraph N`` / ``paragraphs N, M`` (what hand-made scenarios write), where paragraphs are the
non-empty lines of body text, headings (lines without closing punctuation) not counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from stakes.scenario.model import Estimate, Scenario

_CHARS = re.compile(r"chars?\s+(\d+)\s*[–-]\s*(\d+)")
_PARAGRAPHS = re.compile(r"paragraphs?\s+((?:\d+\s*(?:[–-]\s*\d+)?\s*(?:,|and)?\s*)+)", re.IGNORECASE)
_CLOSING = tuple('.!?"\'):;”’»…')


@dataclass(frozen=True)
class Number:
    """One number of a scenario: its key (as Monte Carlo names it), owner, quantity and estimate."""

    key: str
    actor: str | None
    issue: str | None
    quantity: str
    estimate: Estimate


def numbers(scenario: Scenario) -> Iterator[Number]:
    """Every number: status quos and observed outcomes (``ISSUE.outcomes[K]``, the observed range as
    the estimate's range), then per actor its capability and its stances' numbers."""
    for issue in scenario.issues:
        if issue.status_quo is not None:
            yield Number(f"{issue.id}.status_quo", None, issue.id, "status_quo", issue.status_quo)
        for k, seen in enumerate(issue.outcomes):
            estimate = Estimate(seen.value, seen.low, seen.high, basis=seen.basis, source=seen.source,
                                where=seen.where)
            yield Number(f"{issue.id}.outcomes[{k}]", None, issue.id, "outcome", estimate)
    for actor in scenario.actors:
        yield Number(f"{actor.id}.capability", actor.id, None, "capability", actor.capability)
        for issue_id, stance in actor.stances.items():
            for quantity in ("position", "salience", "risk"):
                estimate = getattr(stance, quantity)
                if estimate is not None:
                    yield Number(f"{actor.id}.{issue_id}.{quantity}", actor.id, issue_id, quantity, estimate)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Character spans of the body paragraphs: non-empty lines ending in closing punctuation."""
    spans, offset = [], 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped and stripped.endswith(_CLOSING):
            start = offset + len(line) - len(line.lstrip())
            spans.append((start, start + len(stripped)))
        offset += len(line)
    return spans


def locate(where: str | None, text: str) -> list[tuple[int, int]]:
    """The spans of ``text`` that ``where`` points at; empty when it names no place found in the text."""
    if not where:
        return []
    if match := _CHARS.search(where):
        start, end = int(match[1]), int(match[2])
        return [(start, end)] if 0 <= start < end <= len(text) else []
    if match := _PARAGRAPHS.search(where):
        found = paragraphs(text)
        spans = []
        for part in re.split(r"\s*(?:,|and)\s*", match[1].strip()):
            bounds = [int(x) for x in re.split(r"\s*[–-]\s*", part) if x]
            if not bounds:
                continue
            for number in range(bounds[0], bounds[-1] + 1):
                if 1 <= number <= len(found):
                    spans.append(found[number - 1])
        return spans
    return []
