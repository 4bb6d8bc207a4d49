"""Background analysis of new messages with the hero signals engine."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task(retries=2, retry_delay=10)
def analyse(conversation_id: int, message_id: int | None = None) -> None:
    from herodesk.insights import actions

    actions.analyse_conversation(conversation_id, message_id)
