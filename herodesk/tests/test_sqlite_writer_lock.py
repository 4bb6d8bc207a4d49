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


def test_writes_outside_a_transaction_queue_too_and_never_find_the_database_locked(tmp_path):
    """Issue 14: two send_reply jobs failed with "database is locked" in the kill runs. Their "mark as sent"
    was an UPDATE outside a transaction, which did not queue on the lock: it fought through sqlite's busy
    handler against writers handing the lock straight to each other, and lost until busy_timeout ran out.

    Here three writers keep the queue busy (a transaction each, a few ms of work) while this thread makes
    plain autocommit writes, the way that job did. busy_timeout is cut to 50 ms so a lost race shows at once;
    with the writes queued, none waits inside sqlite at all.
    """
    db = tmp_path / "desk.sqlite3"

    def connect() -> DatabaseWrapper:
        settings = {**connections["default"].settings_dict, "ENGINE": "herodesk.sqlite", "NAME": str(db)}
        settings["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 0.05,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=50",
        }
        wrapper = DatabaseWrapper(settings, alias="lock-test")
        wrapper.ensure_connection()
        return wrapper

    setup = connect()
    setup.cursor().execute("CREATE TABLE message (id INTEGER PRIMARY KEY, status TEXT, attempts INTEGER)")
    setup.cursor().execute("INSERT INTO message VALUES (1, 'queued', 0)")
    setup.close()
    stop = threading.Event()
    failures: list[str] = []

    def busy_writer(n: int) -> None:
        wrapper = connect()
        try:
            while not stop.is_set():
                wrapper._start_transaction_under_autocommit()
                wrapper.cursor().execute("INSERT INTO message (status, attempts) VALUES ('queued', ?)", [n])
                time.sleep(0.004)  # the work of a transaction: parsing a mail, filing it
                wrapper.commit()
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(f"writer {n}: {error}")
        finally:
            wrapper.close()

    writers = [threading.Thread(target=busy_writer, args=(n,)) for n in range(3)]
    for thread in writers:
        thread.start()
    job = connect()
    try:
        for _ in range(150):
            job.cursor().execute("UPDATE message SET status = 'sent', attempts = attempts + 1 WHERE id = 1")
            time.sleep(0.002)
    except Exception as error:  # noqa: BLE001 - the assertion names it
        failures.append(f"autocommit write: {error}")
    finally:
        stop.set()
        for thread in writers:
            thread.join(timeout=10)
        job.close()
    assert failures == []


def test_reads_and_transactions_do_not_take_the_lock_twice(tmp_path):
    from herodesk.sqlite.base import is_write

    assert (
        is_write("UPDATE x SET y = 1")
        and is_write("  insert into x values (1)")
        and is_write("DELETE FROM x")
    )
    assert not any(map(is_write, ["SELECT 1", "PRAGMA busy_timeout", "BEGIN IMMEDIATE", "SAVEPOINT s1"]))
    db = tmp_path / "desk.sqlite3"
    first = wrapper_for(db)
    first.cursor().execute("CREATE TABLE t (x INTEGER)")
    first._start_transaction_under_autocommit()
    first.cursor().execute("INSERT INTO t VALUES (1)")  # inside the transaction: the lock is held already
    first.commit()
    assert not first._lock_held
    first.close()
