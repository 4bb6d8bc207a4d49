"""Sending for the email channel: per-mailbox SMTP and addresses, our Message-IDs, auto-acknowledgements.

A conversation that came in through a mailbox is answered from that mailbox's address and through its
SMTP server when it has one; everything else uses the global Django EMAIL_* settings.
"""

from __future__ import annotations

import logging
import secrets
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django.utils.html import escape, linebreaks

from herodesk.channels.email import actions, credentials, queries
from herodesk.channels.email.models import InboundMail, Mailbox, Security
from herodesk.conversations.models import Conversation

log = logging.getLogger(__name__)
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
SMTP_TIMEOUT = 30


def smtp_connection(mailbox: Mailbox | None) -> BaseEmailBackend:
    if mailbox is None or not mailbox.smtp_host:
        return get_connection()
    return get_connection(
        SMTP_BACKEND,
        host=mailbox.smtp_host,
        port=mailbox.smtp_port,
        username=mailbox.smtp_user or None,
        password=smtp_password(mailbox) or None,
        use_tls=mailbox.smtp_security == Security.STARTTLS,
        use_ssl=mailbox.smtp_security == Security.TLS,
        timeout=SMTP_TIMEOUT,
    )


def smtp_password(mailbox: Mailbox) -> str:
    """The SMTP password, or the IMAP one when SMTP logs in as the same user with none of its own."""
    if mailbox.smtp_password_encrypted:
        return credentials.decrypt(mailbox.smtp_password_encrypted)
    if mailbox.smtp_user and mailbox.smtp_user == mailbox.imap_user:
        from herodesk.channels.email.intake import mailbox_password

        return mailbox_password(mailbox)
    return ""


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
    """``hd.{conversation}.{reply token}.{unique}@domain``, without angle brackets (as stored)."""
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
    inbound = (
        InboundMail.objects.defer("raw")
        .select_related("mailbox", "conversation")
        .filter(pk=inbound_id)
        .first()
    )
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
    log.info("Acknowledged inbound mail %s at %s", inbound_id, timezone.now().isoformat())
    return True
