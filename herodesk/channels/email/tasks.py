"""Background jobs of the email channel: sending replies and acknowledgements, polling mailboxes."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from herodesk.channels.email import delivery

log = logging.getLogger(__name__)


class SendFailed(Exception):
    """Raised so Huey retries the job with a delay."""


@db_task(retries=delivery.MAX_ATTEMPTS, retry_delay=30)
def send_reply(message_id: int) -> None:
    if not delivery.send_reply_now(message_id):
        raise SendFailed(f"message {message_id} will be retried")


@db_task(retries=3, retry_delay=60)
def send_auto_ack(inbound_id: int) -> None:
    from herodesk.channels.email import send

    if not send.send_acknowledgement_now(inbound_id):
        raise SendFailed(f"acknowledgement of inbound mail {inbound_id} will be retried")


@db_task()
def poll_mailbox(mailbox_id: int) -> None:
    """ "Poll now" from the desk; the poll lease keeps it from overlapping the periodic poll."""
    from herodesk.channels.email import intake, queries

    mailbox = queries.mailbox_by_id(mailbox_id)
    if mailbox is not None:
        intake.poll(mailbox)


@db_periodic_task(crontab(minute="*"))
def poll_due_mailboxes() -> None:
    """Every minute: poll mailboxes whose interval passed (backoff pushes that further after errors)."""
    from herodesk.channels.email import intake

    for result in intake.poll_due():
        if result.error:
            log.warning("Polling mailbox %s failed: %s", result.mailbox_id, result.error)
