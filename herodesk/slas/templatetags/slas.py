"""The SLA parts of the conversation screen: a banner when a target is near or past due, and a side card."""

from __future__ import annotations

from django import template

from herodesk.accounts import directory
from herodesk.conversations.models import Conversation, Message
from herodesk.insights.models import Promise
from herodesk.slas import deescalation, queries
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


@register.simple_tag(takes_context=True)
def keep_promise_draft(context: template.Context, conversation: Conversation) -> str:
    request = context.get("request")
    draft = request.GET.get("draft", "") if request is not None else ""
    return queries.keep_promise_draft(conversation, draft) if draft else ""


@register.simple_tag
def is_follow_up(conversation: Conversation, message: Message) -> bool:
    """Whether a scheduled reply is a follow-up (read once per page for all its messages)."""
    if not hasattr(conversation, "_follow_up_ids"):
        conversation._follow_up_ids = queries.follow_up_ids(conversation.pk)  # type: ignore[attr-defined]
    return message.pk in conversation._follow_up_ids  # type: ignore[attr-defined]


@register.simple_tag
def open_promises(conversation: Conversation, known: list[Promise] | None = None) -> list[Promise]:
    """Promises still to keep; from ``known`` (all the conversation's promises, already read by the
    page) when given, else read."""
    if known is None:
        return queries.open_promises(conversation.pk)
    return [p for p in known if p.state in (Promise.State.OPEN, Promise.State.BROKEN)]


@register.simple_tag
def active_agents() -> list[directory.Agent]:
    return directory.agents()


@register.simple_tag
def deescalation_help(
    conversation: Conversation, thread: list[Message] | None = None
) -> dict[str, object] | None:
    """The tips to show in the compose box when the customer's last message is intense; None otherwise.

    ``thread``: the conversation's messages in order, when the page has them (no query then)."""
    if thread is None:
        level = queries.last_customer_intensity(conversation.pk)
    else:
        level = next((m.intensity for m in reversed(thread) if m.kind == Message.Kind.CUSTOMER), None)
    if not deescalation.customer_is_intense(level):
        return None
    return {"intensity": level, "tips": deescalation.TIPS}
