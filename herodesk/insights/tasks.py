"""Background jobs of the insights app: analysis of new messages, promise deadlines, reason model."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from herodesk import after_commit


@db_task(retries=2, retry_delay=10)
def analyse(conversation_id: int, message_id: int | None = None) -> None:
    from herodesk.insights import actions

    actions.analyse_conversation(conversation_id, message_id)


@db_task(retries=2, retry_delay=10)
def analyse_many(pairs: list[tuple[int, int | None]]) -> None:
    """Analyse what one transaction changed (a reply, or a batch of filed mails) in one job."""
    from herodesk.insights import actions

    for conversation_id, message_id in pairs:
        actions.analyse_conversation(conversation_id, message_id)


def schedule_analysis(conversation_id: int, message_id: int | None) -> None:
    """Queue the analysis once the transaction commits; not durable (conversations records its changes
    and calls ``enqueue`` after the commit, or from its sweep after a crash)."""
    after_commit.collect("analysis", (conversation_id, message_id), enqueue)


def enqueue(pairs: list[tuple[int, int | None]]) -> None:
    """One queue write per transaction, not per message."""
    if len(pairs) == 1:
        analyse(*pairs[0])
    else:
        analyse_many(pairs)


@db_periodic_task(crontab(minute="*/5"))
def mark_broken_promises() -> int:
    from herodesk.insights import actions

    return actions.do_mark_broken_promises()


@db_periodic_task(crontab(minute="*/5"))
def notify_promises_due() -> int:
    """Tell owners about promises due within the hour or overdue (each once)."""
    from herodesk.insights import actions

    return actions.do_notify_promises_due()


@db_periodic_task(crontab(hour="3", minute="17"))
def retrain_reasons() -> int:
    from herodesk.insights import reasons

    trained = reasons.retrain()
    reasons.warm_proposals()  # the contact reasons page then encodes only what is new
    return trained


@db_task(retries=1, retry_delay=30)
def warm_reason_proposals() -> int:
    """Read (embed) the recent untagged conversations that a page view left for later."""
    from herodesk.insights import reasons

    return reasons.warm_proposals()


@db_task(retries=1, retry_delay=30)
def retrain_reasons_now() -> int:
    """A lead asked for a fresh model (e.g. after adopting a proposed reason and tagging with it)."""
    from herodesk.insights import reasons

    return reasons.retrain()


@db_periodic_task(crontab(minute="*/10"))
def track_untracked_hero_moments() -> int:
    """Conversations awaiting relief with no hero moment recorded (analysed before hero moments were
    recorded, e.g. a desk upgraded to this version) are analysed again, a batch at a time."""
    from herodesk.insights import actions

    return actions.track_untracked_hero_moments()
