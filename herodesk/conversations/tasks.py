"""Background jobs of the conversations app."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def wake_snoozed() -> int:
    """Reopen conversations whose snooze time has come (the time stays visible as a reminder)."""
    from herodesk.conversations.actions import do_wake_due_snoozes

    return do_wake_due_snoozes()


@db_periodic_task(crontab(minute="*"))
def finish_pending_work() -> int:
    """Index and analyse what a crash right after a commit left undone (rows older than a minute)."""
    from herodesk.conversations.actions import do_finish_stale_pending_work

    return do_finish_stale_pending_work()
