"""Every write to a conversation: one ``do_*`` function per state change, atomic, with an event.

Views and API endpoints parse input, check access and call these. Side effects (analysis, search
indexing of large batches, outgoing email) are queued with ``transaction.on_commit``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from herodesk import after_commit
from herodesk.accounts.models import Team, User
from herodesk.accounts.queries import default_team
from herodesk.conversations import hooks, queries, search
from herodesk.conversations.models import (
    Attachment,
    Channel,
    ContactReason,
    Conversation,
    Event,
    Message,
    PendingWork,
    Tag,
)
from herodesk.customers import actions as customer_actions
from herodesk.customers import queries as customer_queries
from herodesk.customers.actions import CustomerDetails, do_find_or_create_customer
from herodesk.customers.models import Customer
from herodesk.errors import ActionError

Status = Conversation.Status


@dataclass
class AttachmentUpload:
    filename: str
    content_type: str
    content: bytes
    content_id: str = ""
    inline: bool = False

    @classmethod
    def from_uploaded(cls, upload: UploadedFile) -> AttachmentUpload:
        if upload.size and upload.size > settings.MAX_ATTACHMENT_BYTES:
            raise ActionError(
                "Attachment too large",
                {"attachment": f"{upload.name} is larger than {_limit_mb()} MB"},
            )
        return cls(
            filename=upload.name or "attachment",
            content_type=upload.content_type or "application/octet-stream",
            content=upload.read(),
        )


@dataclass
class IncomingMessage:
    """A customer's message as a channel hands it over."""

    text: str
    channel: str
    html: str = ""
    full_text: str = ""
    external_id: str = ""
    in_reply_to: str = ""
    references: str = ""
    created_at: datetime | None = None
    attachments: Sequence[AttachmentUpload] = ()
    # Who wrote it when not the conversation's customer (a colleague of theirs in Cc); None: the customer.
    customer: Customer | None = None


@dataclass
class NewConversation:
    subject: str
    channel: str
    customer: Customer | None = None
    # Found or created in the same transaction when no ``customer`` is given (needs an email or phone).
    customer_details: CustomerDetails | None = None
    team: Team | None = None
    owner: User | None = None
    priority: int = Conversation.Priority.NORMAL
    tags: Sequence[str] = ()
    contact_reason: ContactReason | None = None
    first_message: IncomingMessage | None = None
    phone_notes: str = ""  # for "log a call": the agent's notes become the first message
    created_at: datetime | None = None
    extra_events: list[dict[str, object]] = field(default_factory=list)


def _limit_mb() -> int:
    return settings.MAX_ATTACHMENT_BYTES // (1024 * 1024)


def _now(at: datetime | None = None) -> datetime:
    return at or timezone.now()


def _check_text(text: str, field_name: str = "text", required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ActionError("Message is empty", {field_name: "This field is required."})
    if len(text) > settings.MAX_MESSAGE_CHARS:
        raise ActionError(
            "Message too long",
            {field_name: f"At most {settings.MAX_MESSAGE_CHARS:,} characters are allowed."},
        )
    return text


def _record(
    conversation: Conversation | None, actor: User | None, kind: str, at: datetime, **kw: object
) -> Event:
    note = str(kw.pop("note", "") or "")
    after_commit.collect("view-counts", None, lambda _: queries.counts_changed())  # once per transaction
    event = Event.objects.create(
        conversation=conversation,
        customer=kw.pop("customer", None),  # type: ignore[misc]
        actor=actor,
        kind=kind,
        data=kw,
        note=note,
        created_at=at,
    )
    hooks.event_recorded(event)  # e.g. notifications tells the new owner, inside this transaction
    return event


def _store_attachments(message: Message, uploads: Iterable[AttachmentUpload]) -> None:
    from django.core.files.base import ContentFile

    for upload in uploads:
        if len(upload.content) > settings.MAX_ATTACHMENT_BYTES:
            raise ActionError("Attachment too large", {"attachment": f"{upload.filename} is too large."})
        attachment = Attachment(
            message=message,
            filename=upload.filename[:255],
            content_type=upload.content_type[:255],
            size=len(upload.content),
            content_id=upload.content_id[:255],
            inline=upload.inline,
        )
        attachment.file.save(upload.filename[:100], ContentFile(upload.content), save=False)
        attachment.save()


def _after_commit(conversation: Conversation, message: Message | None = None) -> None:
    """Tell the apps that follow changes, inside this transaction; record their work after the commit
    (analysis of the message, effort) with the change, so a crash after the commit cannot lose it."""
    message_id = message.pk if message else None
    hooks.conversation_changed(conversation.pk, message_id)
    _record_pending(conversation.pk, PendingWork.Kind.ANALYSE, message_id)


# --- Work after the commit, recorded with the change ------------------------------------------------

PENDING_BATCH = "pending-work"
# The sweep leaves younger rows to the after-commit step of the process that wrote them.
SWEEP_AFTER = timedelta(minutes=1)
# Analysis runs in the job worker, and a worker killed while running the job loses it (the queue does not
# keep a job once taken). So a customer message's analysis row stays until the message is scored: queued
# again when it is not scored this long after its job was queued, given up when the message is a day old.
ANALYSIS_RETRY_AFTER = timedelta(minutes=5)
ANALYSIS_GIVE_UP_AFTER = timedelta(days=1)


def schedule_index(conversation_id: int) -> None:
    """Rebuild the conversation's search entry right after the commit (once per transaction)."""
    _record_pending(conversation_id, PendingWork.Kind.INDEX, None)


def _record_pending(conversation_id: int, kind: str, message_id: int | None) -> None:
    """A PendingWork row in the caller's transaction, done and deleted right after its commit."""
    key = (conversation_id, kind, message_id)
    if any(item[1:] == key for item in after_commit.batch(PENDING_BATCH)):
        return  # a batch that adds many messages to one conversation indexes it once
    row = PendingWork.objects.create(
        conversation_id=conversation_id, kind=kind, message_id=message_id, created_at=_now()
    )
    after_commit.collect(PENDING_BATCH, (row.pk, *key), _finish_committed)


def _finish_committed(items: list[tuple[int, int, str, int | None]]) -> None:
    rows = [
        PendingWork(pk=pk, conversation_id=conversation_id, kind=kind, message_id=message_id)
        for pk, conversation_id, kind, message_id in items
    ]
    do_finish_pending_work(rows)


def do_finish_pending_work(rows: Sequence[PendingWork]) -> None:
    """Do what the rows owe (search entries, then the after-change work such as analysis), then delete
    them. Safe to repeat: indexing rebuilds an entry, analysis scores what is not scored yet."""
    index_ids = sorted({row.conversation_id for row in rows if row.kind == PendingWork.Kind.INDEX})
    changes = list(
        dict.fromkeys(
            (row.conversation_id, row.message_id) for row in rows if row.kind == PendingWork.Kind.ANALYSE
        )
    )
    if index_ids:
        search.index_now(index_ids)
    if changes:
        hooks.after_change(changes)
    ids = [row.pk for row in rows]
    with transaction.atomic():
        waiting = _unscored_analysis_rows(ids, _now())
        PendingWork.objects.filter(pk__in=ids).exclude(pk__in=waiting).delete()
        if waiting:  # the job is queued; the sweep looks again after ANALYSIS_RETRY_AFTER
            retry_at = _now() + ANALYSIS_RETRY_AFTER - SWEEP_AFTER
            PendingWork.objects.filter(pk__in=waiting).update(created_at=retry_at)


def _unscored_analysis_rows(ids: list[int], now: datetime) -> list[int]:
    """Analysis rows of customer messages not scored yet (and younger than ANALYSIS_GIVE_UP_AFTER)."""
    return list(
        PendingWork.objects.filter(
            pk__in=ids,
            kind=PendingWork.Kind.ANALYSE,
            message__kind=Message.Kind.CUSTOMER,
            message__intensity__isnull=True,
            message__created_at__gte=now - ANALYSIS_GIVE_UP_AFTER,
        ).values_list("pk", flat=True)
    )


def do_finish_stale_pending_work(now: datetime | None = None, limit: int = 500) -> int:
    """The sweep: finish work whose after-commit step a crash cut off, and queue again the analysis of
    customer messages whose job was lost (a killed worker). Returns how many rows it did."""
    cutoff = _now(now) - SWEEP_AFTER
    rows = list(PendingWork.objects.filter(created_at__lt=cutoff).order_by("pk")[:limit])
    scored = PendingWork.objects.filter(
        pk__in=[row.pk for row in rows if row.kind == PendingWork.Kind.ANALYSE and row.message_id],
        message__intensity__isnull=False,
    ).values_list("pk", flat=True)
    done = set(scored)
    if done:  # analysed meanwhile by the job queued earlier: nothing left to do
        with transaction.atomic():
            PendingWork.objects.filter(pk__in=done).delete()
    rest = [row for row in rows if row.pk not in done]
    if rest:
        do_finish_pending_work(rest)
    return len(rows)


# --- Creating conversations and adding messages ----------------------------------------------------


@transaction.atomic
def do_create_conversation(draft: NewConversation, actor: User | None = None) -> Conversation:
    subject = (draft.subject or "").strip()[:300]
    if not subject:
        raise ActionError("Subject is required", {"subject": "This field is required."})
    if draft.channel not in Channel.values:
        raise ActionError("Unknown channel", {"channel": f"Choose one of {', '.join(Channel.values)}."})
    at = _now(draft.created_at)
    customer = draft.customer
    details = draft.customer_details
    if customer is None and details is not None and (details.email or details.phone):
        customer = do_find_or_create_customer(details)
    auto_owner = None
    if draft.owner is None and draft.team is not None:
        auto_owner = _next_owner(draft.team)
    conversation = Conversation.objects.create(
        subject=subject,
        customer=customer,
        team=draft.team,
        owner=draft.owner,
        channel=draft.channel,
        status=Status.OPEN if draft.owner else Status.NEW,
        priority=draft.priority,
        contact_reason=draft.contact_reason,
        created_at=at,
        last_activity_at=at,
    )
    _record(conversation, actor, Event.Kind.CREATED, at, channel=draft.channel)
    if auto_owner is not None and draft.team is not None:
        _assign(conversation, None, auto_owner, at, rule=draft.team.assignment, team=draft.team.pk)
    if draft.tags:
        conversation.tags.set(_tags(draft.tags))
    message = None
    if draft.first_message is not None:
        message = _add_customer_message(conversation, draft.first_message, at)
    if draft.phone_notes:
        message = _add_agent_message(conversation, actor, draft.phone_notes, Message.Kind.PHONE, at)
    schedule_index(conversation.pk)
    _after_commit(conversation, message)
    return conversation


@dataclass
class PhoneCall:
    """A call as the agent logged it: notes typed while the customer talked, the rest filled in after."""

    notes: str
    subject: str = ""
    customer: CustomerDetails = field(default_factory=CustomerDetails)
    contact_reason: ContactReason | None = None
    tags: Sequence[str] = ()
    priority: int = Conversation.Priority.NORMAL
    resolve: bool = False  # resolved during the call: required fields are checked now


@transaction.atomic
def do_log_call(agent: User, call: PhoneCall) -> Conversation:
    """One transaction: a missing required field on "resolved during the call" rolls the whole call back."""
    draft = NewConversation(
        subject=call.subject or _call_subject(call.notes),
        channel=Channel.PHONE,
        customer_details=call.customer,
        team=default_team(agent),
        owner=agent,
        priority=call.priority,
        tags=call.tags,
        contact_reason=call.contact_reason,
        phone_notes=call.notes,
    )
    conversation = do_create_conversation(draft, actor=agent)
    if call.resolve:
        conversation = do_change_status(conversation, agent, Status.RESOLVED)
    return conversation


def _call_subject(notes: str) -> str:
    first_line = notes.strip().splitlines()[0] if notes.strip() else "Phone call"
    return ("Call: " + first_line)[:120]


def _add_customer_message(conversation: Conversation, incoming: IncomingMessage, at: datetime) -> Message:
    text = _check_text(incoming.text, required=not incoming.attachments)
    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.IN,
        kind=Message.Kind.CUSTOMER,
        channel=incoming.channel,
        customer=incoming.customer or conversation.customer,
        text=text,
        html=incoming.html,
        full_text=incoming.full_text or text,
        external_id=incoming.external_id[:998],
        in_reply_to=incoming.in_reply_to[:998],
        references=incoming.references,
        created_at=at,
    )
    _store_attachments(message, incoming.attachments)
    conversation.last_customer_message_at = at
    conversation.last_activity_at = at
    conversation.save(update_fields=["last_customer_message_at", "last_activity_at"])
    return message


@transaction.atomic
def do_add_customer_message(conversation: Conversation, incoming: IncomingMessage) -> Message:
    """A customer wrote again: wake a snooze (keeping its time as a reminder) and reopen if resolved."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    at = _now(incoming.created_at)
    if conversation.status == Status.SNOOZED:
        _record(conversation, None, Event.Kind.WOKEN, at, snoozed_until=_iso(conversation.snoozed_until))
        conversation.status = Status.OPEN
    elif conversation.status in Conversation.DONE_STATUSES:
        conversation.reopen_count += 1
        _record(conversation, None, Event.Kind.REOPENED, at, previous=conversation.status)
        conversation.status = Status.OPEN
        conversation.resolved_at = None
    elif conversation.status == Status.PENDING:
        _record(conversation, None, Event.Kind.STATUS, at, old=Status.PENDING, new=Status.OPEN)
        conversation.status = Status.OPEN
    if incoming.channel != conversation.channel and _last_customer_channel(conversation) != incoming.channel:
        _record(conversation, None, Event.Kind.CHANNEL_SWITCH, at, to=incoming.channel)
    conversation.save(update_fields=["status", "reopen_count", "resolved_at"])
    message = _add_customer_message(conversation, incoming, at)
    schedule_index(conversation.pk)
    _after_commit(conversation, message)
    return message


def _last_customer_channel(conversation: Conversation) -> str:
    last = (
        conversation.messages.filter(kind=Message.Kind.CUSTOMER)
        .order_by("-created_at", "-id")
        .values_list("channel", flat=True)
        .first()
    )
    return last or conversation.channel


def _add_agent_message(
    conversation: Conversation, author: User | None, text: str, kind: str, at: datetime, channel: str = ""
) -> Message:
    text = _check_text(text)
    outgoing = kind == Message.Kind.REPLY
    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.OUT if outgoing else Message.Direction.IN,
        kind=kind,
        channel=channel or (Channel.PHONE if kind == Message.Kind.PHONE else conversation.channel),
        author=author,
        customer=conversation.customer if kind == Message.Kind.PHONE else None,
        text=text,
        full_text=text,
        created_at=at,
    )
    conversation.last_activity_at = at
    fields = ["last_activity_at"]
    if kind in (Message.Kind.REPLY, Message.Kind.PHONE) and conversation.first_response_at is None:
        conversation.first_response_at = at
        fields.append("first_response_at")
    conversation.save(update_fields=fields)
    return message


class SendHeld(ActionError):
    """A reply or note was not sent: messages arrived since the sender last looked (collision check).

    Nothing was saved. ``new_message_ids`` are the messages the sender has not seen; they read them and
    send anyway (with the newest id as what they saw) or edit their text.
    """

    def __init__(self, new_message_ids: list[int]) -> None:
        count = len(new_message_ids)
        super().__init__(
            "Not sent: new messages arrived while you were writing",
            {"text": f"{count} new message{'s' if count != 1 else ''} arrived while you were writing."},
        )
        self.new_message_ids = new_message_ids


def _check_seen(conversation: Conversation, author: User, seen_up_to: int | None) -> None:
    """Hold the send when a customer message or another agent's reply arrived after ``seen_up_to``.

    Called with the conversation row locked, so two agents replying at once are checked one after the
    other: the second one is held and sees the first one's reply.
    """
    if seen_up_to is None:
        return
    unseen = list(queries.unseen_messages(conversation.pk, author, seen_up_to).values_list("pk", flat=True))
    if unseen:
        raise SendHeld(unseen)


@transaction.atomic
def do_add_reply(
    conversation: Conversation,
    author: User,
    text: str,
    attachments: Sequence[AttachmentUpload] = (),
    then_status: str | None = None,
    seen_up_to: int | None = None,
) -> Message:
    """An agent answers the customer; email delivery is queued for after the commit.

    ``seen_up_to``: the newest message id the agent had on screen; raises SendHeld (nothing saved) when
    the customer or another agent wrote since.
    """
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    _check_seen(conversation, author, seen_up_to)
    at = _now()
    message = _add_agent_message(conversation, author, text, Message.Kind.REPLY, at)
    _store_attachments(message, attachments)
    if conversation.owner_id is None:
        _assign(conversation, author, author, at)
    if conversation.status == Status.NEW:
        _set_status(conversation, author, Status.OPEN, at)
    if then_status and then_status != conversation.status:
        _set_status(conversation, author, then_status, at)
    send = hooks.reply_sender(message)
    if send is not None:
        message.send_status = Message.SendStatus.QUEUED
        message.save(update_fields=["send_status"])
        transaction.on_commit(send)  # never from inside the request: the worker sends it
    schedule_index(conversation.pk)
    _after_commit(conversation, message)
    return message


# --- Scheduled replies (scheduled send and follow-ups; herodesk.slas runs the job that sends them) ---------


def _scheduled(message: Message) -> Message:
    message = (
        Message.objects.select_for_update(of=("self",)).select_related("conversation").get(pk=message.pk)
    )
    if message.send_status != Message.SendStatus.SCHEDULED:
        raise ActionError(
            "This reply is no longer scheduled", {"message": "It was sent or cancelled already."}
        )
    return message


def _check_send_at(send_at: datetime, at: datetime) -> None:
    if send_at <= at:
        raise ActionError("The time to send is in the past", {"send_at": "Choose a time in the future."})


@transaction.atomic
def do_schedule_reply(conversation: Conversation, author: User, text: str, send_at: datetime) -> Message:
    """A reply written now and sent at ``send_at`` by the scheduled-send job; editable until then."""
    at = _now()
    _check_send_at(send_at, at)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.OUT,
        kind=Message.Kind.REPLY,
        channel=conversation.channel,
        author=author,
        text=_check_text(text),
        full_text=text.strip(),
        created_at=at,
        send_status=Message.SendStatus.SCHEDULED,
        scheduled_for=send_at,
    )
    _record(
        conversation, author, Event.Kind.REPLY_SCHEDULED, at, message=message.pk, send_at=send_at.isoformat()
    )
    return message


@transaction.atomic
def do_edit_scheduled_reply(message: Message, actor: User, text: str, send_at: datetime) -> Message:
    at = _now()
    _check_send_at(send_at, at)
    message = _scheduled(message)
    message.text = message.full_text = _check_text(text)
    message.scheduled_for = send_at
    message.save(update_fields=["text", "full_text", "scheduled_for"])
    return message


@transaction.atomic
def do_cancel_scheduled_reply(message: Message, actor: User | None, reason: str, kind: str = "") -> Message:
    """Not sent after all; the reason stays on the message ("the customer wrote at 14:02") and in history."""
    at = _now()
    message = _scheduled(message)
    message.send_status = Message.SendStatus.CANCELLED
    message.send_error = reason[:500]
    message.save(update_fields=["send_status", "send_error"])
    _record(
        message.conversation,
        actor,
        kind or Event.Kind.SCHEDULED_CANCELLED,
        at,
        message=message.pk,
        note=reason,
    )
    return message


def do_send_due_replies(now: datetime | None = None, batch: int = 200) -> int:
    """Send the scheduled replies whose time has come, each exactly once.

    Each reply is claimed by a conditional UPDATE (still scheduled, due) in the transaction that turns it
    into a sent reply; a worker that dies before the commit leaves it scheduled for the next pass, and two
    workers never both send it.
    """
    at = _now(now)
    due = Message.objects.filter(send_status=Message.SendStatus.SCHEDULED, scheduled_for__lte=at)
    sent = 0
    for pk in list(due.order_by("scheduled_for").values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            claimed = Message.objects.filter(
                pk=pk, send_status=Message.SendStatus.SCHEDULED, scheduled_for__lte=at
            ).update(send_status=Message.SendStatus.NONE, created_at=at)
            if not claimed:
                continue
            message = Message.objects.select_related("conversation").get(pk=pk)
            conversation = Conversation.objects.select_for_update().get(pk=message.conversation_id)
            conversation.last_activity_at = at
            fields = ["last_activity_at"]
            if conversation.first_response_at is None:
                conversation.first_response_at = at
                fields.append("first_response_at")
            conversation.save(update_fields=fields)
            if conversation.status == Status.NEW:
                _set_status(conversation, message.author, Status.OPEN, at)
            send = hooks.reply_sender(message)
            if send is not None:
                message.send_status = Message.SendStatus.QUEUED
                message.save(update_fields=["send_status"])
                transaction.on_commit(send)
            schedule_index(conversation.pk)
            _after_commit(conversation, message)
            sent += 1
    return sent


@transaction.atomic
def do_add_note(
    conversation: Conversation,
    author: User,
    text: str,
    kind: str = Message.Kind.NOTE,
    seen_up_to: int | None = None,
) -> Message:
    """An internal note, or a phone note taken during a call (which counts as acting on the conversation).

    ``@username`` in a note tells that agent (notifications listens to new notes)."""
    if kind not in (Message.Kind.NOTE, Message.Kind.PHONE):
        raise ActionError("Unknown note kind", {"kind": "Use note or phone."})
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    _check_seen(conversation, author, seen_up_to)
    message = _add_agent_message(conversation, author, text, kind, _now())
    schedule_index(conversation.pk)
    _after_commit(conversation, message)
    return message


# --- Delivery of replies (written by the channel that sends them, through these) --------------------


@transaction.atomic
def do_set_outgoing_message_id(message_id: int, external_id: str) -> str:
    """Give an outgoing reply its Message-ID once; returns the one it has (a retry keeps the first)."""
    message = Message.objects.select_for_update().only("id", "external_id").get(pk=message_id)
    if not message.external_id:
        message.external_id = external_id[:998]
        message.save(update_fields=["external_id"])
    return message.external_id


@transaction.atomic
def do_mark_reply_sent(message_id: int) -> None:
    Message.objects.filter(pk=message_id).update(
        send_status=Message.SendStatus.SENT, send_error="", sent_at=timezone.now()
    )


@transaction.atomic
def do_record_send_failure(message_id: int, reason: str, final: bool = False, max_attempts: int = 1) -> bool:
    """A delivery attempt failed (or the mail bounced later). Returns True when no retry will follow.

    The last failure is recorded as an event, so the owner sees in the history that the customer
    did not get the reply.
    """
    message = Message.objects.select_for_update().select_related("conversation").get(pk=message_id)
    message.send_attempts += 1
    final = final or message.send_attempts >= max_attempts
    message.send_status = Message.SendStatus.FAILED if final else Message.SendStatus.QUEUED
    message.send_error = reason[:1000]
    message.save(update_fields=["send_attempts", "send_status", "send_error"])
    if final:
        _record(
            message.conversation,
            None,
            Event.Kind.DELIVERY_FAILED,
            _now(),
            message=message.pk,
            reason=reason[:300],
        )
    return final


@transaction.atomic
def do_add_system_message(
    conversation: Conversation, text: str, channel: str, full_text: str = "", at: datetime | None = None
) -> Message:
    """A message the desk itself adds to the thread (e.g. a delivery report), visible to agents."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    at = _now(at)
    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.IN,
        kind=Message.Kind.SYSTEM,
        channel=channel,
        text=text,
        full_text=full_text or text,
        created_at=at,
    )
    conversation.last_activity_at = at
    conversation.save(update_fields=["last_activity_at"])
    schedule_index(conversation.pk)
    _after_commit(conversation, message)
    return message


# --- Signals cached on conversations and messages (computed by insights, written here) ---------------
# Called inside the analysis job's transaction; each is one statement (bulk_update wraps its own), so they
# add no savepoint of their own to a job that runs for every message.


def do_store_message_signals(messages: Sequence[Message]) -> None:
    """Each message's own signals (intensity, reasons, behaviours), as the analysis set them."""
    Message.objects.bulk_update(messages, ["intensity", "signals"])


def do_cache_signals(conversation: Conversation) -> None:
    """The conversation's cached intensity, hero-moment flag and effort, for the inbox to sort on."""
    Conversation.objects.filter(pk=conversation.pk).update(
        intensity=conversation.intensity,
        awaiting_relief=conversation.awaiting_relief,
        effort=conversation.effort,
    )


@transaction.atomic
def do_record_event(
    conversation: Conversation, actor: User | None, kind: str, note: str = "", **data: object
) -> Event:
    """An event another app records on a conversation's history (a promise kept by hand, a follow-up
    cancelled); ``kind`` must be one of ``Event.Kind``."""
    if kind not in Event.Kind.values:
        raise ActionError("Unknown kind of event", {"kind": f"Choose one of {', '.join(Event.Kind.values)}."})
    return _record(conversation, actor, kind, _now(), note=note, **data)


@transaction.atomic
def do_cache_sla_due(conversation_id: int, due_at: datetime | None) -> None:
    """The next running SLA deadline (owned by herodesk.slas), cached for the inbox to show and sort."""
    Conversation.objects.filter(pk=conversation_id).update(sla_due_at=due_at)


def do_suggest_reason(conversation_id: int, reason: ContactReason | None, confidence: float | None) -> None:
    """The reason model's suggestion, which an agent confirms by setting the contact reason."""
    Conversation.objects.filter(pk=conversation_id).update(
        suggested_reason=reason, suggested_reason_confidence=confidence
    )


# --- Status, snooze, ownership ----------------------------------------------------------------------


def required_on_resolve(conversation: Conversation) -> dict[str, str]:
    """Fields a conversation must have before it is resolved (call control: not at creation)."""
    missing = {}
    if conversation.customer_id is None:
        missing["customer"] = "Set the customer before resolving."
    if conversation.contact_reason_id is None:
        missing["contact_reason"] = "Choose a contact reason before resolving."
    return missing


def _set_status(conversation: Conversation, actor: User | None, status: str, at: datetime) -> None:
    if status not in Status.values:
        raise ActionError("Unknown status", {"status": f"Choose one of {', '.join(Status.values)}."})
    if status == Status.SNOOZED:
        raise ActionError("Use snooze with a time", {"status": "Snoozing needs a date and time."})
    if status in Conversation.DONE_STATUSES:
        missing = required_on_resolve(conversation)
        if missing:
            raise ActionError("Some required fields are missing", missing)
        conversation.resolved_at = conversation.resolved_at or at
    else:
        conversation.resolved_at = None
    old = conversation.status
    conversation.status = status
    conversation.last_activity_at = at
    conversation.save(update_fields=["status", "resolved_at", "last_activity_at"])
    _record(conversation, actor, Event.Kind.STATUS, at, old=old, new=status)


@transaction.atomic
def do_change_status(conversation: Conversation, actor: User, status: str) -> Conversation:
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if status != conversation.status:
        _set_status(conversation, actor, status, _now())
        _after_commit(conversation)
    return conversation


@transaction.atomic
def do_snooze(
    conversation: Conversation, actor: User, until: datetime, for_customer: bool = False
) -> Conversation:
    """Put a conversation away until a time. ``for_customer``: the customer asked to wait (the SLA clocks
    stop while it sleeps, as while pending); otherwise it is the team's own choice and the clocks run."""
    at = _now()
    if until <= at:
        raise ActionError("Snooze time is in the past", {"until": "Choose a time in the future."})
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    conversation.status = Status.SNOOZED
    conversation.snoozed_until = until
    conversation.save(update_fields=["status", "snoozed_until"])
    _record(conversation, actor, Event.Kind.SNOOZED, at, until=until.isoformat(), for_customer=for_customer)
    _after_commit(conversation)  # e.g. SLA clocks stop when the customer asked to wait
    return conversation


def do_wake_due_snoozes(now: datetime | None = None) -> int:
    """Reopen conversations whose snooze time has come; the snooze time stays as a reminder."""
    at = _now(now)
    woken = 0
    due = Conversation.objects.filter(status=Status.SNOOZED, snoozed_until__lte=at).values_list(
        "pk", flat=True
    )
    for pk in list(due[:500]):
        with transaction.atomic():
            conversation = Conversation.objects.select_for_update().get(pk=pk)
            if conversation.status != Status.SNOOZED:
                continue
            conversation.status = Status.OPEN
            conversation.last_activity_at = at
            conversation.save(update_fields=["status", "last_activity_at"])
            _record(conversation, None, Event.Kind.WOKEN, at, snoozed_until=_iso(conversation.snoozed_until))
            _after_commit(conversation)  # paused SLA clocks run on
            woken += 1
    return woken


@transaction.atomic
def do_clear_snooze_reminder(conversation: Conversation, actor: User) -> None:
    """Forget the time of a snooze that has ended (it stays shown as a reminder until then)."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.status == Status.SNOOZED or conversation.snoozed_until is None:
        return
    _record(
        conversation, actor, Event.Kind.SNOOZE_CLEARED, _now(), snoozed_until=_iso(conversation.snoozed_until)
    )
    conversation.snoozed_until = None
    conversation.save(update_fields=["snoozed_until"])


def _assign(
    conversation: Conversation, actor: User | None, owner: User | None, at: datetime, **how: object
) -> None:
    """Set the owner and record it (``how``: e.g. the team's rule when the desk chose the agent)."""
    old = conversation.owner_id
    conversation.owner = owner
    conversation.save(update_fields=["owner"])
    _record(conversation, actor, Event.Kind.ASSIGNED, at, old=old, new=owner.pk if owner else None, **how)


def _next_owner(team: Team) -> User | None:
    """Who gets a conversation that lands in ``team`` without an agent, by the team's assignment rule.

    Manual: nobody (it waits in the team's pickup queue). Round robin: the next available member after
    the one the rule chose last. Balanced: the available member with the fewest open conversations.
    Away and deactivated agents are skipped; with nobody available it waits in the queue.
    """
    if team.assignment not in (Team.Assignment.ROUND_ROBIN, Team.Assignment.BALANCED):
        return None
    members = list(team.members.filter(is_active=True, away=False).order_by("pk"))
    if not members:
        return None
    if team.assignment == Team.Assignment.BALANCED:
        load = dict(
            Conversation.objects.filter(owner__in=members, is_open=1)
            .values("owner")
            .annotate(n=Count("pk"))
            .values_list("owner", "n")
        )
        return min(members, key=lambda m: (load.get(m.pk, 0), m.pk))
    last = (
        Event.objects.filter(kind=Event.Kind.ASSIGNED, data__rule=Team.Assignment.ROUND_ROBIN)
        .filter(data__team=team.pk)
        .order_by("-created_at", "-pk")
        .values_list("data", flat=True)
        .first()
    )
    last_pk = int(last.get("new") or 0) if isinstance(last, dict) else 0
    return next((m for m in members if m.pk > last_pk), members[0])


@transaction.atomic
def do_assign(conversation: Conversation, actor: User, owner: User | None) -> Conversation:
    """Take or give a conversation inside the same team (no hand-off note needed for that)."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if owner is not None and not owner.is_active:
        raise ActionError("That agent is not active", {"owner": "Choose an active agent."})
    if conversation.owner_id != (owner.pk if owner else None):
        _assign(conversation, actor, owner, _now())
        _after_commit(conversation)
    return conversation


@dataclass
class Transfer:
    note: str
    to_owner: User | None = None
    to_team: Team | None = None


def _is_bounce_back(conversation: Conversation, to_owner: int | None, to_team: int | None) -> bool:
    """Does this transfer hand the conversation back to a team or agent it had already left?"""
    left_teams: set[int] = set()
    left_owners: set[int] = set()
    for data in conversation.events.filter(kind=Event.Kind.TRANSFERRED).values_list("data", flat=True):
        if isinstance(data, dict):
            if data.get("from_team") and data.get("from_team") != data.get("to_team"):
                left_teams.add(data["from_team"])
            if data.get("from_owner") and data.get("from_owner") != data.get("to_owner"):
                left_owners.add(data["from_owner"])
    back_to_team = to_team is not None and to_team != conversation.team_id and to_team in left_teams
    back_to_owner = to_owner is not None and to_owner != conversation.owner_id and to_owner in left_owners
    return back_to_team or back_to_owner


@transaction.atomic
def do_transfer(conversation: Conversation, actor: User, transfer: Transfer) -> Conversation:
    """Hand a conversation to another agent or team, with a warm hand-off note. Counts as customer effort.

    It always lands where a person looks: in the agent's Mine, or in the team's pickup queue (unassigned
    and open whatever its status was), unless the team's assignment rule picks an agent at once. A
    transfer back to a team or agent the conversation had already left is counted as a bounce-back.
    """
    note = (transfer.note or "").strip()
    if not note:
        raise ActionError(
            "A hand-off note is required", {"note": "Tell the next owner what the customer needs."}
        )
    if len(note) > 5000:
        raise ActionError("Hand-off note too long", {"note": "At most 5,000 characters."})
    if transfer.to_owner is None and transfer.to_team is None:
        raise ActionError("Choose who takes over", {"to": "Choose an agent or a team."})
    if transfer.to_owner is not None and not transfer.to_owner.is_active:
        raise ActionError("That agent is not active", {"to_owner": "Choose an active agent."})
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    at = _now()
    old_owner, old_team = conversation.owner_id, conversation.team_id
    new_team = transfer.to_team or conversation.team
    if transfer.to_owner is not None and transfer.to_team is None:
        owner_teams = list(transfer.to_owner.teams.order_by("pk"))
        if owner_teams and all(t.pk != conversation.team_id for t in owner_teams):
            new_team = owner_teams[0]
    bounce = _is_bounce_back(
        conversation, transfer.to_owner.pk if transfer.to_owner else None, new_team.pk if new_team else None
    )
    conversation.team = new_team
    conversation.owner = transfer.to_owner
    conversation.last_activity_at = at
    if bounce:
        conversation.bounce_back_count += 1
    conversation.save(update_fields=["team", "owner", "last_activity_at", "bounce_back_count"])
    _record(
        conversation,
        actor,
        Event.Kind.TRANSFERRED,
        at,
        note=note,
        from_owner=old_owner,
        to_owner=conversation.owner_id,
        from_team=old_team,
        to_team=conversation.team_id,
        bounce_back=bounce,
    )
    if conversation.status not in (Status.NEW, Status.OPEN):  # pending, snoozed, resolved: back in a queue
        _set_status(conversation, actor, Status.OPEN, at)
    if conversation.owner_id is None and new_team is not None:
        auto_owner = _next_owner(new_team)
        if auto_owner is not None:
            _assign(conversation, None, auto_owner, at, rule=new_team.assignment, team=new_team.pk)
    _after_commit(conversation)
    return conversation


@transaction.atomic
def do_acknowledge_handoff(conversation: Conversation, actor: User) -> None:
    """The new owner (or a team member) read the hand-off note: it leaves the top of the conversation."""
    conversation = _locked(conversation)
    _record(conversation, actor, Event.Kind.HANDOFF_SEEN, _now())


@dataclass
class ConversationChange:
    """Several changes at once (the API's PATCH): all of them or none. Unset fields stay as they are."""

    to_team: Team | None = None  # a transfer, with ``handoff_note`` and ``owner`` as the new owner
    handoff_note: str = ""
    change_owner: bool = False
    owner: User | None = None
    tags: Sequence[str] | None = None
    priority: int | None = None
    status: str | None = None
    snoozed_until: datetime | None = None


@transaction.atomic
def do_update_conversation(
    conversation: Conversation, actor: User, change: ConversationChange
) -> Conversation:
    if change.to_team is not None:
        owner = change.owner if change.change_owner else None
        do_transfer(
            conversation, actor, Transfer(note=change.handoff_note, to_owner=owner, to_team=change.to_team)
        )
    elif change.change_owner:
        do_assign(conversation, actor, change.owner)
    if change.tags is not None:
        do_set_tags(conversation, actor, change.tags)
    if change.priority is not None:
        do_set_priority(conversation, actor, change.priority)
    if change.status is not None:
        do_change_status(conversation, actor, change.status)
    if change.snoozed_until is not None:
        do_snooze(conversation, actor, change.snoozed_until)
    return conversation


# --- Several conversations at once: bulk changes, merge, split ------------------------------------

BULK_LIMIT = 200


@dataclass
class BulkChange:
    """What one bulk action does to every selected conversation; unset fields stay as they are."""

    change_owner: bool = False
    owner: User | None = None
    transfer: Transfer | None = None  # one hand-off note for all of them
    add_tags: Sequence[str] = ()
    status: str | None = None
    priority: int | None = None

    def is_empty(self) -> bool:
        return not (
            self.change_owner or self.transfer or self.add_tags or self.status or self.priority is not None
        )


@transaction.atomic
def do_bulk_update(conversations: Sequence[Conversation], actor: User, change: BulkChange) -> int:
    """Apply one change to many conversations in one transaction: all of them or none.

    Each change of each conversation is recorded as its own event, as if made one by one. Returns how
    many conversations were changed.
    """
    if not conversations:
        raise ActionError("Select conversations first", {"ids": "Select at least one conversation."})
    if len(conversations) > BULK_LIMIT:
        raise ActionError("Too many conversations", {"ids": f"Select at most {BULK_LIMIT} at once."})
    if change.is_empty():
        raise ActionError("Choose what to change", {"action": "Choose an action to apply."})
    for conversation in sorted(conversations, key=lambda c: c.pk):  # one lock order: no deadlocks
        if change.transfer is not None:
            do_transfer(conversation, actor, change.transfer)
        elif change.change_owner:
            do_assign(conversation, actor, change.owner)
        if change.add_tags:
            current = list(_locked(conversation).tags.values_list("name", flat=True))
            do_set_tags(conversation, actor, [*current, *change.add_tags])
        if change.priority is not None:
            do_set_priority(conversation, actor, change.priority)
        if change.status:
            try:
                do_change_status(conversation, actor, change.status)
            except ActionError as error:
                raise ActionError(f"#{conversation.pk}: {error.message}", {
                    key: f"#{conversation.pk}: {text}" for key, text in error.fields.items()
                }) from error
    return len(conversations)


def _same_customer(survivor: Conversation, merged: Conversation) -> None:
    if survivor.pk == merged.pk:
        raise ActionError("A conversation cannot be merged into itself", {"into": "Choose another one."})
    if survivor.merged_into_id or merged.merged_into_id:
        raise ActionError("Already merged", {"into": "That conversation was merged already."})
    if survivor.customer_id is None or survivor.customer_id != merged.customer_id:
        raise ActionError(
            "Only conversations of the same customer can be merged",
            {"into": "Choose a conversation of the same customer (or set the customer first)."},
        )


@transaction.atomic
def do_merge_conversations(survivor: Conversation, merged: Conversation, actor: User) -> Conversation:
    """Move everything of ``merged`` (messages, promises, events, tags) into ``survivor``.

    ``merged`` is closed and points at the survivor (its page redirects there); nothing is lost.
    """
    first, second = sorted([survivor.pk, merged.pk])
    locked = {c.pk: c for c in Conversation.objects.select_for_update().filter(pk__in=[first, second])}
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    _same_customer(survivor, merged)
    at = _now()
    message_ids = list(merged.messages.values_list("pk", flat=True))
    Message.objects.filter(pk__in=message_ids).update(conversation=survivor)
    hooks.messages_moved(message_ids, survivor.pk)
    Event.objects.filter(conversation=merged).update(conversation=survivor)
    survivor.tags.add(*merged.tags.all())
    survivor.last_activity_at = max(survivor.last_activity_at, merged.last_activity_at, at)
    survivor.last_customer_message_at = _latest(
        survivor.last_customer_message_at, merged.last_customer_message_at
    )
    survivor.reopen_count += merged.reopen_count
    survivor.bounce_back_count += merged.bounce_back_count
    survivor.save(
        update_fields=[
            "last_activity_at", "last_customer_message_at", "reopen_count", "bounce_back_count",
        ]
    )  # fmt: skip
    merged.merged_into = survivor
    merged.status = Status.CLOSED
    merged.resolved_at = merged.resolved_at or at
    merged.last_activity_at = at
    merged.save(update_fields=["merged_into", "status", "resolved_at", "last_activity_at"])
    _record(survivor, actor, Event.Kind.MERGED_FROM, at, merged=merged.pk, subject=merged.subject,
            messages=len(message_ids))  # fmt: skip
    _record(merged, actor, Event.Kind.MERGED_INTO, at, into=survivor.pk)
    schedule_index(survivor.pk)
    schedule_index(merged.pk)
    _after_commit(survivor)
    return survivor


def _latest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None


@transaction.atomic
def do_split_message(message: Message, actor: User) -> Conversation:
    """Move one message into a new conversation of the same customer (a second question in one mail)."""
    conversation = _locked(message.conversation)
    message = Message.objects.get(pk=message.pk)  # after the lock: where it is now
    if message.conversation_id != conversation.pk:
        raise ActionError("That message has moved", {"message": "Reload the conversation."})
    if conversation.merged_into_id:
        raise ActionError("This conversation was merged", {"message": "Split it from the survivor."})
    if conversation.messages.count() < 2:
        raise ActionError("Nothing to split off", {"message": "This is the conversation's only message."})
    at = _now()
    first_line = next((line.strip() for line in message.text.splitlines() if line.strip()), "")
    new = Conversation.objects.create(
        subject=(first_line or f"Split from #{conversation.pk}")[:120],
        customer=conversation.customer,
        team=conversation.team,
        owner=conversation.owner,
        channel=message.channel if message.channel in Channel.values else conversation.channel,
        status=Status.OPEN if conversation.owner_id else Status.NEW,
        priority=conversation.priority,
        contact_reason=None,
        created_at=at,
        last_activity_at=at,
        last_customer_message_at=message.created_at if message.is_from_customer else None,
    )
    Message.objects.filter(pk=message.pk).update(conversation=new)
    hooks.messages_moved([message.pk], new.pk)
    _record(new, actor, Event.Kind.SPLIT_FROM, at, source=conversation.pk, message=message.pk)
    _record(conversation, actor, Event.Kind.SPLIT_OFF, at, into=new.pk, message=message.pk)
    conversation.last_customer_message_at = (
        conversation.messages.filter(kind=Message.Kind.CUSTOMER)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    conversation.save(update_fields=["last_customer_message_at"])
    for changed in (conversation, new):
        schedule_index(changed.pk)
        _after_commit(changed)
    return new


# --- Classification ---------------------------------------------------------------------------------


def _tags(names: Iterable[str]) -> list[Tag]:
    from django.utils.text import slugify

    tags = []
    for name in names:
        slug = slugify(name, allow_unicode=True)[:50]
        if slug:
            tags.append(Tag.objects.get_or_create(name=slug)[0])
    return tags


@transaction.atomic
def do_set_tags(conversation: Conversation, actor: User, names: Iterable[str]) -> Conversation:
    conversation = _locked(conversation)
    at = _now()
    wanted = {tag.name: tag for tag in _tags(names)}
    current = {tag.name: tag for tag in conversation.tags.all()}
    for name in sorted(set(wanted) - set(current)):
        conversation.tags.add(wanted[name])
        _record(conversation, actor, Event.Kind.TAGGED, at, tag=name)
    for name in sorted(set(current) - set(wanted)):
        conversation.tags.remove(current[name])
        _record(conversation, actor, Event.Kind.UNTAGGED, at, tag=name)
    return conversation


@transaction.atomic
def do_set_priority(conversation: Conversation, actor: User, priority: int) -> Conversation:
    conversation = _locked(conversation)
    if priority not in Conversation.Priority.values:
        raise ActionError("Unknown priority", {"priority": "Choose low, normal, high or urgent."})
    if conversation.priority != priority:
        _record(conversation, actor, Event.Kind.PRIORITY, _now(), old=conversation.priority, new=priority)
        conversation.priority = priority
        conversation.save(update_fields=["priority"])
    return conversation


@transaction.atomic
def do_create_contact_reason(actor: User, name: str, description: str = "") -> ContactReason:
    """A new contact reason (leads and admins), e.g. adopted from a proposed cluster."""
    if not actor.is_lead:
        raise ActionError("Only team leads and admins create contact reasons.")
    name = " ".join(name.split())
    if not name:
        raise ActionError("Name is required", {"name": "This field is required."})
    if len(name) > 100:
        raise ActionError("Name is too long", {"name": "At most 100 characters."})
    if ContactReason.objects.filter(name__iexact=name).exists():
        raise ActionError("That contact reason exists already", {"name": f"“{name}” exists already."})
    return ContactReason.objects.create(name=name, description=description.strip()[:2000])


@transaction.atomic
def do_set_contact_reason(
    conversation: Conversation, actor: User, reason: ContactReason | None
) -> Conversation:
    conversation = _locked(conversation)
    if conversation.contact_reason_id != (reason.pk if reason else None):
        _record(conversation, actor, Event.Kind.REASON, _now(), reason=reason.name if reason else None)
        conversation.contact_reason = reason
        conversation.save(update_fields=["contact_reason"])
    return conversation


@transaction.atomic
def do_set_customer(conversation: Conversation, actor: User, customer: Customer) -> Conversation:
    conversation = _locked(conversation)
    if conversation.customer_id != customer.pk:
        _record(
            conversation, actor, Event.Kind.CUSTOMER, _now(), old=conversation.customer_id, new=customer.pk
        )
        conversation.customer = customer
        conversation.save(update_fields=["customer"])
        conversation.messages.filter(direction=Message.Direction.IN).update(customer=customer)
        schedule_index(conversation.pk)
        _after_commit(conversation)
    return conversation


@transaction.atomic
def do_set_subject(conversation: Conversation, actor: User, subject: str) -> Conversation:
    conversation = _locked(conversation)
    subject = (subject or "").strip()[:300]
    if not subject:
        raise ActionError("Subject is required", {"subject": "This field is required."})
    if subject != conversation.subject:
        _record(conversation, actor, Event.Kind.SUBJECT, _now(), old=conversation.subject, new=subject)
        conversation.subject = subject
        conversation.save(update_fields=["subject"])
        schedule_index(conversation.pk)
    return conversation


# --- Customers, with the conversations and audit trail they carry ----------------------------------


@transaction.atomic
def do_update_customer(customer: Customer, actor: User | None, details: CustomerDetails) -> Customer:
    changed = customer_actions.do_update_customer_details(customer, details)
    if changed:
        _record(None, actor, Event.Kind.CUSTOMER_CHANGED, _now(), customer=customer, fields=changed)
    return customer


@transaction.atomic
def do_merge_customers(survivor: Customer, duplicate: Customer, actor: User | None) -> Customer:
    """Move everything of ``duplicate`` onto ``survivor``; nothing of the history is lost."""
    if actor is not None and not actor.is_lead:
        raise ActionError("Only team leads and admins can merge customers", {"other": "Ask a team lead."})
    if survivor.pk == duplicate.pk:
        raise ActionError("A customer cannot be merged into itself", {"other": "Choose another customer."})
    at = _now()
    moved = list(Conversation.objects.filter(customer=duplicate).values_list("pk", flat=True))
    # What an undo needs: which rows moved, and the survivor's fields as they were.
    undo = {
        "messages": list(Message.objects.filter(customer=duplicate).values_list("pk", flat=True)),
        "identities": list(duplicate.identities.values_list("pk", flat=True)),
        "survivor_before": {
            "name": survivor.name,
            "notes": survivor.notes,
            "organization": survivor.organization_id,
        },
    }
    Conversation.objects.filter(customer=duplicate).update(customer=survivor)
    Message.objects.filter(customer=duplicate).update(customer=survivor)
    customer_actions.do_merge_customer_records(survivor, duplicate)
    _record(
        None,
        actor,
        Event.Kind.MERGED,
        at,
        customer=survivor,
        merged=duplicate.pk,
        conversations=moved,
        **undo,
    )
    for pk in moved:
        Event.objects.create(
            conversation_id=pk,
            customer=survivor,
            actor=actor,
            kind=Event.Kind.MERGED,
            created_at=at,
            data={"from_customer": duplicate.pk, "to_customer": survivor.pk},
        )
        schedule_index(pk)
    return survivor


@transaction.atomic
def do_erase_customer(customer: Customer, actor: User | None) -> int:
    """Erase a customer and everything about them (right to erasure). Returns conversations deleted.

    Their conversations with messages, events, attachments and search entries; the customer's own events
    (edits, merges, whose undo data names them); the records merged into them; and whatever the apps
    registered in ``hooks`` keep about them (raw mails, form submissions). Attachment files are deleted
    from storage after the commit, so a rollback never loses a file whose row stays.
    """
    customer_ids, identities = customer_queries.erasure_scope(customer)
    ids = list(Conversation.objects.filter(customer_id__in=customer_ids).values_list("pk", flat=True))
    hooks.customer_erased(
        hooks.ErasedCustomer(
            customer_ids=tuple(customer_ids),
            conversation_ids=tuple(ids),
            emails=tuple(identities.get("email", [])),
            phones=tuple(identities.get("phone", [])),
        )
    )
    files = list(Attachment.objects.filter(message__conversation_id__in=ids).values_list("file", flat=True))
    for pk in ids:
        search.remove_conversation(pk)
    Conversation.objects.filter(pk__in=ids).delete()
    Event.objects.filter(customer_id__in=customer_ids).delete()
    Event.objects.create(  # not linked to the customer, who is gone; the count stays for the audit
        actor=actor,
        kind=Event.Kind.CUSTOMER_DELETED,
        created_at=_now(),
        data={"customer": customer.pk, "conversations": len(ids)},
    )
    customer_actions.do_erase_customer_records(customer, customer_ids)
    transaction.on_commit(lambda: delete_stored_files(files), robust=True)
    return len(ids)


def delete_stored_files(names: Iterable[str]) -> None:
    """Delete files from storage, and the folders they leave empty (their names are the customer's)."""
    for name in names:
        if not name:
            continue
        default_storage.delete(name)
        _remove_empty_folders(os.path.dirname(name))


def _remove_empty_folders(folder: str) -> None:
    try:
        root = os.path.realpath(default_storage.path(""))
    except NotImplementedError:  # a storage without folders (e.g. object storage)
        return
    while "/" in folder:  # never the top folder ("attachments")
        path = os.path.realpath(default_storage.path(folder))
        if not path.startswith(root + os.sep):
            return
        try:
            os.rmdir(path)
        except OSError:  # not empty (or gone): stop climbing
            return
        folder = os.path.dirname(folder)


def _locked(conversation: Conversation) -> Conversation:
    """The row again, locked for this transaction: a concurrent change is never overwritten."""
    return Conversation.objects.select_for_update().get(pk=conversation.pk)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None



# --- Administration, audited (pages in herodesk/administration) -------------------------------------
# Every settings change is an Event without a conversation (kind admin_change) saying what changed in words.
# Agents, teams and holidays are written by accounts' actions, which cannot write events (lower floor):
# ``do_audited`` runs one of them and records its event in the same transaction.


T = TypeVar("T")


def _record_admin(actor: User, area: str, summary: str) -> Event:
    return _record(None, actor, Event.Kind.ADMIN_CHANGE, _now(), area=area, summary=summary)


@transaction.atomic
def do_audited(actor: User, area: str, change: Callable[[], T], summary: Callable[[T], str]) -> T:
    """Run an administration action of a lower app and record what it changed, all or nothing."""
    result = change()
    _record_admin(actor, area, summary(result))
    return result


def _require_lead(actor: User) -> None:
    if not actor.is_lead:
        raise ActionError("Only team leads and admins change contact reasons and tags.")


@transaction.atomic
def do_rename_contact_reason(actor: User, reason: ContactReason, name: str) -> ContactReason:
    _require_lead(actor)
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise ActionError("Name is required", {"name": "Give the reason a name (at most 100 characters)."})
    if ContactReason.objects.filter(name__iexact=name).exclude(pk=reason.pk).exists():
        raise ActionError("That contact reason exists already", {"name": f"“{name}” exists: merge into it."})
    old, reason.name = reason.name, name
    reason.save(update_fields=["name"])
    _record_admin(actor, "contact reasons", f"Contact reason “{old}” renamed to “{name}”")
    return reason


@transaction.atomic
def do_set_contact_reason_active(actor: User, reason: ContactReason, active: bool) -> ContactReason:
    """Retire a reason (agents no longer choose it; conversations keep it) or bring it back."""
    _require_lead(actor)
    if reason.active != active:
        reason.active = active
        reason.save(update_fields=["active"])
        verb = "brought back" if active else "retired"
        _record_admin(actor, "contact reasons", f"Contact reason “{reason.name}” {verb}")
    return reason


@transaction.atomic
def do_merge_contact_reasons(actor: User, source: ContactReason, target: ContactReason) -> int:
    """Move every conversation of ``source`` to ``target`` and delete ``source``; returns how many moved."""
    _require_lead(actor)
    if source.pk == target.pk:
        raise ActionError("Choose another reason", {"target": "A reason cannot be merged into itself."})
    moved = Conversation.objects.filter(contact_reason=source).update(contact_reason=target)
    Conversation.objects.filter(suggested_reason=source).update(suggested_reason=target)
    name = source.name
    source.delete()
    summary = f"Contact reason “{name}” merged into “{target.name}” ({moved} conversations)"
    _record_admin(actor, "contact reasons", summary)
    return moved


def _tag_name(name: str) -> str:
    from django.utils.text import slugify

    slug = slugify(name, allow_unicode=True)[:50]
    if not slug:
        raise ActionError("Name is required", {"name": "Use letters, digits or dashes."})
    return slug


@transaction.atomic
def do_rename_tag(actor: User, tag: Tag, name: str) -> Tag:
    _require_lead(actor)
    slug = _tag_name(name)
    if Tag.objects.filter(name=slug).exclude(pk=tag.pk).exists():
        raise ActionError("That tag exists already", {"name": f"“{slug}” exists: merge into it."})
    old, tag.name = tag.name, slug
    tag.save(update_fields=["name"])
    _record_admin(actor, "tags", f"Tag “{old}” renamed to “{slug}”")
    return tag


@transaction.atomic
def do_merge_tags(actor: User, source: Tag, target: Tag) -> int:
    """Give every conversation tagged ``source`` the tag ``target`` instead, then delete ``source``."""
    _require_lead(actor)
    if source.pk == target.pk:
        raise ActionError("Choose another tag", {"target": "A tag cannot be merged into itself."})
    links = Conversation.tags.through
    ids = list(links.objects.filter(tag=source).values_list("conversation_id", flat=True))
    tagged = links.objects.filter(tag=target, conversation_id__in=ids)
    have = set(tagged.values_list("conversation_id", flat=True))
    links.objects.bulk_create([links(conversation_id=pk, tag=target) for pk in ids if pk not in have])
    name = source.name
    source.delete()
    _record_admin(actor, "tags", f"Tag “{name}” merged into “{target.name}” ({len(ids)} conversations)")
    return len(ids)


@transaction.atomic
def do_delete_tag(actor: User, tag: Tag) -> int:
    _require_lead(actor)
    count = tag.conversations.count()
    name = tag.name
    tag.delete()
    _record_admin(actor, "tags", f"Tag “{name}” deleted (removed from {count} conversations)")
    return count
