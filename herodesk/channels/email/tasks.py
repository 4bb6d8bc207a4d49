"""Periodic and on-demand polling of mailboxes. The sending jobs live with the sending code (send.py)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from herodesk.channels.email import intake, queries

log = logging.getLogger(__name__)


@db_task()
def poll_mailbox(mailbox_id: int) -> None:
    """ "Poll now" from the desk; the poll lease keeps it from overlapping the periodic poll."""
    mailbox = queries.mailbox_by_id(mailbox_id)
    if mailbox is not None:
        intake.poll(mailbox)


@db_periodic_task(crontab(minute="*"))
def poll_due_mailboxes() -> None:
    """Every minute: poll mailboxes whose interval passed (backoff pushes that further after errors)."""
    for result in intake.poll_due():
        if result.error:
            log.warning("Polling mailbox %s failed: %s", result.mailbox_id, result.error)
