"""SQLite backend with a fair, blocking writer queue across threads and processes.

SQLite allows one writer at a time. When a second writer finds the database busy, sqlite's busy handler
sleeps in growing steps (up to 100 ms) and retries, so under concurrent writes a reply can wait far
longer than the write ahead of it took. Taking an exclusive ``flock`` on a lock file next to the
database before ``BEGIN IMMEDIATE`` makes writers queue in the kernel instead, and each one starts the
moment the previous one commits. Reads never take the lock (WAL lets them run alongside the writer).

Every write takes the lock, not only transactions: a write outside ``transaction.atomic`` (an
``.update()`` or ``.save()`` in autocommit mode) runs as its own statement-long transaction, and without
the lock it would compete through sqlite's busy handler against writers that hand the lock straight to
each other. It loses those races while the queue stays busy and fails with "database is locked" when
``busy_timeout`` runs out: what two ``send_reply`` jobs did in the kill runs of issue 14 (their "mark as
sent" was such an update then). Tested in ``tests/test_sqlite_writer_lock.py``.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.backends.sqlite3 import base

# Statements that never write: they run without the lock. BEGIN/COMMIT/ROLLBACK and savepoints belong to a
# transaction, whose lock is taken before BEGIN IMMEDIATE.
NOT_WRITES = ("SELECT", "PRAGMA", "EXPLAIN", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "END")


def is_write(sql: str) -> bool:
    return not sql.lstrip(" \t\r\n(").upper().startswith(NOT_WRITES)


class WriterQueueCursor(base.SQLiteCursorWrapper):
    """Takes the writer lock around a write that runs outside a transaction (autocommit)."""

    wrapper: DatabaseWrapper

    def execute(self, query: str, params: Any = None) -> Any:
        with self.wrapper.autocommit_write(query):
            return super().execute(query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        with self.wrapper.autocommit_write(query):
            return super().executemany(query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    _lock_fd: int | None = None
    _lock_held = False

    def _writer_lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or not name:
            return None
        return name + ".writer-lock"

    def _acquire_writer_lock(self) -> None:
        path = self._writer_lock_path()
        if path is None:
            return
        if self._lock_fd is None:
            self._lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._lock_held = True

    def _release_writer_lock(self) -> None:
        if self._lock_held and self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        self._lock_held = False

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = self.connection.cursor(factory=WriterQueueCursor)
        cursor.wrapper = self
        return cursor

    @contextmanager
    def autocommit_write(self, sql: str) -> Iterator[None]:
        """Queue a write made outside a transaction like a transaction's (nothing to do inside one)."""
        if self._lock_held or not self.autocommit or not is_write(sql):
            yield
            return
        self._acquire_writer_lock()
        try:
            yield
        finally:
            self._release_writer_lock()

    def _start_transaction_under_autocommit(self) -> None:
        self._acquire_writer_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release_writer_lock()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._release_writer_lock()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._release_writer_lock()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release_writer_lock()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
