"""One real job through Redis and a separate `herodesk worker` process.

Every other test runs jobs inline (Huey's immediate mode). This one checks the production path:
the worker is a subprocess running `herodesk worker` (herodesk.cli -> run_huey) with REDIS_URL
set, so the project's settings give it a PriorityRedisHuey on its own queue name. The test
process enqueues `herodesk.tests.jobs.ping` with a client Huey of the same class, name and URL,
and the answer comes back through Huey's Redis result store.

The job is pure (no database), so the worker need not share pytest-django's test database.
The worker autodiscovers only the apps' `tasks` modules, so the subprocess imports
`herodesk.tests.jobs` first and then calls `herodesk.cli.main(["worker", ...])`: the same code
the `herodesk` console script runs. Redis must be running: without it this test fails, never skips.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from huey import PriorityRedisHuey

from herodesk.tests import jobs

pytestmark = pytest.mark.redis

REDIS_URL = os.environ.get("HERODESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
WORKER = (
    "import django; django.setup(); import herodesk.tests.jobs; from herodesk.cli import main; "
    "raise SystemExit(main(['worker', '--workers', '1']))"
)


@dataclass
class Worker:
    proc: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


@pytest.fixture
def queue_name():
    return f"herodesk-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def client_huey(queue_name):
    """The enqueueing side; settings.py builds the same class for the worker when REDIS_URL is set."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is not reachable at {REDIS_URL} ({error}); start it with ./dev services")
    huey = PriorityRedisHuey(name=queue_name, url=REDIS_URL)
    yield huey
    huey.storage.flush_all()


@pytest.fixture
def worker(queue_name, tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="herodesk.settings",
        HERODESK_DATA_DIR=str(tmp_path / "worker-data"),
        HERODESK_QUEUE_NAME=queue_name,
        HERODESK_TASKS_IMMEDIATE="false",
        REDIS_URL=REDIS_URL,
    )
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-c", WORKER], env=env, stdout=log, stderr=subprocess.STDOUT)
    yield Worker(proc, log_path)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # Huey's graceful shutdown
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for_result(result, worker: Worker, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = result.get()
        if value is not None:
            return value
        if worker.proc.poll() is not None:
            pytest.fail(f"worker exited with {worker.proc.returncode}:\n{worker.log_tail()}")
        time.sleep(0.2)
    pytest.fail(f"no result within {timeout:.0f}s; worker log:\n{worker.log_tail()}")


def test_a_job_enqueued_in_redis_is_run_by_the_worker_and_its_result_comes_back(client_huey, worker):
    ping = client_huey.task()(jobs.ping.func)  # same module and name, so the worker finds it
    token = f"pong-{uuid.uuid4().hex}"

    result = ping(token)

    assert wait_for_result(result, worker) == token
    assert worker.proc.poll() is None, "the worker keeps serving after a job"
