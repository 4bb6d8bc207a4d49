"""Turn desk records into the plain inputs of the signals engine (herodesk.signals), and back.

The engine knows nothing of Django; this module is the only place that translates between them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q

from herodesk.accounts.models import Team
from herodesk.conversations.models import Conversation, Event, Message
from herodesk.insights.reasons import CONFIDENT_FIT
from herodesk.signals import effort
from herodesk.signals.business_hours import BusinessHours

AGENT_ACTIONS = (Message.Kind.REPLY, Message.Kind.PHONE)
REPEAT_WINDOW = timedelta(days=14)


def business_hours_for(team: Team | None) -> BusinessHours:
    if team is None:
        return BusinessHours()
    days = range(7) if team.weekend_open else range(5)
    return BusinessHours(tz=team.time_zone, week=dict.fromkeys(days, (team.opens_at, team.closes_at)))


def business_seconds_between(hours: BusinessHours, start: datetime, end: datetime) -> float:
    """Open time between two moments, in the team's business hours."""
    if end <= start:
        return 0.0
    start_local, end_local = hours.local(start), hours.local(end)
    day, total = start_local.date(), 0.0
    for _ in range(400):  # bounded: a wait longer than a year is capped
        if day > end_local.date():
            break
        opening = hours.hours_on(day)
        if opening:
            window_start = max(hours.at(day, opening[0]), start_local)
            window_end = min(hours.at(day, opening[1]), end_local)
            total += max((window_end - window_start).total_seconds(), 0.0)
        day += timedelta(days=1)
    return total


def turns_for(messages: list[Message]) -> list[effort.Turn]:
    turns = []
    for message in messages:
        if message.kind == Message.Kind.CUSTOMER:
            turns.append(effort.Turn("customer", message.text, message.created_at, message.channel))
        elif message.kind in AGENT_ACTIONS:
            turns.append(effort.Turn("agent", message.text, message.created_at, message.channel))
    return turns


def customer_wait(messages: list[Message], hours: BusinessHours, now: datetime) -> float:
    """Business seconds the customer spent waiting for an agent after each of their messages."""
    waiting_since: datetime | None = None
    total = 0.0
    for message in messages:
        if message.kind == Message.Kind.CUSTOMER and waiting_since is None:
            waiting_since = message.created_at
        elif message.kind in AGENT_ACTIONS and waiting_since is not None:
            total += business_seconds_between(hours, waiting_since, message.created_at)
            waiting_since = None
    if waiting_since is not None:
        total += business_seconds_between(hours, waiting_since, now)
    return total


def bounce_backs(transfers: list[Event]) -> int:
    """Transfers that hand the conversation back to a team or an agent it had already left."""
    left_teams: set[int] = set()
    left_owners: set[int] = set()
    count = 0
    for event in transfers:
        data = event.data or {}
        from_team, to_team = data.get("from_team"), data.get("to_team")
        from_owner, to_owner = data.get("from_owner"), data.get("to_owner")
        back = (to_team is not None and to_team != from_team and to_team in left_teams) or (
            to_owner is not None and to_owner != from_owner and to_owner in left_owners
        )
        count += bool(back)
        if from_team is not None and from_team != to_team:
            left_teams.add(from_team)
        if from_owner is not None and from_owner != to_owner:
            left_owners.add(from_owner)
    return count


def repeat_contacts(conversation: Conversation) -> int:
    """Earlier conversations of the same customer within the window about the same contact reason.

    A conversation's reason is the one an agent set, else the contact-reason model's suggestion when it
    is confident (``CONFIDENT_FIT``). Without either we cannot tell a repeat from a new issue, so none
    counts: a customer who writes often about different things is not making more effort on this one
    (counting every earlier conversation made most of the demo inbox "high" or "very high"). What the
    customer says ("third time I'm writing") still counts through the text drivers.
    """
    reason_id = reason_of(conversation)
    if conversation.customer_id is None or reason_id is None:
        return 0
    return (
        Conversation.objects.filter(
            customer_id=conversation.customer_id,
            created_at__lt=conversation.created_at,
            created_at__gte=conversation.created_at - REPEAT_WINDOW,
        )
        .filter(
            Q(contact_reason_id=reason_id)
            | Q(
                contact_reason__isnull=True,
                suggested_reason_id=reason_id,
                suggested_reason_confidence__gte=CONFIDENT_FIT,
            )
        )
        .count()
    )


def reason_of(conversation: Conversation) -> int | None:
    """The contact reason set by an agent, else the model's confident suggestion, else None."""
    if conversation.contact_reason_id is not None:
        return conversation.contact_reason_id
    confident = (conversation.suggested_reason_confidence or 0.0) >= CONFIDENT_FIT
    return conversation.suggested_reason_id if confident else None


def wait_until(conversation: Conversation, now: datetime) -> datetime:
    """The customer stops waiting when the conversation is resolved or closed: a last "thanks!" on a
    solved conversation must not add waiting for ever (it made effort red on every old conversation)."""
    if conversation.status in Conversation.DONE_STATUSES and conversation.resolved_at is not None:
        return min(now, conversation.resolved_at)
    return now


def effort_facts(
    conversation: Conversation, messages: list[Message], events: list[Event], now: datetime
) -> effort.EffortFacts:
    transfers = [e for e in events if e.kind == Event.Kind.TRANSFERRED]
    hours = business_hours_for(conversation.team)
    return effort.EffortFacts(
        repeat_contacts=repeat_contacts(conversation),
        channel_switches=sum(1 for e in events if e.kind == Event.Kind.CHANNEL_SWITCH),
        transfers=len(transfers),
        # Counted on the conversation when it happens; recounted from the transfers for older data.
        bounce_backs=max(conversation.bounce_back_count or 0, bounce_backs(transfers)),
        reopens=conversation.reopen_count,
        customer_wait_business_seconds=customer_wait(messages, hours, wait_until(conversation, now)),
        customer_touches=sum(1 for m in messages if m.kind == Message.Kind.CUSTOMER),
    )


def effort_of(
    conversation: Conversation, messages: list[Message], events: list[Event], now: datetime
) -> effort.EffortResult:
    return effort.score(turns_for(messages), effort_facts(conversation, messages, events, now))


def effort_for(conversation: Conversation, now: datetime) -> effort.EffortResult:
    messages = list(conversation.messages.order_by("created_at", "id"))
    events = list(conversation.events.order_by("created_at", "id"))
    return effort_of(conversation, messages, events, now)
