"""Background jobs of the email channel."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from herodesk.channels.email import delivery


class SendFailed(Exception):
    """Raised so Huey retries the job with a delay."""


@db_task(retries=delivery.MAX_ATTEMPTS, retry_delay=30)
def send_reply(message_id: int) -> None:
    if not delivery.send_reply_now(message_id):
        raise SendFailed(f"message {message_id} will be retried")
