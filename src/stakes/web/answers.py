"""Answers to reads, encoded once and kept by the stored state they were computed from.

A read of a stored scenario (its document, its evidence, its history) depends only on what is
stored: the scenario at one version (:attr:`~stakes.corpus.scenarios.StoredScenario.key`) and, for
evidence, the articles its sources stand for. :class:`Answers` keeps the JSON bytes of such an
answer under a key made of exactly those inputs, so a save (by this server or another) makes a new
key and nothing is ever stale or needs invalidating; the route still reads the key from the
database on every request. The least recently used answers go first past ``max_bytes``.

Answers are encoded with the route's response model (:func:`encode`), as FastAPI would encode
them, and sent as they are (:func:`json_answer`), skipping the per-request validation.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from fastapi import Response
from pydantic import TypeAdapter

from stakes.lru import SizedLRU

MAX_BYTES = 64 * 2**20
"""Bytes of encoded answers a server keeps."""


class Answers:
    """Encoded answers by key, least recently used dropped first past ``max_bytes``. Thread-safe."""

    def __init__(self, max_bytes: int = MAX_BYTES):
        self._kept = SizedLRU(max_bytes)
        self.made = 0
        """How many answers were computed rather than found (for tests and diagnostics)."""

    def get(self, key: Hashable, make: Callable[[], bytes]) -> bytes:
        """The answer kept under ``key``, else ``make()``'s, kept for next time."""
        found = self._kept.get(key)
        if found is not None:
            return found
        made = make()
        self.made += 1
        return self._kept.put(key, made, len(made))


def encode(adapter: TypeAdapter[Any], value: Any) -> bytes:
    """``value`` checked against a response model and encoded to JSON, as FastAPI would answer it."""
    return adapter.dump_json(adapter.validate_python(value))


def json_answer(body: bytes, status_code: int = 200) -> Response:
    return Response(body, status_code=status_code, media_type="application/json")
