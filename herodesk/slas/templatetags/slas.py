"""The SLA parts of the conversation screen: a banner when a target is near or past due, and a side card."""

from __future__ import annotations

from django import template

from herodesk.conversations.models import Conversation
from herodesk.slas.queries import ConversationSla, business_span, conversation_sla

register = template.Library()


@register.simple_tag
def sla_for(conversation: Conversation) -> ConversationSla | None:
    """The conversation's SLA state, read once per page (the page has already checked access)."""
    if not hasattr(conversation, "_sla_state"):
        conversation._sla_state = conversation_sla(conversation.pk)  # type: ignore[attr-defined]
    return conversation._sla_state  # type: ignore[attr-defined]


@register.filter
def business_time(seconds: int | None) -> str:
    """'1 h 20 min' of business time."""
    return business_span(seconds)


@register.filter
def minutes_as_time(minutes: int | None) -> str:
    """A target in minutes as people say it: '30 min', '4 h', '1 d 2 h' of business time; '—' for none."""
    return "—" if minutes is None else business_span(minutes * 60)


@register.filter
def get_item(mapping: dict[str, str], key: str) -> str:
    return mapping.get(key, "")
