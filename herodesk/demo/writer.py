"""The bulk writer: planned conversations become rows (ORM bulk_create) and search entries."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from herodesk.conversations import search
from herodesk.conversations.models import Conversation, Event, Message
from herodesk.customers.models import Identity
from herodesk.demo.cast import DemoSummary
from herodesk.demo.plans import DeskCast, PlannedConversation, PlannedEvent, PlannedMessage, aware, moment
from herodesk.demo.stories import StoryPlanner


def search_body(name: str, identities: Iterable[str], texts: Iterable[str]) -> str:
    """The indexed body, built like search._document_text builds it for live conversations."""
    return "\n".join([name, *identities, *texts])[: search.MAX_BODY_CHARS]



def _write_conversations(planner: StoryPlanner, count: int, summary: DemoSummary, batch: int = 500) -> None:
    start = (Conversation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    now, span = planner.cast.now, planner.cast.days * 86400
    # Conversations come in time order so repeat contacts can refer back to earlier ones.
    times = sorted(now - planner.rng.random() * span for _ in range(count))
    identities = _identity_values()
    for offset in range(0, count, batch):
        plans = [planner.plan(start + offset + i, at) for i, at in enumerate(times[offset:offset + batch])]
        with transaction.atomic():
            _store_batch(plans, identities, planner.cast, summary)
        summary.conversations += len(plans)


def _identity_values() -> dict[int, list[str]]:
    values: dict[int, list[str]] = {}
    for customer_id, value in Identity.objects.values_list("customer_id", "value"):
        values.setdefault(customer_id, []).append(value)
    return values


def _store_batch(plans: list[PlannedConversation], identities: dict[int, list[str]], cast: DeskCast,
                 summary: DemoSummary) -> None:
    Conversation.objects.bulk_create([_conversation_row(plan) for plan in plans])
    messages = [_message_row(plan, m) for plan in plans for m in plan.messages]
    events = [_event_row(plan, e) for plan in plans for e in plan.events]
    Message.objects.bulk_create(messages, batch_size=500)
    Event.objects.bulk_create(events, batch_size=500)
    through = Conversation.tags.through
    through.objects.bulk_create(
        [through(conversation_id=plan.id, tag_id=tag_id) for plan in plans for tag_id in plan.tag_ids]
    )
    for plan in plans:
        first, last = cast.customer_names.get(plan.customer_id, ("", ""))
        texts = (m.text for m in plan.messages)
        body = search_body(f"{first} {last}", identities.get(plan.customer_id, []), texts)
        search.index_text(plan.id, plan.subject, body)
    summary.messages += len(messages)
    summary.events += len(events)


def _tagged_reason(plan: PlannedConversation) -> int | None:
    """Agents pick the reason while working a conversation: new ones are untagged (and get suggestions)."""
    return None if plan.status == "new" else plan.reason_id


def _conversation_row(plan: PlannedConversation) -> Conversation:
    return Conversation(
        pk=plan.id, subject=plan.subject, customer_id=plan.customer_id, team_id=plan.team_id,
        owner_id=plan.owner_id, channel=plan.channel, status=plan.status, priority=plan.priority,
        snoozed_until=aware(plan.snoozed_until), contact_reason_id=_tagged_reason(plan),
        created_at=moment(plan.created_at), first_response_at=aware(plan.first_response_at),
        resolved_at=aware(plan.resolved_at), last_activity_at=moment(plan.last_activity_at),
        last_customer_message_at=aware(plan.last_customer_message_at), reopen_count=plan.reopen_count,
    )


def _message_row(plan: PlannedConversation, message: PlannedMessage) -> Message:
    external_id = f"<{plan.id}.{int(message.at)}@mail.example.com>" if message.channel == "email" else ""
    sent = message.kind == "reply"
    return Message(
        conversation_id=plan.id, direction=message.direction, kind=message.kind, channel=message.channel,
        author_id=message.author_id, customer_id=message.customer_id, text=message.text,
        full_text=message.text, created_at=moment(message.at), external_id=external_id,
        send_status="sent" if sent else "", sent_at=aware(message.at) if sent else None,
    )


def _event_row(plan: PlannedConversation, event: PlannedEvent) -> Event:
    customer_id = plan.customer_id if event.kind in ("created", "reopened", "channel_switch") else None
    return Event(conversation_id=plan.id, customer_id=customer_id, actor_id=event.actor_id, kind=event.kind,
                 data=event.data, note=event.note, created_at=moment(event.at))
