"""Reads of the insights app: signals for a conversation, hero moments, promises."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.utils import timezone

from herodesk.accounts.models import User
from herodesk.conversations.models import Conversation, Event, Message
from herodesk.conversations.queries import LIST_PREFETCH, visible_conversations
from herodesk.insights import signals_bridge
from herodesk.insights.actions import RELIEF_THRESHOLD
from herodesk.insights.models import Promise

HERO_LIMIT = 100


def conversation_signals(
    conversation: Conversation, messages: list[Message], events: list[Event]
) -> dict[str, object]:
    """Signals the conversation screen shows: promises and the effort drivers (recomputed, ~1 ms)."""
    result = signals_bridge.effort_of(conversation, messages, events, timezone.now())
    return {
        "promises": list(conversation.promises.select_related("owner").order_by("due_at", "id")),
        "effort_drivers": [d for d in result.drivers if d.points > 0][:8],
        "effort_now": result.score,
    }


def hero_moments(user: User) -> list[Conversation]:
    """Intense conversations no agent has relieved yet (no reply since, not resolved), most intense first.

    Each carries ``why``: the reasons of its most intense customer message (one extra query per page)."""
    moments: list[Conversation] = list(
        visible_conversations(user)
        .filter(awaiting_relief=True, status__in=Conversation.OPEN_STATUSES)
        .select_related("customer", "owner")
        .prefetch_related(*LIST_PREFETCH)
        .order_by("-intensity", "last_customer_message_at")[:HERO_LIMIT]
    )
    why: dict[int, list[str]] = {}
    rows = (
        Message.objects.filter(
            conversation_id__in=[c.pk for c in moments],
            kind=Message.Kind.CUSTOMER,
            intensity__gte=RELIEF_THRESHOLD,
        )
        .order_by("conversation_id", "-intensity", "-created_at")
        .values_list("conversation_id", "signals")
    )
    for conversation_id, signals in rows:
        if conversation_id not in why:
            why[conversation_id] = list((signals or {}).get("reasons", []))[:3]
    for conversation in moments:
        conversation.why = why.get(conversation.pk, [])  # type: ignore[attr-defined]
    return moments


def promises_page(user: User, owner_id: int | None = None) -> dict[str, object]:
    """Open promises, soonest due first (no due time last), plus the kept rate per agent."""
    visible = visible_conversations(user).values("pk")
    open_promises = Promise.objects.filter(conversation__in=visible, state=Promise.State.OPEN)
    if owner_id:
        open_promises = open_promises.filter(owner_id=owner_id)
    rows = (
        open_promises.select_related("owner", "conversation")
        .only(
            "text", "kind", "due_at", "state", "conversation__subject",
            "owner__username", "owner__first_name", "owner__last_name",
        )
        .order_by(F("due_at").asc(nulls_last=True), "id")[:200]
    )  # fmt: skip
    return {
        "promises": list(rows),
        "now": timezone.now(),
        "per_agent": promise_stats(user),
        "owner_id": owner_id,
    }


def promise_stats(user: User) -> list[dict[str, object]]:
    """Per agent: open, overdue, kept and broken promises, and the kept rate.

    An open promise past its due time can no longer be kept, so it counts as broken in the rate right
    away: the rate must not look perfect in the minutes before the periodic job marks it broken.
    kept rate = kept / (kept + broken + overdue)."""
    now = timezone.now()
    visible = visible_conversations(user).values("pk")
    rows = (
        Promise.objects.filter(conversation__in=visible, owner__isnull=False)
        .values("owner_id", "owner__username", "owner__first_name", "owner__last_name")
        .annotate(
            open=Count("id", filter=Q(state=Promise.State.OPEN)),
            overdue=Count("id", filter=Q(state=Promise.State.OPEN, due_at__lt=now)),
            kept=Count("id", filter=Q(state=Promise.State.KEPT)),
            broken=Count("id", filter=Q(state=Promise.State.BROKEN)),
        )
        .order_by("owner__first_name", "owner__username")
    )
    stats = []
    for row in rows:
        done = row["kept"] + row["broken"] + row["overdue"]
        name = f"{row['owner__first_name']} {row['owner__last_name']}".strip() or row["owner__username"]
        stats.append({**row, "name": name, "rate": row["kept"] / done if done else None})
    return stats
