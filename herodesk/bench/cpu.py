"""`herodesk bench cpu`: server CPU and SQL queries per request, in one process, on a seeded desk.

Each operation goes through the whole Django stack (middleware, views, templates) with the test client,
logged in as the bench agent; the CPU time of the process is measured around each request, so the number
barely moves with what else the machine is doing (unlike latency). Background jobs are not counted: they
run on the worker. Seed first: `herodesk bench seed --conversations N --data-dir DIR`.

It also counts the Python function calls per request (cProfile, over a few extra requests): unlike CPU
milliseconds that number does not move with the machine's load, so a change's effect shows on a busy day.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

PROFILED_REQUESTS = 10
OPERATIONS = ("inbox", "inbox_mine", "conversation", "search", "api_list", "api_read", "reply")


@dataclass(frozen=True)
class CpuResult:
    operation: str
    requests: int
    cpu_ms_median: float
    cpu_ms_p90: float
    queries: int
    calls: int  # Python function calls per request (cProfile), deterministic for the same code and data


def measure(requests: int = 100, operations: tuple[str, ...] = OPERATIONS) -> list[CpuResult]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from herodesk.accounts.models import User
    from herodesk.conversations.queries import visible_conversations

    settings.STORAGES = {  # the test client needs no collected static files
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.SECURE_SSL_REDIRECT = False  # served behind HTTPS, a request is never redirected
    user = User.objects.get(username="bench")
    client = Client()
    client.force_login(user)
    ids = list(visible_conversations(user).order_by("-last_activity_at").values_list("pk", flat=True)[:500])
    calls: dict[str, Callable[[int], object]] = {
        "inbox": lambda i: client.get("/inbox/open/"),
        "inbox_mine": lambda i: client.get("/inbox/mine/"),
        "conversation": lambda i: client.get(f"/c/{ids[i % len(ids)]}/"),
        "search": lambda i: client.get(
            "/search/", {"q": ("refund", "delivery", "password", "invoice")[i % 4]}
        ),
        "api_list": lambda i: client.get("/api/v1/conversations", {"status": "open"}),
        "api_read": lambda i: client.get(f"/api/v1/conversations/{ids[i % len(ids)]}"),
        "reply": lambda i: client.post(
            f"/c/{ids[-1 - i % len(ids)]}/reply/", {"text": f"Checked order {i}."}
        ),
    }
    results = []
    for name in operations:
        call = calls[name]
        for i in range(5):  # warm caches and lazy imports
            call(i)
        samples = []
        for i in range(requests):
            started = time.process_time()
            response = call(i)
            samples.append((time.process_time() - started) * 1000)
            status = getattr(response, "status_code", 0)
            if status not in (200, 302):
                raise RuntimeError(f"{name}: HTTP {status}")
        with CaptureQueriesContext(connection) as queries:
            call(requests)
        query_count = len(queries.captured_queries)  # now: the log is shared with the requests below
        profiled = min(requests, PROFILED_REQUESTS)
        profile = cProfile.Profile()
        profile.enable()
        for i in range(profiled):
            call(i)
        profile.disable()
        samples.sort()
        results.append(
            CpuResult(
                name,
                requests,
                round(statistics.median(samples), 2),
                round(samples[int(0.9 * (len(samples) - 1))], 2),
                query_count,
                round(pstats.Stats(profile).total_calls / profiled),  # type: ignore[attr-defined]
            )
        )
    return results


def report(results: list[CpuResult]) -> str:
    lines = [
        "| operation | requests | CPU ms median | CPU ms p90 | SQL queries | Python calls |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.operation} | {r.requests} | {r.cpu_ms_median} | {r.cpu_ms_p90} | {r.queries} | {r.calls:,} |"
        for r in results
    ]
    return "\n".join(lines)


def as_json(results: list[CpuResult]) -> str:
    return json.dumps([asdict(r) for r in results], indent=2)
