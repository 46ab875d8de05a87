"""One bounded cache for the whole package: values by key, least recently used dropped first once
their sizes add up to more than a limit. Thread-safe; the caller says what a value's size is
(characters of a parsed text, bytes of an encoded answer)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


class SizedLRU:
    """Values by key, least recently used dropped first past ``limit`` (in the caller's unit)."""

    def __init__(self, limit: int):
        self.limit = limit
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: Hashable, value: Any, size: int) -> Any:
        """Keep ``value`` under ``key`` unless it alone is over the limit; returns ``value``."""
        with self._lock:
            if key in self._items or size > self.limit:
                return value
            self._items[key] = (value, size)
            self._held += size
            while self._held > self.limit:
                _, (_, dropped) = self._items.popitem(last=False)
                self._held -= dropped
        return value
