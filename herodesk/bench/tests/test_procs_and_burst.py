"""The bench reads the server's processes from /proc, and a burst files real customer messages."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from herodesk.bench import burst, procs
from herodesk.bench.load import BenchCredentials, OperationResult, format_table, with_server_readings
from herodesk.tests.factories import ConversationFactory

# A parent that stands in for `herodesk serve`: a "gunicorn" master with two workers, and a job worker.
_TREE = """
import subprocess, sys, time
sleep = [sys.executable, "-c", "import time; time.sleep(60)"]
master = subprocess.Popen([sys.executable, "-c",
    "import subprocess, sys, time; s=[sys.executable, '-c', 'import time; time.sleep(60)', 'gunicorn'];"
    "ps=[subprocess.Popen(s) for _ in range(2)]; time.sleep(60)", "gunicorn"])
worker = subprocess.Popen(sleep + ["-m", "herodesk.cli worker"])
time.sleep(60)
"""


@pytest.fixture
def server_tree():
    parent = subprocess.Popen([sys.executable, "-c", _TREE])
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            roles = procs.server_roles([parent.pid])
            if len(roles["web"]) == 2 and len(roles["job"]) == 1:
                break
            time.sleep(0.1)
        yield parent
    finally:
        for pid in reversed(procs.descendants(parent.pid)):
            subprocess.run(["kill", "-9", str(pid)], check=False)
        parent.wait()


def test_web_workers_and_the_job_worker_are_told_apart_and_the_master_is_left_out(server_tree):
    roles = procs.server_roles([server_tree.pid])
    assert len(roles["web"]) == 2
    assert len(roles["job"]) == 1
    sample = procs.memory_sample(server_tree.pid)
    assert set(sample) == {"web worker 1", "web worker 2", "job worker"}
    assert all(mb > 1 for mb in sample.values())


def test_cpu_seconds_grow_with_work_done():
    before = procs.cpu_seconds(os.getpid())
    started = time.process_time()
    while time.process_time() - started < 0.3:
        sum(range(1000))
    after = procs.cpu_seconds(os.getpid())
    assert after - before >= 0.2
    assert procs.cpu_seconds(999_999_999) == 0.0  # gone: no error


def test_cpu_per_request_is_the_server_cpu_between_snapshots_divided_by_requests():
    before = procs.Snapshot(cpu={"web": 10.0, "job": 1.0}, rss_mb={"web worker 1": 200.0})
    after = procs.Snapshot(cpu={"web": 10.5, "job": 1.1}, rss_mb={"web worker 1": 210.0, "job worker": 300.0})
    assert procs.cpu_ms_per_request(before, after, "web", 100) == 5.0
    assert procs.cpu_ms_per_request(before, after, "web", 0) is None
    restarted = procs.Snapshot(cpu={"web": 2.0})
    assert procs.cpu_ms_per_request(before, restarted, "web", 10) is None
    result = OperationResult("inbox", 100, 0, 10, 20, 30, 12, 40, 50, 50.0, True)
    with_server_readings(result, before, after)
    readings = (result.server_cpu_ms, result.job_cpu_ms, result.web_rss_mb, result.job_rss_mb)
    assert readings == (5.0, 1.0, 210.0, 300.0)
    table = format_table([result])
    assert "5.0" in table and "largest web worker 210 MB, job worker 300 MB" in table


@pytest.mark.django_db
def test_a_burst_files_customer_messages_that_the_analysis_then_scores(customer, support_team):
    conversations = [ConversationFactory(customer=customer, team=support_team) for _ in range(2)]
    ids = sorted(c.pk for c in conversations)
    credentials = BenchCredentials("bench", "x", "t", ids[0], ids[-1])
    seconds, message_ids = burst.file_burst(6, credentials, seed=3, progress=lambda _line: None)
    assert len(message_ids) == 6 and seconds > 0
    # Jobs run at once in tests (Huey's immediate mode), so every filed message is scored already.
    assert burst.unscored(message_ids) == 0
    report = burst.BurstReport(messages=6, filed_seconds=seconds, drained_seconds=None, left=2, workers=1,
                               worker_cpu_seconds=0.0)
    assert "NOT drained: 2 analyses" in "\n".join(report.lines())
