"""Everything the email channel sends, and the jobs that send it: agent replies and auto-acknowledgements.

Nothing is sent inside a web request: a reply is accepted (marked queued by ``conversations``) and a job
sends it after the commit, with retries. A conversation that came in through a mailbox is answered from
that mailbox's address and through its SMTP server when it has one; everything else uses the global
Django EMAIL_* settings. Message-IDs are stored without angle brackets, like inbound ones; headers get
the brackets.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils.html import escape, linebreaks
from huey.contrib.djhuey import db_task

from herodesk.channels.email import actions, credentials, queries
from herodesk.channels.email.models import InboundMail, Mailbox, Security
from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.models import Channel, Conversation, Message

log = logging.getLogger(__name__)
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
SMTP_TIMEOUT = 30
EMAILED_CHANNELS = {Channel.EMAIL, Channel.WEBFORM, Channel.API}
# Attempts per outgoing mail (a reply or an acknowledgement), the first included; then it is failed.
SEND_ATTEMPTS = 5
RETRY_DELAY_SECONDS = 30


class SendFailed(Exception):
    """Raised so Huey retries the job with a delay."""


# --- Jobs -------------------------------------------------------------------------------------------


@db_task(retries=SEND_ATTEMPTS - 1, retry_delay=RETRY_DELAY_SECONDS)
def send_reply(message_id: int) -> None:
    if not send_reply_now(message_id):
        raise SendFailed(f"message {message_id} will be retried")


@db_task(retries=SEND_ATTEMPTS - 1, retry_delay=RETRY_DELAY_SECONDS * 2)
def send_auto_ack(inbound_id: int) -> None:
    if not send_acknowledgement_now(inbound_id):
        raise SendFailed(f"acknowledgement of inbound mail {inbound_id} will be retried")


@db_task(retries=SEND_ATTEMPTS - 1, retry_delay=RETRY_DELAY_SECONDS)
def send_notice(to: str, subject: str, text: str) -> None:
    """A short notice to an address (e.g. the web form's "confirm your address"), from the desk's address."""
    email = EmailMultiAlternatives(subject=subject, body=text, from_email=from_address(None), to=[to])
    with smtp_connection(None) as connection:
        connection.send_messages([email])


def queue_notice(to: str, subject: str, text: str) -> None:
    """Registered with ``conversations.hooks``: the notice is sent by the worker after the commit."""
    transaction.on_commit(lambda: send_notice(to, subject, text))


def accept_reply(message: Message) -> Callable[[], None] | None:
    """Registered with ``conversations.hooks``: how a reply that can be emailed is sent (queues the job)."""
    if not can_email(message):
        return None
    message_id = message.pk
    return lambda: send_reply(message_id)


def queue_acknowledgement(inbound_id: int) -> None:
    transaction.on_commit(lambda: send_auto_ack(inbound_id))


# --- Agent replies ----------------------------------------------------------------------------------


def recipient_for(message: Message) -> str | None:
    customer = message.conversation.customer
    return queries.working_address(customer.pk) if customer is not None else None


def can_email(message: Message) -> bool:
    return (
        message.kind == Message.Kind.REPLY
        and message.conversation.channel in EMAILED_CHANNELS
        and recipient_for(message) is not None
    )


def send_reply_now(message_id: int) -> bool:
    """Send one queued reply. Returns True when done (sent, or nothing to send); False to retry."""
    message = queries.reply_to_send(message_id)
    if message is None or message.send_status == Message.SendStatus.SENT:
        return True
    to = recipient_for(message)
    if to is None:
        conversation_actions.do_record_send_failure(
            message_id, "The customer has no working email address.", final=True
        )
        return True
    mailbox = queries.mailbox_for_conversation(message.conversation_id)
    if not message.external_id:
        # Stored before sending, so a retry sends the same Message-ID and the customer sees one thread.
        message.external_id = conversation_actions.do_set_outgoing_message_id(
            message_id, new_message_id(message.conversation, mailbox)
        )
    email = build_email(message, to, mailbox)
    try:
        with smtp_connection(mailbox) as connection:
            connection.send_messages([email])
    except Exception as exc:  # noqa: BLE001 - any transport error is recorded and retried
        log.warning("Sending message %s failed: %s", message_id, exc)
        return conversation_actions.do_record_send_failure(
            message_id, str(exc) or exc.__class__.__name__, max_attempts=SEND_ATTEMPTS
        )
    conversation_actions.do_mark_reply_sent(message_id)
    return True


def thread_references(message: Message) -> tuple[str, list[str]]:
    """In-Reply-To is the latest earlier message with a Message-ID; References lists them all (bracketed)."""
    refs = [bracketed(external_id) for external_id in queries.earlier_message_ids(message)[-20:]]
    return (refs[-1] if refs else ""), refs


def build_email(message: Message, to: str, mailbox: Mailbox | None = None) -> EmailMultiAlternatives:
    """The mail for one reply; ``message.external_id`` must be set (send_reply_now does that)."""
    conversation = message.conversation
    in_reply_to, references = thread_references(message)
    headers = {
        "Message-ID": bracketed(message.external_id),
        "Reply-To": reply_to_address(conversation, mailbox),
    }
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
        headers["References"] = " ".join(references)
    subject = f"Re: {conversation.subject} [#{conversation.pk}]"
    author = message.author.display_name if message.author else "Support"
    body = f"{message.text}\n\n-- \n{author}"
    email = EmailMultiAlternatives(
        subject=subject, body=body, from_email=from_address(mailbox), to=[to], headers=headers
    )
    email.attach_alternative(
        linebreaks(escape(message.text)) + f"<p>-- <br>{escape(author)}</p>", "text/html"
    )
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as handle:
            email.attach(attachment.filename, handle.read(), attachment.content_type)
    return email


# --- SMTP and addresses -----------------------------------------------------------------------------


def smtp_connection(mailbox: Mailbox | None) -> BaseEmailBackend:
    if mailbox is None or not mailbox.smtp_host:
        return get_connection()
    return get_connection(
        SMTP_BACKEND,
        host=mailbox.smtp_host,
        port=mailbox.smtp_port,
        username=mailbox.smtp_user or None,
        password=credentials.smtp_password(mailbox) or None,
        use_tls=mailbox.smtp_security == Security.STARTTLS,
        use_ssl=mailbox.smtp_security == Security.TLS,
        timeout=SMTP_TIMEOUT,
    )


def check_smtp(mailbox: Mailbox) -> str:
    """Connect and log in without sending anything (for "test connection")."""
    connection = smtp_connection(mailbox)
    connection.open()
    connection.close()
    where = f"{mailbox.smtp_host}:{mailbox.smtp_port}" if mailbox.smtp_host else "the global SMTP server"
    return f"SMTP: connected to {where}."


def from_address(mailbox: Mailbox | None) -> str:
    if mailbox is None:
        return settings.DEFAULT_FROM_EMAIL or "support@localhost"
    return formataddr((mailbox.name, mailbox.address))


def _address(mailbox: Mailbox | None) -> str:
    return mailbox.address if mailbox is not None else (settings.DEFAULT_FROM_EMAIL or "support@localhost")


def sending_domain(mailbox: Mailbox | None) -> str:
    return _address(mailbox).rpartition("@")[2].rstrip(">") or "localhost"


def new_message_id(conversation: Conversation, mailbox: Mailbox | None) -> str:
    """``hd.{conversation}.{reply token}.{unique}@domain``, without angle brackets (as stored).

    The reply token makes replies thread even without References (routing.py).
    """
    unique = secrets.token_hex(8)
    return f"hd.{conversation.pk}.{conversation.reply_token}.{unique}@{sending_domain(mailbox)}"


def reply_to_address(conversation: Conversation, mailbox: Mailbox | None) -> str:
    address = _address(mailbox)
    if "<" in address:  # DEFAULT_FROM_EMAIL may carry a display name
        address = address.rpartition("<")[2].rstrip(">")
    local, _, host = address.partition("@")
    return f"{local}+hd-{conversation.reply_token}@{host or 'localhost'}"


def bracketed(message_id: str) -> str:
    return f"<{queries.bare_message_id(message_id)}>"


# --- Auto-acknowledgement ---------------------------------------------------------------------------


def build_acknowledgement(inbound: InboundMail) -> EmailMultiAlternatives:
    mailbox, conversation = inbound.mailbox, inbound.conversation
    assert mailbox is not None and conversation is not None
    headers = {
        "Message-ID": bracketed(new_message_id(conversation, mailbox)),
        "Reply-To": reply_to_address(conversation, mailbox),
        # RFC 3834: machines must not answer this, and Exchange must not send its out-of-office.
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
    }
    if inbound.message_id_header:
        headers["In-Reply-To"] = bracketed(inbound.message_id_header)
        headers["References"] = bracketed(inbound.message_id_header)
    text = mailbox.auto_ack_text.strip()
    email = EmailMultiAlternatives(
        subject=f"Re: {conversation.subject} [#{conversation.pk}]",
        body=text,
        from_email=from_address(mailbox),
        to=[inbound.from_address],
        headers=headers,
    )
    email.attach_alternative(linebreaks(escape(text)), "text/html")
    return email


def send_acknowledgement_now(inbound_id: int) -> bool:
    """Send one auto-acknowledgement. True when done (sent or not needed); False to retry."""
    inbound = queries.inbound_to_acknowledge(inbound_id)
    if inbound is None or inbound.acknowledged_at or inbound.mailbox is None or inbound.conversation is None:
        return True
    if queries.is_bouncing(inbound.from_address):
        return True
    try:
        with smtp_connection(inbound.mailbox) as connection:
            connection.send_messages([build_acknowledgement(inbound)])
    except Exception as error:  # noqa: BLE001 - any transport error is logged and retried
        log.warning("Auto-acknowledgement for inbound mail %s failed: %s", inbound_id, error)
        return False
    actions.do_mark_acknowledged(inbound_id)
    return True
