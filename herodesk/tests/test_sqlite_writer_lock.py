"""The SQLite backend queues writers on a file lock instead of sqlite's sleeping busy handler."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections

from herodesk.sqlite.base import DatabaseWrapper

pytestmark = pytest.mark.django_db  # lets these tests open their own connections


def wrapper_for(path):
    settings = {**connections["default"].settings_dict, "ENGINE": "herodesk.sqlite", "NAME": str(path)}
    settings["OPTIONS"] = {"transaction_mode": "IMMEDIATE"}
    wrapper = DatabaseWrapper(settings, alias="lock-test")
    wrapper.ensure_connection()
    return wrapper


def test_a_second_writer_waits_for_the_first_and_starts_when_it_commits(tmp_path):
    db = tmp_path / "desk.sqlite3"
    first = wrapper_for(db)
    first.cursor().execute("CREATE TABLE t (x INTEGER)")
    started = threading.Event()
    order: list[str] = []

    def writer_two() -> None:
        second = wrapper_for(db)  # a connection belongs to the thread that made it
        started.set()
        second._start_transaction_under_autocommit()
        order.append("second began")
        second.cursor().execute("INSERT INTO t VALUES (2)")
        second.commit()
        second.close()

    first._start_transaction_under_autocommit()
    first.cursor().execute("INSERT INTO t VALUES (1)")
    thread = threading.Thread(target=writer_two)
    thread.start()
    started.wait()
    time.sleep(0.2)  # the second writer is now blocked on the lock, not inside sqlite
    order.append("first commits")
    first.commit()
    thread.join(timeout=5)
    assert order == ["first commits", "second began"]
    assert first.cursor().execute("SELECT count(*) FROM t").fetchone()[0] == 2
    first.close()


def test_a_rollback_releases_the_lock(tmp_path):
    db = tmp_path / "desk.sqlite3"
    first, second = wrapper_for(db), wrapper_for(db)
    first._start_transaction_under_autocommit()
    first.rollback()
    second._start_transaction_under_autocommit()  # would block forever if the lock were still held
    second.rollback()
    first.close()
    second.close()
