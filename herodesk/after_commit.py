"""Collect work during a transaction and do it once, right after the commit.

Email intake files many messages per transaction; without this, every message would rebuild its
conversation's search entry and write its own job to the queue. Items are kept on this thread's own
database connection. Every call registers the flush, because Django drops callbacks registered in a
savepoint that rolls back; the first flush does the work and later ones find nothing left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

_ATTRIBUTE = "herodesk_after_commit"


def collect(key: str, item: Any, flush: Callable[[list[Any]], None]) -> None:
    """Add ``item`` to the ``key`` batch; ``flush(items)`` runs once after the current commit."""
    _current().setdefault(key, []).append(item)
    transaction.on_commit(lambda: _flush(key, flush), robust=True)  # a failure is logged, never a 500


def batch(key: str) -> list[Any]:
    """What this transaction collected so far under ``key`` (to skip repeating an item)."""
    return _current().get(key, [])


def _current() -> dict[str, list[Any]]:
    wrapper = connections[DEFAULT_DB_ALIAS]
    pending = _pending()
    if pending and wrapper.in_atomic_block and not wrapper.run_on_commit:
        pending.clear()  # left by a transaction that rolled back: its callbacks are gone, so are its items
    return pending


def _pending() -> dict[str, list[Any]]:
    wrapper = connections[DEFAULT_DB_ALIAS]
    if not hasattr(wrapper, _ATTRIBUTE):
        setattr(wrapper, _ATTRIBUTE, {})
    return getattr(wrapper, _ATTRIBUTE)


def _flush(key: str, flush: Callable[[list[Any]], None]) -> None:
    items = _pending().pop(key, [])
    if items:
        flush(items)
