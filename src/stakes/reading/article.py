"""The article: the unit of text the reading pipeline consumes, with the metadata kept from ingest."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Article:
    """One document's main text and what is known about it.

    ``id`` is a stable content hash (of the text), so the same article read twice is recognised.
    """

    text: str
    title: str | None = None
    published: date | None = None
    publisher: str | None = None
    url: str | None = None
    origin: str | None = None
    """Where it was read from: a file path, a feed entry, a line of a JSONL corpus."""
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return article_id(self.text)


def article_id(text: str) -> str:
    """A short stable id for a text: the first 16 hex digits of the SHA-256 of its normalised form."""
    normalised = " ".join(text.split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:16]
