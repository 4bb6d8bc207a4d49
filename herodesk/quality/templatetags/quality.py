"""Template tags of the quality app: the side card on the conversation screen, score labels, the vision."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from herodesk.conversations.models import Message
from herodesk.quality import actions, autoqa, queries
from herodesk.quality.models import Behaviour, Kudos, SampleItem, Score, TeamQuality
from herodesk.signals import praise

register = template.Library()


@register.simple_tag(takes_context=True)
def conversation_quality(context, conversation) -> dict[str, object]:
    user = context["request"].user
    can_review = conversation.team_id is not None and queries.can_review(user, conversation.team_id)
    reviews = queries.reviews_of_conversation(user, conversation.pk)
    if not can_review:
        reviews = [r for r in reviews if r.agent_id == user.pk]
    sampled = (
        SampleItem.objects.filter(conversation=conversation).order_by("-week").first() if can_review else None
    )
    return {
        "show": bool(can_review or reviews),
        "can_review": can_review,
        "can_lead": conversation.team_id is not None and queries.can_lead(user, conversation.team_id),
        "reviews": reviews,
        "sampled": sampled,
    }


@register.simple_tag
def team_vision(team_id: int) -> str:
    row = TeamQuality.objects.filter(team_id=team_id).exclude(vision="").first()
    if row is None:
        return ""
    return format_html('<p class="vision"><b>Our service vision:</b> {}</p>', row.vision)


@register.filter
def choices(behaviour: Behaviour) -> list[tuple[str, str]]:
    out = (
        [("1", "Yes"), ("0", "No")]
        if behaviour.scale == Behaviour.Scale.YES_NO
        else [(str(v), str(v)) for v in range(1, 6)]
    )
    if behaviour.allow_na:
        out.append((actions.NA, "N/A"))
    return out


def _label(behaviour: Behaviour, value: int | None) -> str:
    if value is None:
        return "—"
    if behaviour.scale == Behaviour.Scale.YES_NO:
        return "Yes" if value else "No"
    return f"{value} of 5"


@register.filter
def score_label(score: Score) -> str:
    return "N/A" if score.not_applicable else _label(score.behaviour, score.value)


@register.filter
def autoqa_label(score: Score) -> str:
    return _label(score.behaviour, score.autoqa_value)


@register.filter
def why_label(why: str) -> str:
    return actions.RISKS.get(why, "Random pick")


@register.simple_tag(takes_context=True)
def message_quality(context, message) -> dict[str, object]:
    """Kudos on this message, customer praise found in it, and whether the user may give kudos. The
    conversation's kudos are read once per page, not once per message."""
    request = context["request"]
    cache = getattr(request, "_quality_kudos", None)
    if cache is None:  # once per request: each include has its own render context
        cache = request._quality_kudos = {}
    if message.conversation_id not in cache:
        by_message: dict[int, list[Kudos]] = {}
        rows = (
            Kudos.objects.filter(conversation_id=message.conversation_id)
            .select_related("giver")
            .only("message_id", "text", "giver__username", "giver__first_name", "giver__last_name")
        )
        for kudos in rows:
            by_message.setdefault(kudos.message_id, []).append(kudos)
        cache[message.conversation_id] = by_message
    user = request.user
    out: dict[str, object] = {"kudos": cache[message.conversation_id].get(message.pk, [])}
    if message.kind in autoqa.AGENT_KINDS:
        out["can_give"] = message.author_id is not None and message.author_id != user.pk
    elif message.kind == Message.Kind.CUSTOMER:
        found = praise.detect(message.text)
        out["praise"] = found.evidence if found.present else []
    return out


@register.filter
def value_label(behaviour: Behaviour, value: object) -> str:
    """A practice score (a number, "na" or nothing) as the review screen shows it."""
    if value == actions.NA:
        return "N/A"
    return _label(behaviour, value if isinstance(value, int) else None)
