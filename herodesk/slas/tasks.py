"""Background jobs of the SLA app: bring targets up to date after a change; warn and mark breaches."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from herodesk import after_commit


@db_task(retries=2, retry_delay=10)
def sync_targets(conversation_ids: list[int]) -> None:
    from herodesk.slas import actions
    from herodesk.slas.clock import Calendars

    calendars = Calendars()
    for conversation_id in dict.fromkeys(conversation_ids):
        actions.do_cancel_answered_follow_ups(conversation_id)
        actions.do_hand_over_with_conversation(conversation_id)
        actions.do_sync_targets(conversation_id, calendars=calendars)


def schedule_sync(conversation_id: int, message_id: int | None) -> None:
    """Queue one sync job per transaction, after the commit (the change listener)."""
    after_commit.collect("sla-sync", conversation_id, sync_targets)


@db_periodic_task(crontab(minute="*"))
def check_targets() -> tuple[int, int]:
    from herodesk.slas import actions

    result = actions.do_check_targets()
    return result.warned, result.breached


@db_periodic_task(crontab(minute="*"))
def send_due_replies() -> int:
    """Scheduled replies and follow-ups whose time has come, through the normal reply path."""
    from herodesk.slas import actions

    return actions.do_send_due()


@db_periodic_task(crontab(minute="*"))
def promise_reminders() -> tuple[int, int]:
    from herodesk.slas import actions

    result = actions.do_promise_reminders()
    return result.reminded, result.overdue
