"""Outgoing email for agent replies: built and sent by the worker, never inside a web request.

A conversation that came in through a mailbox is answered from that mailbox (address, SMTP server).
Message-IDs are stored without angle brackets, like inbound ones; headers get the brackets.
"""

from __future__ import annotations

import logging

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, linebreaks

from herodesk.channels.email import queries, send
from herodesk.channels.email.models import Mailbox
from herodesk.conversations.models import Channel, Message
from herodesk.customers.models import Identity

log = logging.getLogger(__name__)
EMAILED_CHANNELS = {Channel.EMAIL, Channel.WEBFORM, Channel.API}
MAX_ATTEMPTS = 5


def recipient_for(message: Message) -> str | None:
    customer = message.conversation.customer
    if customer is None:
        return None
    identity = customer.identities.filter(kind=Identity.Kind.EMAIL, bouncing=False).order_by("id").first()
    return identity.value if identity else None


def can_email(message: Message) -> bool:
    return (
        message.kind == Message.Kind.REPLY
        and message.conversation.channel in EMAILED_CHANNELS
        and recipient_for(message) is not None
    )


def enqueue(message_id: int) -> None:
    from herodesk.channels.email import tasks

    tasks.send_reply(message_id)


def domain(mailbox: Mailbox | None = None) -> str:
    return send.sending_domain(mailbox)


def outgoing_message_id(message: Message, mailbox: Mailbox | None = None) -> str:
    """Our Message-ID carries the conversation's reply token, so replies thread even without References."""
    return send.new_message_id(message.conversation, mailbox)


def thread_references(message: Message) -> tuple[str, list[str]]:
    """In-Reply-To is the latest earlier message with a Message-ID; References lists them all (bracketed)."""
    earlier = (
        Message.objects.filter(conversation_id=message.conversation_id, created_at__lte=message.created_at)
        .exclude(pk=message.pk)
        .exclude(external_id="")
        .order_by("created_at", "id")
        .values_list("external_id", flat=True)
    )
    refs = [send.bracketed(external_id) for external_id in list(earlier)[-20:]]
    return (refs[-1] if refs else ""), refs


def reply_to_address(message: Message, mailbox: Mailbox | None = None) -> str:
    return send.reply_to_address(message.conversation, mailbox)


def build_email(message: Message, to: str, mailbox: Mailbox | None = None) -> EmailMultiAlternatives:
    conversation = message.conversation
    if not message.external_id:
        message.external_id = outgoing_message_id(message, mailbox)
        message.save(update_fields=["external_id"])
    in_reply_to, references = thread_references(message)
    headers = {
        "Message-ID": send.bracketed(message.external_id),
        "Reply-To": reply_to_address(message, mailbox),
    }
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
        headers["References"] = " ".join(references)
    subject = f"Re: {conversation.subject} [#{conversation.pk}]"
    author = message.author.display_name if message.author else "Support"
    body = f"{message.text}\n\n-- \n{author}"
    email = EmailMultiAlternatives(
        subject=subject, body=body, from_email=send.from_address(mailbox), to=[to], headers=headers
    )
    email.attach_alternative(
        linebreaks(escape(message.text)) + f"<p>-- <br>{escape(author)}</p>", "text/html"
    )
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as handle:
            email.attach(attachment.filename, handle.read(), attachment.content_type)
    return email


def send_reply_now(message_id: int) -> bool:
    """Send one queued reply. Returns True when done (sent, or nothing to send); False to retry."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("conversation", "conversation__customer", "author")
            .get(pk=message_id)
        )
        if message.send_status == Message.SendStatus.SENT:
            return True
        to = recipient_for(message)
        if to is None:
            _mark(message, Message.SendStatus.FAILED, "The customer has no working email address.")
            return True
        mailbox = queries.mailbox_for_conversation(message.conversation_id)
        email = build_email(message, to, mailbox)
    try:
        with send.smtp_connection(mailbox) as connection:
            connection.send_messages([email])
    except Exception as exc:  # noqa: BLE001 - any transport error is recorded and retried
        log.warning("Sending message %s failed: %s", message_id, exc)
        return _record_failure(message_id, str(exc) or exc.__class__.__name__)
    Message.objects.filter(pk=message_id).update(
        send_status=Message.SendStatus.SENT, send_error="", sent_at=timezone.now()
    )
    return True


def _record_failure(message_id: int, reason: str) -> bool:
    message = Message.objects.get(pk=message_id)
    message.send_attempts += 1
    final = message.send_attempts >= MAX_ATTEMPTS
    message.send_status = Message.SendStatus.FAILED if final else Message.SendStatus.QUEUED
    message.send_error = reason[:1000]
    message.save(update_fields=["send_attempts", "send_status", "send_error"])
    return final


def _mark(message: Message, status: str, error: str = "") -> None:
    message.send_status = status
    message.send_error = error
    message.save(update_fields=["send_status", "send_error"])
