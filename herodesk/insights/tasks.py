"""Background jobs of the insights app: analysis of new messages, promise deadlines, reason model."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(retries=2, retry_delay=10)
def analyse(conversation_id: int, message_id: int | None = None) -> None:
    from herodesk.insights import actions

    actions.analyse_conversation(conversation_id, message_id)


@db_periodic_task(crontab(minute="*/5"))
def mark_broken_promises() -> int:
    from herodesk.insights import actions

    return actions.do_mark_broken_promises()


@db_periodic_task(crontab(hour="3", minute="17"))
def retrain_reasons() -> int:
    from herodesk.insights import reasons

    return reasons.retrain()
