"""Writes of the email channel: storing and filing inbound mail, mailbox settings and poll health.

Every ``do_*`` runs in one transaction; sending (auto-acknowledgements) is queued with on_commit.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from herodesk.channels.email import credentials, queries, routing
from herodesk.channels.email.models import (
    InboundMail,
    Mailbox,
    PasswordSource,
    hash_webhook_token,
    new_webhook_token,
)
from herodesk.channels.email.parse import ParsedAttachment, ParsedMail
from herodesk.conversations import actions as conversation_actions
from herodesk.conversations import search
from herodesk.conversations.actions import AttachmentUpload, IncomingMessage, NewConversation
from herodesk.conversations.models import Channel, Conversation, Message
from herodesk.customers.actions import CustomerDetails, do_find_or_create_customer, normalize_email
from herodesk.customers.models import Customer, Identity

log = logging.getLogger(__name__)
State = InboundMail.State
POLL_LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=1)
MAX_FULL_TEXT_CHARS = 1_000_000
NO_TEXT = "(This mail has no text.)"
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
    )


def _refuse_if_too_large(inbound: InboundMail) -> None:
    limit = settings.MAX_EMAIL_BYTES
    if inbound.size > limit:
        _finish(inbound, State.REJECTED, f"too large: {inbound.size:,} bytes, over the {limit:,}-byte limit")


def _header_block(raw: bytes) -> bytes:
    for separator in (b"\r\n\r\n", b"\n\n"):
        head, found, _ = raw.partition(separator)
        if found:
            return head[:65536] + separator
    return raw[:65536]


# --- Outcomes ---------------------------------------------------------------------------------------


def _finish(
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
    return inbound if inbound.done else _fail(inbound, reason)


def _fail(inbound: InboundMail, reason: str) -> InboundMail:
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


# --- Filing -----------------------------------------------------------------------------------------


@dataclass
class Filing:
    """One stored mail handed to ``do_file_batch``: what the parser made of it (outside the transaction)."""

    inbound_id: int
    parsed: ParsedMail | None = None
    refused: str = ""  # not a mail: refused with this reason
    failed: str = ""  # the parser broke: marked failed (and retried) with this reason


@transaction.atomic
def do_file_batch(filings: Sequence[Filing]) -> dict[int, InboundMail]:
    """Refuse each mail, attach it as a bounce, or add it to its conversation (new or threaded).

    The mails are filed in this one transaction, each in its own savepoint. A mail that fails rolls back
    only its own savepoint and is marked failed (retried later); the others are filed. Anything that is
    not an ``Exception`` (the process being stopped) rolls back the whole batch: its mails are still
    ``received`` and the next run files them. Returns the rows by id.
    """
    rows = {
        row.pk: row
        for row in InboundMail.objects.select_for_update(of=("self",))
        .select_related("mailbox__team")
        .defer("raw")
        .filter(pk__in=[filing.inbound_id for filing in filings])
        .order_by()
    }
    todo = [(filing, rows[filing.inbound_id]) for filing in filings if filing.inbound_id in rows]
    todo = [(filing, inbound) for filing, inbound in todo if not inbound.done]
    lookups = queries.IntakeLookups(
        [_batch_mail(inbound, filing.parsed) for filing, inbound in todo if filing.parsed is not None]
    )
    for filing, inbound in todo:
        if filing.failed:
            _fail(inbound, filing.failed)
        elif filing.refused or filing.parsed is None:
            _finish(inbound, State.REJECTED, filing.refused)
            lookups.learn(inbound)
        else:
            _file_one(inbound, filing.parsed, lookups)
    return rows


def _batch_mail(inbound: InboundMail, parsed: ParsedMail) -> queries.BatchMail:
    message_id, from_address = _header_values(parsed)
    return queries.BatchMail(inbound, message_id, from_address, routing.thread_ids(parsed))


def _file_one(inbound: InboundMail, parsed: ParsedMail, lookups: queries.IntakeLookups) -> None:
    try:
        with transaction.atomic():
            _file(inbound, parsed, lookups)
    except Exception as error:  # only this mail's savepoint is rolled back; it is retried later
        log.exception("Filing inbound mail %s failed", inbound.pk)
        lookups.discard()
        inbound.refresh_from_db(fields=[*FINISH_FIELDS, "attempts"])
        _fail(inbound, f"filing failed: {type(error).__name__}: {error}")
    else:
        lookups.learn(inbound)


def _file(inbound: InboundMail, parsed: ParsedMail, lookups: queries.IntakeLookups) -> None:
    _copy_headers(inbound, parsed)
    refusal = routing.refusal_for(inbound, parsed, lookups)
    if refusal is not None:
        _finish(inbound, refusal.state, refusal.reason)
        return
    if parsed.bounce:
        lookups.forget_senders()  # the bounce may mark identities as bouncing
        _file_bounce(inbound, parsed)
        return
    route = routing.route_for(parsed, lookups)
    sender = _sender(parsed, lookups)
    if route.conversation is None:
        conversation, message_id = _new_conversation(inbound, parsed, sender)
    else:
        message = _add_to_conversation(route.conversation, parsed, sender)
        conversation, message_id = message.conversation, message.pk  # as locked and updated by the add
    _finish(inbound, State.PROCESSED, f"filed ({route.rule})", conversation, message_id=message_id)
    lookups.remember_message(inbound.message_id_header, conversation.pk)
    if route.conversation is None and _should_acknowledge(inbound, parsed):
        inbound_pk = inbound.pk
        transaction.on_commit(lambda: _queue_acknowledgement(inbound_pk))


def _header_values(parsed: ParsedMail) -> tuple[str, str]:
    """The Message-ID and sender as stored on the InboundMail row."""
    message_id = queries.bare_message_id(parsed.message_id or "")[:998]
    return message_id, normalize_email(parsed.from_address)[:254]


def _copy_headers(inbound: InboundMail, parsed: ParsedMail) -> None:
    inbound.message_id_header, inbound.from_address = _header_values(parsed)
    inbound.subject = parsed.subject[:300]
    inbound.auto_submitted = parsed.auto_submitted


def _sender(parsed: ParsedMail, lookups: queries.IntakeLookups) -> Customer:
    address = normalize_email(parsed.from_address)
    known = lookups.known_sender(address, parsed.from_name)
    if known is not None:
        return known  # finding them would change nothing, and the address is not marked bouncing
    customer = do_find_or_create_customer(CustomerDetails(name=parsed.from_name, email=parsed.from_address))
    # A customer writing from an address proves it works again.
    Identity.objects.filter(kind=Identity.Kind.EMAIL, value=address, bouncing=True).update(
        bouncing=False, bounced_at=None
    )
    lookups.remember_sender(address, customer)
    return customer


def _new_conversation(inbound: InboundMail, parsed: ParsedMail, sender: Customer) -> tuple[Conversation, int]:
    draft = NewConversation(
        subject=parsed.subject.strip() or "(no subject)",
        channel=Channel.EMAIL,
        customer=sender,
        team=inbound.mailbox.team if inbound.mailbox else None,
        first_message=incoming_message(parsed),
    )
    conversation = conversation_actions.do_create_conversation(draft)
    message_id = conversation.messages.order_by("id").values_list("pk", flat=True).first()
    assert message_id is not None
    return conversation, message_id


def _add_to_conversation(conversation: Conversation, parsed: ParsedMail, sender: Customer) -> Message:
    message = conversation_actions.do_add_customer_message(conversation, incoming_message(parsed))
    if message.customer_id != sender.pk:  # someone else on the thread (a colleague in Cc) wrote
        Message.objects.filter(pk=message.pk).update(customer=sender)
        message.customer = sender
    return message


def incoming_message(parsed: ParsedMail) -> IncomingMessage:
    kept, notes = _attachments_within_limit(parsed.attachments)
    text = _with_notes(parsed.text, notes)
    full_text = _with_notes(parsed.full_text, notes)[:MAX_FULL_TEXT_CHARS]
    if not text.strip() and not kept:
        text = NO_TEXT
    return IncomingMessage(
        text=_fit(text),
        channel=Channel.EMAIL,
        html=parsed.html,
        full_text=full_text,
        external_id=queries.bare_message_id(parsed.message_id or ""),
        in_reply_to=queries.bare_message_id(parsed.in_reply_to or ""),
        references=" ".join(parsed.references),
        attachments=kept,
    )


def _attachments_within_limit(
    attachments: list[ParsedAttachment],
) -> tuple[list[AttachmentUpload], list[str]]:
    limit = settings.MAX_ATTACHMENT_BYTES
    kept: list[AttachmentUpload] = []
    notes: list[str] = []
    for item in attachments:
        if item.size > limit:
            notes.append(
                f"[Attachment {item.filename} ({_mb(item.size)}) was not kept: "
                f"it is larger than the {_mb(limit)} limit.]"
            )
            continue
        kept.append(
            AttachmentUpload(
                filename=item.filename or "attachment",
                content_type=item.content_type,
                content=item.content,
                content_id=item.content_id or "",
                inline=item.inline,
            )
        )
    return kept, notes


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _with_notes(text: str, notes: list[str]) -> str:
    return "\n\n".join([text.strip(), *notes]).strip() if notes else text


def _fit(text: str) -> str:
    limit = settings.MAX_MESSAGE_CHARS
    if len(text.strip()) <= limit:
        return text
    note = "\n\n[The mail was cut here; the whole original is kept with it.]"
    return text.strip()[: limit - len(note)] + note


def _should_acknowledge(inbound: InboundMail, parsed: ParsedMail) -> bool:
    mailbox = inbound.mailbox
    return bool(
        mailbox is not None
        and mailbox.auto_ack
        and mailbox.auto_ack_text.strip()
        and not parsed.auto_submitted
        and not parsed.bounce
        and not queries.is_bouncing(parsed.from_address)
    )


def _queue_acknowledgement(inbound_id: int) -> None:
    from herodesk.channels.email import tasks

    tasks.send_auto_ack(inbound_id)


# --- Bounces ----------------------------------------------------------------------------------------


def _file_bounce(inbound: InboundMail, parsed: ParsedMail) -> InboundMail:
    details = parsed.bounce_details
    original_id = details.original_message_id if details else None
    original = queries.message_by_external_id(original_id) if original_id else None
    if original is None:
        # Without one of our messages to point at, the report may be forged: nothing is marked.
        return _finish(
            inbound, State.REJECTED, f"bounce for a message this desk did not send ({original_id})"
        )
    recipients = [normalize_email(item) for item in (details.failed_recipients if details else [])]
    now = timezone.now()
    Identity.objects.filter(kind=Identity.Kind.EMAIL, value__in=recipients).update(
        bouncing=True, bounced_at=now
    )
    status = details.status if details else None
    _mark_send_failed(original, status)
    message = _add_system_message(original.conversation, _bounce_text(recipients, status), parsed, now)
    return _finish(inbound, State.PROCESSED, "bounce recorded", original.conversation, message)


def _bounce_text(recipients: list[str], status: str | None) -> str:
    who = ", ".join(recipients) or "the customer"
    code = f" (status {status})" if status else ""
    return (
        f"Delivery to {who} failed{code}. The address is marked as bouncing: replies are not emailed to "
        "it until the customer writes from it again."
    )


def _mark_send_failed(original: Message, status: str | None) -> None:
    if original.direction == Message.Direction.OUT:
        Message.objects.filter(pk=original.pk).update(
            send_status=Message.SendStatus.FAILED, send_error=f"Bounced{f' ({status})' if status else ''}"
        )


def _add_system_message(conversation: Conversation, text: str, parsed: ParsedMail, at: datetime) -> Message:
    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.IN,
        kind=Message.Kind.SYSTEM,
        channel=Channel.EMAIL,
        text=text,
        full_text=parsed.full_text[:MAX_FULL_TEXT_CHARS],
        created_at=at,
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_activity_at=at)
    search.schedule_index(conversation.pk)
    return message


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


@transaction.atomic
def do_claim_poll(mailbox_id: int) -> bool:
    """Take the mailbox's poll lease so two workers never poll it at once."""
    now = timezone.now()
    claimed = (
        Mailbox.objects.filter(pk=mailbox_id)
        .exclude(poll_lease_until__gt=now)
        .update(poll_lease_until=now + POLL_LEASE, last_polled_at=now)
    )
    return claimed == 1


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
