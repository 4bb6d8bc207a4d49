"""Writes of the email channel: stored inbound mail and its outcome, mailbox settings and poll health.

Every ``do_*`` runs in one transaction. ``finish_inbound`` and ``fail_inbound`` run inside the filing
transaction of ``filing.do_file_batch``, which decides what happens to each mail.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from herodesk.channels.email import credentials, queries
from herodesk.channels.email.models import (
    InboundMail,
    Mailbox,
    PasswordSource,
    hash_webhook_token,
    new_webhook_token,
)
from herodesk.conversations.hooks import ErasedCustomer
from herodesk.conversations.models import Conversation, Message
from herodesk.customers.actions import normalize_email

log = logging.getLogger(__name__)
State = InboundMail.State
# A poll renews its lease after every fetch batch; a lease not renewed for this long has lost its holder.
POLL_HEARTBEAT = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
# Never "raw": rewriting the stored bytes on every state change would double the cost of intake.
FINISH_FIELDS = (
    "state",
    "reason",
    "conversation",
    "message",
    "processed_at",
    "message_id_header",
    "from_address",
    "subject",
    "auto_submitted",
)


# --- Storing raw mail -------------------------------------------------------------------------------


@dataclass
class RawMail:
    """Mail as it arrived. ``size`` is the real size when only the header block was fetched."""

    raw: bytes
    source: str
    mailbox: Mailbox | None = None
    uidvalidity: int | None = None
    uid: int | None = None
    size: int | None = None
    arrived_at: datetime | None = None  # when the mail server got it (IMAP INTERNALDATE)


@transaction.atomic
def do_store_inbound(mail: RawMail) -> InboundMail:
    """Keep the raw bytes before anything else looks at them; too-large mail keeps its headers only."""
    inbound = _new_inbound(mail)
    inbound.save(force_insert=True)
    _refuse_if_too_large(inbound)
    return inbound


@transaction.atomic
def do_store_inbound_many(mails: Sequence[RawMail]) -> list[InboundMail]:
    """Store a whole IMAP fetch batch in one transaction (multi-row INSERTs): all of it or nothing."""
    rows = InboundMail.objects.bulk_create([_new_inbound(mail) for mail in mails])
    for inbound in rows:
        _refuse_if_too_large(inbound)
    return rows


def _new_inbound(mail: RawMail) -> InboundMail:
    size = mail.size if mail.size is not None else len(mail.raw)
    return InboundMail(
        mailbox=mail.mailbox,
        source=mail.source,
        raw=_header_block(mail.raw) if size > settings.MAX_EMAIL_BYTES else mail.raw,
        size=size,
        sha256=hashlib.sha256(mail.raw).hexdigest(),
        uidvalidity=mail.uidvalidity,
        uid=mail.uid,
        received_at=timezone.now(),
        arrived_at=mail.arrived_at,
    )


def _refuse_if_too_large(inbound: InboundMail) -> None:
    limit = settings.MAX_EMAIL_BYTES
    if inbound.size > limit:
        finish_inbound(
            inbound, State.REJECTED, f"too large: {inbound.size:,} bytes, over the {limit:,}-byte limit"
        )


def _header_block(raw: bytes) -> bytes:
    for separator in (b"\r\n\r\n", b"\n\n"):
        head, found, _ = raw.partition(separator)
        if found:
            return head[:65536] + separator
    return raw[:65536]


# --- Outcomes ---------------------------------------------------------------------------------------


def finish_inbound(
    inbound: InboundMail,
    state: str,
    reason: str,
    conversation: Conversation | None = None,
    message: Message | None = None,
    message_id: int | None = None,
) -> InboundMail:
    inbound.state = state
    inbound.reason = " ".join(reason.split())[:1000]
    inbound.conversation = conversation
    inbound.message = message
    if message is None and message_id is not None:
        inbound.message_id = message_id
    inbound.processed_at = timezone.now()
    inbound.save(update_fields=[*FINISH_FIELDS])
    return inbound


def lock_inbound(inbound_ids: Sequence[int]) -> dict[int, InboundMail]:
    """Lock stored mails for filing (inside the filing transaction); by id, without their raw bytes."""
    rows = (
        InboundMail.objects.select_for_update(of=("self",))
        .select_related("mailbox__team")
        .defer("raw")
        .filter(pk__in=inbound_ids)
        .order_by()
    )
    return {row.pk: row for row in rows}


def _locked(inbound_id: int) -> InboundMail:
    return (
        InboundMail.objects.select_for_update(of=("self",))
        .select_related("mailbox__team")
        .defer("raw")
        .get(pk=inbound_id)
    )


@transaction.atomic
def do_fail_inbound(inbound_id: int, reason: str) -> InboundMail:
    """Intake broke on this mail; the raw bytes stay and it is retried (see queries.pending_inbound)."""
    inbound = _locked(inbound_id)
    return inbound if inbound.done else fail_inbound(inbound, reason)


def fail_inbound(inbound: InboundMail, reason: str) -> InboundMail:
    inbound.attempts += 1
    inbound.state = State.FAILED
    inbound.reason = " ".join(reason.split())[:1000]
    inbound.save(update_fields=["attempts", "state", "reason"])
    return inbound


@transaction.atomic
def do_reopen_inbound(inbound_id: int) -> InboundMail:
    """Make a refused or failed mail go through intake again (``herodesk mail reprocess``)."""
    inbound = _locked(inbound_id)
    if inbound.state in (State.PROCESSED, State.DUPLICATE):
        return inbound
    inbound.state, inbound.reason, inbound.attempts, inbound.processed_at = State.RECEIVED, "", 0, None
    inbound.save(update_fields=["state", "reason", "attempts", "processed_at"])
    return inbound


@transaction.atomic
def do_mark_acknowledged(inbound_id: int) -> None:
    InboundMail.objects.filter(pk=inbound_id).update(acknowledged_at=timezone.now())


# --- Mailboxes --------------------------------------------------------------------------------------


@dataclass
class MailboxSecrets:
    """Passwords typed into the form; None keeps the stored one, "" clears it."""

    imap_password: str | None = None
    smtp_password: str | None = None


@transaction.atomic
def do_save_mailbox(mailbox: Mailbox, secrets: MailboxSecrets) -> Mailbox:
    mailbox.address = normalize_email(mailbox.address)
    if secrets.imap_password is not None:
        mailbox.password_encrypted = (
            credentials.encrypt(secrets.imap_password) if secrets.imap_password else ""
        )
    if mailbox.password_source != PasswordSource.STORED:
        mailbox.password_encrypted = ""
    if secrets.smtp_password is not None:
        mailbox.smtp_password_encrypted = (
            credentials.encrypt(secrets.smtp_password) if secrets.smtp_password else ""
        )
    if mailbox.pk is None:
        mailbox.next_poll_at = timezone.now()
    mailbox.save()
    transaction.on_commit(queries.forget_own_addresses)
    return mailbox


@transaction.atomic
def do_issue_webhook_token(mailbox: Mailbox) -> str:
    """A new webhook token (the old one stops working); only its hash is kept."""
    raw = new_webhook_token()
    Mailbox.objects.filter(pk=mailbox.pk).update(webhook_token_hash=hash_webhook_token(raw))
    return raw


@transaction.atomic
def do_request_poll(mailbox: Mailbox) -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(next_poll_at=timezone.now())


# --- Polling bookkeeping ----------------------------------------------------------------------------


def this_poller() -> str:
    """Who holds a poll lease: this process, as ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def holder_is_gone(holder: str) -> bool:
    """True when the holder is a process of this host that no longer runs (killed, crashed)."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's process: only its heartbeat tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, owned by someone else
        return False
    return False


@transaction.atomic
def do_claim_poll(mailbox_id: int) -> bool:
    """Take the mailbox's poll lease so two workers never poll it at once. A lease is free when its
    holder's heartbeat is older than POLL_HEARTBEAT, or when its holder was a process of this host that
    is gone."""
    now = timezone.now()
    free = Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lte=now)
    holder = Mailbox.objects.filter(pk=mailbox_id).values_list("poll_holder", flat=True).first()
    if holder and holder_is_gone(holder):
        free |= Q(poll_holder=holder)
    claimed = Mailbox.objects.filter(free, pk=mailbox_id).update(
        poll_lease_until=now + POLL_HEARTBEAT, poll_holder=this_poller(), last_polled_at=now
    )
    return claimed == 1


@transaction.atomic
def do_renew_poll(mailbox_id: int) -> None:
    """The holder's heartbeat: keep the lease while the poll works."""
    Mailbox.objects.filter(pk=mailbox_id, poll_holder=this_poller()).update(
        poll_lease_until=timezone.now() + POLL_HEARTBEAT
    )


@transaction.atomic
def do_record_poll_success(mailbox_id: int) -> None:
    mailbox = Mailbox.objects.select_for_update().get(pk=mailbox_id)
    now = timezone.now()
    mailbox.failures = 0
    mailbox.last_success_at = now
    mailbox.next_poll_at = now + timedelta(minutes=max(1, mailbox.poll_interval_minutes))
    mailbox.poll_lease_until = None
    mailbox.save(update_fields=["failures", "last_success_at", "next_poll_at", "poll_lease_until"])


def backoff(failures: int, interval_minutes: int) -> timedelta:
    """Exponential: the interval, then doubled per consecutive failure, at most an hour."""
    base = timedelta(minutes=max(1, interval_minutes))
    return min(base * (2 ** max(0, failures - 1)), max(MAX_BACKOFF, base))


@transaction.atomic
def do_record_poll_failure(mailbox_id: int, error: str) -> None:
    mailbox = Mailbox.objects.select_for_update().get(pk=mailbox_id)
    now = timezone.now()
    mailbox.failures += 1
    mailbox.last_error = " ".join(error.split())[:1000]
    mailbox.last_error_at = now
    mailbox.next_poll_at = now + backoff(mailbox.failures, mailbox.poll_interval_minutes)
    mailbox.poll_lease_until = None
    mailbox.save(
        update_fields=["failures", "last_error", "last_error_at", "next_poll_at", "poll_lease_until"]
    )


@transaction.atomic
def do_release_poll(mailbox_id: int) -> None:
    Mailbox.objects.filter(pk=mailbox_id).update(poll_lease_until=None)


@transaction.atomic
def do_start_uidvalidity(mailbox_id: int, uidvalidity: int) -> None:
    """The server renumbered the folder: start over at UID 0 (Message-IDs keep out duplicates)."""
    Mailbox.objects.filter(pk=mailbox_id).update(uidvalidity=uidvalidity, last_uid=0)


@transaction.atomic
def do_advance_last_uid(mailbox_id: int, uid: int) -> None:
    Mailbox.objects.filter(pk=mailbox_id, last_uid__lt=uid).update(last_uid=uid)


# --- Erasure ----------------------------------------------------------------------------------------


@transaction.atomic
def do_erase_customer_mail(erased: ErasedCustomer) -> int:
    """Delete the raw mails of an erased customer: every mail filed into their conversations, and every
    mail sent from one of their addresses (refused, duplicate or not yet filed ones too). Returns how many."""
    senders = Lower("from_address")
    mails = InboundMail.objects.annotate(sender=senders).filter(
        Q(conversation_id__in=erased.conversation_ids) | Q(sender__in=erased.emails)
    )
    deleted, _ = mails.delete()
    return deleted
