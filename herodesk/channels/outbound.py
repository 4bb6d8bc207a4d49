"""Routing of agent replies to the channel that delivers them to the customer.

Email replies are queued for the worker; phone and web-form customers read replies in the desk
or on their private status link, and web-form customers with an email address also get an email.
"""

from __future__ import annotations

from django.db import transaction

from herodesk.conversations.models import Message


def queue_reply(message: Message) -> None:
    """Mark an agent reply for delivery and enqueue it after the transaction commits."""
    from herodesk.channels.email import delivery

    if not delivery.can_email(message):
        return
    message.send_status = Message.SendStatus.QUEUED
    message.save(update_fields=["send_status"])
    message_id = message.pk
    transaction.on_commit(lambda: delivery.enqueue(message_id))
