"""Background jobs of the notifications app."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def send_notification_emails() -> int:
    """Batched mails for agents who asked for them (at most one per agent every few minutes)."""
    from herodesk.notifications.actions import do_send_notification_emails

    return do_send_notification_emails()
