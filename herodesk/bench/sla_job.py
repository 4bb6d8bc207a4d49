"""Measure the periodic SLA job on a seeded bench desk: ``python -m herodesk.bench.sla_job``.

Run with the bench's data dir (``HERODESK_DATA_DIR=/tmp/sla-bench``) after ``herodesk bench seed``. Seeds SLA
policies and targets for every conversation (once), then times passes of ``do_check_targets``: with nothing
due, after N targets came due, and again right after (a restarted worker), with the queries and writes of
each; one conversation's sync; and the inbox sorted by deadline.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta


def main(came_due: int = 200) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herodesk.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from herodesk.accounts.models import User
    from herodesk.conversations import queries
    from herodesk.conversations.models import Conversation
    from herodesk.demo.sla import seed_slas
    from herodesk.slas import actions
    from herodesk.slas.models import SlaTarget

    call_command("migrate", verbosity=0)
    print(
        "conversations", Conversation.objects.count(), "open", Conversation.objects.filter(is_open=1).count()
    )
    if not SlaTarget.objects.exists():
        started = time.perf_counter()
        count = seed_slas(weeks=520)
        print(f"seeded {count} targets in {time.perf_counter() - started:.1f} s")
    running = SlaTarget.objects.filter(met_at__isnull=True, stopped_at__isnull=True, paused_at__isnull=True)
    print("targets", SlaTarget.objects.count(), "running", running.count())

    def one_pass(label: str) -> None:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = actions.do_check_targets()
            took = time.perf_counter() - started
        sql = [q["sql"].lstrip().upper() for q in captured.captured_queries]
        writes = sum(1 for s in sql if s.startswith(("UPDATE", "INSERT")))
        print(
            f"{label}: {took * 1000:.1f} ms, warned {result.warned}, breached {result.breached}, "
            f"queries {len(sql)}, writes {writes}"
        )

    one_pass("pass, nothing changed")
    now = timezone.now()
    ids = list(
        running.filter(breached_at__isnull=True, due_at__gt=now).values_list("pk", flat=True)[:came_due]
    )
    SlaTarget.objects.filter(pk__in=ids).update(
        due_at=now - timedelta(seconds=1), warn_at=now - timedelta(minutes=30)
    )
    one_pass(f"pass after {len(ids)} targets came due")
    one_pass("pass right after (a restarted worker)")

    conversation = Conversation.objects.filter(is_open=1).order_by("-pk").first()
    if conversation is not None:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            actions.do_sync_targets(conversation.pk)
            took = time.perf_counter() - started
        print(f"sync one conversation: {took * 1000:.1f} ms, {len(captured.captured_queries)} queries")
    user = User.objects.filter(role="admin").first() or User.objects.first()
    if user is not None:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            page = queries.inbox_page(user, "open", queries.InboxFilters(sort="due"))
            took = time.perf_counter() - started
        print(f"inbox 'all open' sorted by deadline: {took * 1000:.1f} ms, {len(page.conversations)} rows")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
