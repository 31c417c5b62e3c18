"""A bounded memo of a pure function, read as a dict (used by the rules and the bindings of the engine)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Memo(dict[K, V]):
    """A bounded memo of a pure function of one hashable key, read as a dict: a hit is one C-level lookup
    (``memo[key]``, no Python call), a miss calls the function (``__missing__``). Cleared when it grows
    past ``limit``. For answers from tables that do not change while the server runs."""

    __slots__ = ("fn", "limit")

    def __init__(self, fn: Callable[[K], V], limit: int = 100_000) -> None:
        super().__init__()
        self.fn = fn
        self.limit = limit

    def __missing__(self, key: K) -> V:
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.fn(key)
        return value
