"""Reads of the insights app: signals for a conversation, hero moments, promises."""

from __future__ import annotations

from django.utils import timezone

from herodesk.accounts.models import User
from herodesk.conversations.models import Conversation
from herodesk.conversations.queries import LIST_PREFETCH, visible_conversations
from herodesk.insights import signals_bridge
from herodesk.insights.models import Promise

HERO_LIMIT = 100


def conversation_signals(conversation: Conversation) -> dict[str, object]:
    """Signals the conversation screen shows: promises and the effort drivers (recomputed, ~ms)."""
    result = signals_bridge.effort_for(conversation, timezone.now())
    return {
        "promises": list(conversation.promises.select_related("owner").order_by("due_at", "id")),
        "effort_drivers": [d for d in result.drivers if d.points > 0][:8],
        "effort_now": result.score,
    }


def hero_moments(user: User) -> list[Conversation]:
    """Intense conversations no agent has relieved yet (no reply since, not resolved), most intense first."""
    return list(
        visible_conversations(user)
        .filter(awaiting_relief=True, status__in=Conversation.OPEN_STATUSES)
        .select_related("customer", "owner")
        .prefetch_related(*LIST_PREFETCH)
        .order_by("-intensity", "last_customer_message_at")[:HERO_LIMIT]
    )


def promises_page(user: User) -> dict[str, object]:
    visible = visible_conversations(user).values("pk")
    open_promises = (
        Promise.objects.filter(conversation__in=visible, state=Promise.State.OPEN)
        .select_related("owner", "conversation")
        .order_by("due_at", "id")[:200]
    )
    return {"promises": list(open_promises), "now": timezone.now(), "stats": promise_stats(user)}


def promise_stats(user: User) -> dict[str, object]:
    """Promise-kept rate over the visible conversations: kept / (kept + broken)."""
    visible = visible_conversations(user).values("pk")
    by_state = Promise.objects.filter(conversation__in=visible)
    kept = by_state.filter(state=Promise.State.KEPT).count()
    broken = by_state.filter(state=Promise.State.BROKEN).count()
    rate = kept / (kept + broken) if kept + broken else None
    return {"kept": kept, "broken": broken, "rate": rate}
