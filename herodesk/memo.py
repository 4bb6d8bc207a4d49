"""Small lists every page shows and few writes change (agents, teams, contact reasons), kept per process.

The conversation screen renders the same agent, team and reason pickers on every view; reading them from
the database each time costs more CPU than the rest of the page's queries. A value here lives at most
``seconds`` in a process, and is dropped at once in the process that changed the rows (the owning app
connects its models' save and delete signals to ``forget``), so another web process sees a newly invited
agent within that time. Nothing that decides access is ever read from here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_values: dict[str, tuple[float, object]] = {}
_lock = threading.Lock()


def remembered(key: str, seconds: float, load: Callable[[], T]) -> T:
    """The value under ``key`` if younger than ``seconds``, else ``load()`` kept for next time."""
    now = time.monotonic()
    found = _values.get(key)
    if found is not None and now - found[0] < seconds:
        return found[1]  # type: ignore[return-value]
    value = load()
    with _lock:
        _values[key] = (now, value)
    return value


def forget(*keys: str) -> None:
    """Drop ``keys`` (all values when none are given): the rows behind them changed."""
    with _lock:
        if not keys:
            _values.clear()
        for key in keys:
            _values.pop(key, None)
