"""Writes of the insights app: signals cached on messages and conversations, promises, reason suggestions.

Runs in background jobs queued by conversation actions after they commit.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from herodesk.conversations.models import Conversation, Message
from herodesk.customers.models import Customer
from herodesk.insights import signals_bridge
from herodesk.insights.models import Promise
from herodesk.signals import behaviours, effort, intensity, promises

# A customer message at or above this intensity makes a hero moment until an agent relieves it.
RELIEF_THRESHOLD = 0.6
AGENT_ACTIONS = signals_bridge.AGENT_ACTIONS


def score_message(message: Message, team_hours: signals_bridge.BusinessHours) -> list[promises.Promise]:
    """Fill the message's own signals; return the promises found in an agent reply."""
    if message.kind == Message.Kind.CUSTOMER:
        result = intensity.score(message.text)
        message.intensity = result.score
        message.signals = {"reasons": result.reasons, "confidence": result.confidence}
        return []
    if message.kind not in AGENT_ACTIONS:
        return []
    found = behaviours.detect(message.text)
    message.signals = {
        "behaviours": [name for name, present in found.flags().items() if present],
        "confidence": found.confidence,
    }
    if message.kind != Message.Kind.REPLY:
        return []
    return promises.detect(message.text, sent_at=message.created_at, business_hours=team_hours)


def _record_promises(message: Message, found: list[promises.Promise]) -> None:
    if Promise.objects.filter(message=message).exists():
        return  # analysed before (a retried job): never duplicate promises
    Promise.objects.bulk_create(
        Promise(
            conversation_id=message.conversation_id,
            message=message,
            owner_id=message.author_id,
            text=p.text[:2000],
            kind=p.kind,
            due_at=p.due,
            created_at=message.created_at,
        )
        for p in found
    )


def keep_promises(message: Message) -> int:
    """An agent acting on the conversation (reply or call note) before the due time keeps their promises."""
    if message.kind not in AGENT_ACTIONS or message.author_id is None:
        return 0
    open_promises = Promise.objects.filter(
        conversation_id=message.conversation_id,
        owner_id=message.author_id,
        state=Promise.State.OPEN,
        created_at__lt=message.created_at,
    ).exclude(message=message)
    on_time = open_promises.filter(due_at__gte=message.created_at) | open_promises.filter(due_at__isnull=True)
    return on_time.update(state=Promise.State.KEPT, kept_at=message.created_at)


def do_mark_broken_promises(now: datetime | None = None) -> int:
    """Open promises whose due time passed without the owner acting are broken."""
    now = now or timezone.now()
    return Promise.objects.filter(state=Promise.State.OPEN, due_at__lt=now).update(state=Promise.State.BROKEN)


def _unrelieved(messages: list[Message]) -> list[Message]:
    last_action = max((i for i, m in enumerate(messages) if m.kind in AGENT_ACTIONS), default=-1)
    return [m for m in messages[last_action + 1 :] if m.kind == Message.Kind.CUSTOMER]


def refresh_conversation(conversation: Conversation, now: datetime) -> None:
    """Recompute cached intensity, relief and effort for one conversation."""
    messages = list(conversation.messages.order_by("created_at", "id"))
    waiting = [m.intensity or 0.0 for m in _unrelieved(messages)]
    peak = max((m.intensity or 0.0 for m in messages if m.kind == Message.Kind.CUSTOMER), default=None)
    conversation.intensity = max(waiting) if waiting else peak
    conversation.awaiting_relief = (
        bool(waiting)
        and max(waiting) >= RELIEF_THRESHOLD
        and conversation.status in Conversation.OPEN_STATUSES
    )
    conversation.effort = signals_bridge.effort_for(conversation, now).score
    Conversation.objects.filter(pk=conversation.pk).update(
        intensity=conversation.intensity,
        awaiting_relief=conversation.awaiting_relief,
        effort=conversation.effort,
    )


def refresh_customer(customer_id: int) -> None:
    scores = list(
        Conversation.objects.filter(customer_id=customer_id, effort__isnull=False).values_list(
            "effort", flat=True
        )
    )
    combined = effort.aggregate([effort.EffortResult(s) for s in scores]).score if scores else None
    Customer.objects.filter(pk=customer_id).update(effort=combined)


@transaction.atomic
def analyse_conversation(conversation_id: int, message_id: int | None = None) -> None:
    """Score a new message and refresh the conversation's and the customer's cached signals."""
    conversation = Conversation.objects.select_related("team").filter(pk=conversation_id).first()
    if conversation is None:
        return  # deleted meanwhile
    now = timezone.now()
    hours = signals_bridge.business_hours_for(conversation.team)
    pending = conversation.messages.filter(signals={}).exclude(kind=Message.Kind.NOTE)
    if message_id is not None:
        pending = pending | conversation.messages.filter(pk=message_id)
    for message in pending.order_by("created_at", "id"):
        found = score_message(message, hours)
        message.save(update_fields=["intensity", "signals"])
        _record_promises(message, found)
        keep_promises(message)
    refresh_conversation(conversation, now)
    if conversation.customer_id:
        refresh_customer(conversation.customer_id)
    from herodesk.insights import reasons

    reasons.suggest_for(conversation)


def analyse_all(batch_size: int = 500) -> int:
    """Analyse every conversation (after an import or for the demo)."""
    ids = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
    from herodesk.insights import reasons

    reasons.retrain()
    for pk in ids:
        analyse_conversation(pk)
    return len(ids)
