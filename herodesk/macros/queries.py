"""Reads of saved replies: an agent sees their own personal replies and their teams' replies."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404

from herodesk.accounts.models import Holiday, Team, User
from herodesk.conversations.models import Conversation
from herodesk.insights.signals_bridge import business_hours_for
from herodesk.macros.models import SavedReply
from herodesk.macros.render import ReplyContext, render
from herodesk.signals import promises
from herodesk.signals.business_hours import BusinessHours

PICKER_LIMIT = 20


def visible_saved_replies(user: User) -> QuerySet[SavedReply]:
    """Personal replies of ``user``, plus team replies of their teams (all teams for an admin)."""
    shared = Q(team__isnull=False) if user.is_admin else Q(team__in=user.teams.all())
    return SavedReply.objects.filter(Q(owner=user) | shared).select_related(
        "team", "owner", "contact_reason", "assign_to", "transfer_to"
    )


def saved_reply_for_agent(user: User, pk: int) -> SavedReply:
    found = visible_saved_replies(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such saved reply")
    return found


def search_saved_replies(user: User, text: str = "", limit: int = PICKER_LIMIT) -> list[SavedReply]:
    """Matching replies for the compose box's picker: title matches first, then the most used."""
    rows = visible_saved_replies(user)
    text = " ".join(text.split())[:100]
    for word in text.split():
        rows = rows.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return list(rows.order_by("-usage_count", "title", "id")[:limit])


def teams_led_by(user: User) -> list[Team]:
    """Teams whose shared replies ``user`` may write: every team for an admin, their own for a lead."""
    if user.is_admin:
        return list(Team.objects.order_by("name"))
    if user.is_lead:
        return list(user.teams.order_by("name"))
    return []


def editable(user: User, replies: list[SavedReply]) -> set[int]:
    """Ids of the replies ``user`` may change: their personal ones, and their teams' ones for a lead."""
    led = {team.pk for team in teams_led_by(user)}
    return {reply.pk for reply in replies if reply.owner_id == user.pk or (reply.team_id in led)}


def reply_context(
    conversation: Conversation | None, agent: User, now: datetime, status_link: str | None = None
) -> ReplyContext:
    customer = conversation.customer if conversation is not None else None
    return ReplyContext(
        customer_name=(customer.name if customer is not None else "") or "",
        agent_name=agent.display_name,
        agent_first_name=agent.first_name or agent.display_name,
        conversation_number=conversation.pk if conversation is not None else None,
        status_link=status_link,
        hours=_hours(conversation.team if conversation is not None else None, now),
        now=now,
    )


def _hours(team: Team | None, now: datetime) -> BusinessHours:
    """The team's business hours with its holidays of the coming year, so due times skip days off."""
    hours = business_hours_for(team)
    if team is None:
        return hours
    soon = Holiday.objects.filter(team=team, date__gte=now.date() - timedelta(days=1))
    days = soon.filter(date__lte=now.date() + timedelta(days=370)).values_list("date", flat=True)
    return replace(hours, holidays=frozenset(days))


@dataclass(frozen=True)
class VaguePromise:
    sentence: str
    suggestion: str


def vague_promises(body: str, now: datetime, hours: BusinessHours | None = None) -> list[VaguePromise]:
    """Promises without a time in a saved reply's text, each with the specific rewrite to use instead."""
    hours = hours or BusinessHours()
    sample = ReplyContext("Sam Sample", "Agent", "Agent", 1, "https://example.invalid/status", hours, now)
    found = promises.detect(render(body, sample).text, sent_at=now, business_hours=hours)
    return [
        VaguePromise(p.text, _with_due_expression(p.suggestion or "")) for p in found if p.kind == "vague"
    ]


def _with_due_expression(suggestion: str) -> str:
    """The engine's rewrite names a weekday; a saved reply is sent on many days, so use an expression."""
    head, _, _ = suggestion.rpartition(" by ")
    return f"{head} by {{next business day 16:00}}." if head else suggestion


def most_used(user: User, limit: int = 200) -> list[SavedReply]:
    return list(visible_saved_replies(user).order_by("-usage_count", "title")[:limit])
