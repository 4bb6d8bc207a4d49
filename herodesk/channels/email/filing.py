"""Filing: the unit of work that turns stored, parsed mails into conversations, one batch per transaction.

Each mail is refused (own address, loop, duplicate, rate limit), recorded as a bounce, or added to its
conversation (threaded by Message-ID, reply token or subject tag, else a new one). Every row is written by
an action of the app that owns it: inbound mail by ``email.actions``, conversations and messages by
``conversations.actions``, identities by ``customers.actions``. The look-ups of a whole batch come from
``lookups.IntakeLookups``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from herodesk.channels.email import actions, queries, routing, send
from herodesk.channels.email.lookups import BatchMail, IntakeLookups
from herodesk.channels.email.models import InboundMail
from herodesk.channels.email.parse import (
    ParsedAttachment,
    ParsedMail,
    reply_token_from,
    subject_ticket_number,
)
from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.actions import AttachmentUpload, IncomingMessage, NewConversation
from herodesk.conversations.models import Channel, Conversation, Message
from herodesk.customers import actions as customer_actions
from herodesk.customers.actions import CustomerDetails, normalize_email
from herodesk.customers.models import Customer

log = logging.getLogger(__name__)
State = InboundMail.State
MAX_FULL_TEXT_CHARS = 1_000_000
NO_TEXT = "(This mail has no text.)"


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
    rows = actions.lock_inbound([filing.inbound_id for filing in filings])
    todo = [(filing, rows[filing.inbound_id]) for filing in filings if filing.inbound_id in rows]
    todo = [(filing, inbound) for filing, inbound in todo if not inbound.done]
    lookups = IntakeLookups(
        [_batch_mail(inbound, filing.parsed) for filing, inbound in todo if filing.parsed is not None]
    )
    for filing, inbound in todo:
        if filing.failed:
            actions.fail_inbound(inbound, filing.failed)
        elif filing.refused or filing.parsed is None:
            actions.finish_inbound(inbound, State.REJECTED, filing.refused)
            lookups.learn(inbound)
        else:
            _file_one(inbound, filing.parsed, lookups)
    return rows


def _batch_mail(inbound: InboundMail, parsed: ParsedMail) -> BatchMail:
    message_id, from_address = _header_values(parsed)
    return BatchMail(
        inbound,
        message_id,
        from_address,
        routing.thread_ids(parsed),
        reply_token_from(parsed) or "",
        subject_ticket_number(parsed.subject),
    )


def _file_one(inbound: InboundMail, parsed: ParsedMail, lookups: IntakeLookups) -> None:
    try:
        with transaction.atomic():
            _file(inbound, parsed, lookups)
    except Exception as error:  # only this mail's savepoint is rolled back; it is retried later
        log.exception("Filing inbound mail %s failed", inbound.pk)
        lookups.discard()
        inbound.refresh_from_db(fields=[*actions.FINISH_FIELDS, "attempts"])
        actions.fail_inbound(inbound, f"filing failed: {type(error).__name__}: {error}")
    else:
        lookups.learn(inbound)


def _file(inbound: InboundMail, parsed: ParsedMail, lookups: IntakeLookups) -> None:
    _copy_headers(inbound, parsed)
    refusal = routing.refusal_for(inbound, parsed, lookups)
    if refusal is not None:
        actions.finish_inbound(inbound, refusal.state, refusal.reason)
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
    actions.finish_inbound(
        inbound, State.PROCESSED, f"filed ({route.rule})", conversation, message_id=message_id
    )
    lookups.remember_message(inbound.message_id_header, conversation.pk)
    if route.conversation is None and _should_acknowledge(inbound, parsed):
        send.queue_acknowledgement(inbound.pk)


def _header_values(parsed: ParsedMail) -> tuple[str, str]:
    """The Message-ID and sender as stored on the InboundMail row."""
    message_id = queries.bare_message_id(parsed.message_id or "")[:998]
    return message_id, normalize_email(parsed.from_address)[:254]


def _copy_headers(inbound: InboundMail, parsed: ParsedMail) -> None:
    inbound.message_id_header, inbound.from_address = _header_values(parsed)
    inbound.subject = parsed.subject[:300]
    inbound.auto_submitted = parsed.auto_submitted


def _sender(parsed: ParsedMail, lookups: IntakeLookups) -> Customer:
    address = normalize_email(parsed.from_address)
    known = lookups.known_sender(address, parsed.from_name)
    if known is not None:
        return known  # finding them would change nothing, and the address is not marked bouncing
    customer = customer_actions.do_find_or_create_customer(
        CustomerDetails(name=parsed.from_name, email=parsed.from_address)
    )
    customer_actions.do_mark_identity_working(address)  # writing from an address proves it works again
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
    incoming = incoming_message(parsed)
    incoming.customer = sender  # may be someone else on the thread than the customer (a colleague in Cc)
    return conversation_actions.do_add_customer_message(conversation, incoming)


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


# --- Bounces ----------------------------------------------------------------------------------------


def _file_bounce(inbound: InboundMail, parsed: ParsedMail) -> InboundMail:
    details = parsed.bounce_details
    original_id = details.original_message_id if details else None
    original = queries.message_by_external_id(original_id) if original_id else None
    if original is None:
        # Without one of our messages to point at, the report may be forged: nothing is marked.
        return actions.finish_inbound(
            inbound, State.REJECTED, f"bounce for a message this desk did not send ({original_id})"
        )
    recipients = [normalize_email(item) for item in (details.failed_recipients if details else [])]
    status = details.status if details else None
    customer_actions.do_mark_identities_bouncing(recipients, timezone.now())
    if original.direction == Message.Direction.OUT:
        conversation_actions.do_record_send_failure(
            original.pk, f"Bounced{f' ({status})' if status else ''}", final=True
        )
    message = conversation_actions.do_add_system_message(
        original.conversation,
        _bounce_text(recipients, status),
        channel=Channel.EMAIL,
        full_text=parsed.full_text[:MAX_FULL_TEXT_CHARS],
    )
    return actions.finish_inbound(inbound, State.PROCESSED, "bounce recorded", original.conversation, message)


def _bounce_text(recipients: list[str], status: str | None) -> str:
    who = ", ".join(recipients) or "the customer"
    code = f" (status {status})" if status else ""
    return (
        f"Delivery to {who} failed{code}. The address is marked as bouncing: replies are not emailed to "
        "it until the customer writes from it again."
    )
