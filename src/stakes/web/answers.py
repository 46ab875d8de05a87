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

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from fastapi import Response
from pydantic import TypeAdapter

MAX_BYTES = 64 * 2**20
"""Bytes of encoded answers a server keeps."""


class Answers:
    """Encoded answers by key, least recently used dropped first past ``max_bytes``. Thread-safe."""

    def __init__(self, max_bytes: int = MAX_BYTES):
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()
        self.made = 0
        """How many answers were computed rather than found (for tests and diagnostics)."""

    def get(self, key: Hashable, make: Callable[[], bytes]) -> bytes:
        """The answer kept under ``key``, else ``make()``'s, kept for next time."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        made = make()
        self.put(key, made)
        return made

    def put(self, key: Hashable, answer: bytes) -> bytes:
        """Keep ``answer`` under ``key`` (unless it alone is larger than the cache)."""
        with self._lock:
            self.made += 1
            if key in self._items or len(answer) > self.max_bytes:
                return answer
            self._items[key] = answer
            self._held += len(answer)
            while self._held > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._held -= len(dropped)
        return answer


def encode(adapter: TypeAdapter[Any], value: Any) -> bytes:
    """``value`` checked against a response model and encoded to JSON, as FastAPI would answer it."""
    return adapter.dump_json(adapter.validate_python(value))


def json_answer(body: bytes, status_code: int = 200) -> Response:
    return Response(body, status_code=status_code, media_type="application/json")
