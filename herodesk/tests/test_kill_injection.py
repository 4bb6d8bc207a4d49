"""kill -9 at random points of mail intake and of the job worker loses nothing.

Real processes on a scratch data dir (SQLite; PostgreSQL too when ``HERODESK_KILL_TEST_DATABASE_URL`` names
a server where a scratch database may be created): a feeder delivers raw mails through the intake the mail
pipe uses, and ``herodesk worker`` runs the jobs. Each round starts both and kills them with SIGKILL at
random moments (a seeded RNG: the same moments every run). Then the desk restarts as it would: the feeder
delivers what was never acknowledged (the mail server retries), the next mail poll files what was stored but
not filed, the worker's sweep (``finish_pending_work``) and the worker finish their work. Every mail must
then be filed exactly once, searchable, and analysed. Takes about a minute (``-m "not slow"`` skips it).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

MAILS = 160
ROUNDS = 8
SEED = 14
DRIVER = [sys.executable, "-m", "herodesk.tests.kill_driver"]
WORKER = [sys.executable, "-m", "herodesk.cli", "worker"]


def _environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "HERODESK_TASKS_IMMEDIATE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="herodesk.settings",
        HERODESK_DATA_DIR=str(data_dir),
        HERODESK_HTTPS="false",
        HERODESK_LOG_LEVEL="ERROR",
        HERODESK_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


class Desk:
    def __init__(self, tmp_path: Path, database_url: str | None) -> None:
        self.mails = tmp_path / "mails"
        self.env = _environment(tmp_path / "data", database_url)
        self.logs = tmp_path / "logs"
        self.logs.mkdir()

    def run(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            [*DRIVER, *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        assert done.returncode == 0, f"{args}: {done.stderr[-3000:]}"
        return done.stdout

    def start(self, command: list[str], name: str) -> subprocess.Popen[str]:
        log = (self.logs / f"{name}.log").open("a")
        return subprocess.Popen(
            command, env=self.env, stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True
        )

    def acked(self) -> int:
        path = self.mails / "acked"
        return len(path.read_text().split()) if path.exists() else 0


def _kill(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: this process and nothing else
    process.wait(timeout=30)


def _wait_ready(feeder: subprocess.Popen[str], timeout: float = 60) -> bool:
    """Block until the feeder has Django up (it prints "ready"); False if it ended first."""
    assert feeder.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = feeder.stdout.readline()
        if line.strip() == "ready":
            return True
        if not line and feeder.poll() is not None:
            return False
    raise AssertionError("the feeder never started")


def _kill_rounds(desk: Desk, rng: random.Random) -> dict[str, int]:
    kills = {"feeder": 0, "worker": 0}
    for _ in range(ROUNDS):
        worker = desk.start(WORKER, "worker")
        feeder = desk.start([*DRIVER, "feed", str(desk.mails)], "feeder")
        worker_dies_at = time.monotonic() + rng.uniform(1.0, 6.0)
        if _wait_ready(feeder):
            time.sleep(rng.uniform(0.05, 1.5))
            kills["feeder"] += feeder.poll() is None
            _kill(feeder)
        time.sleep(max(0.0, worker_dies_at - time.monotonic()))
        kills["worker"] += worker.poll() is None
        _kill(worker)
        if desk.acked() >= MAILS:
            break
    return kills


def _finish(desk: Desk) -> dict[str, object]:
    """Restart without kills: deliver the rest, then, as minutes pass, the sweep and the worker finish."""
    worker = desk.start(WORKER, "worker-final")
    recovered = []
    try:
        feeder = desk.start([*DRIVER, "feed", str(desk.mails)], "feeder-final")
        assert feeder.wait(timeout=300) == 0
        for minutes in (2, 10, 20):  # the sweep a while later: after the crash, after the retry delay, again
            recovered.append(json.loads(desk.run("recover", str(minutes))))
            _wait_for_empty_queue(desk)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _kill(worker)
    report = json.loads(desk.run("check", str(desk.mails)))
    report["recovered"] = recovered
    return report


def _wait_for_empty_queue(desk: Desk, timeout: float = 180) -> None:
    """Until the embedded queue (SQLite, in the data dir) has no job waiting, and the last one ran."""
    queue = Path(desk.env["HERODESK_DATA_DIR"]) / "jobs.sqlite3"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(queue, timeout=30) as connection:
            (waiting,) = connection.execute(
                "SELECT (SELECT COUNT(*) FROM task) + (SELECT COUNT(*) FROM schedule)"
            ).fetchone()
        if waiting == 0:
            time.sleep(2)  # the job taken last may still be running
            return
        time.sleep(0.5)
    raise AssertionError(f"the worker left {waiting} jobs in the queue")


def _database_urls() -> list[str | None]:
    url = os.environ.get("HERODESK_KILL_TEST_DATABASE_URL")
    return [None, url] if url else [None]


@pytest.mark.parametrize("server_url", _database_urls(), ids=lambda url: "postgresql" if url else "sqlite")
def test_kill_9_in_intake_and_worker_loses_duplicates_or_leaves_nothing_undone(tmp_path, server_url):
    database_url = _scratch_database(server_url) if server_url else None
    try:
        desk = Desk(tmp_path, database_url)
        desk.run("write", str(desk.mails), str(MAILS), str(SEED))
        started = time.monotonic()
        desk.run("migrate", timeout=300)
        migrated = time.monotonic()
        kills = _kill_rounds(desk, random.Random(SEED))
        killed = time.monotonic()
        report = _finish(desk)
        report["seconds"] = {
            "migrate": round(migrated - started, 1),
            "kill_rounds": round(killed - migrated, 1),
            "finish": round(time.monotonic() - killed, 1),
        }
    finally:
        if database_url:
            _drop_database(database_url)
    print(json.dumps({"kills": kills, **report}))
    assert kills["feeder"] >= ROUNDS // 2, kills  # most rounds killed intake mid-way
    assert report["mails"] == MAILS
    for problem in ("lost", "duplicated", "unindexed", "unanalysed"):
        assert report[problem] == [], f"{problem}: {report[problem]} ({report})"
    assert report["pending_work_left"] == 0, report


def _scratch_database(server_url: str) -> str:
    import psycopg

    name = f"herodesk_kill_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


def _drop_database(database_url: str) -> None:
    import psycopg

    server, name = database_url.rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
