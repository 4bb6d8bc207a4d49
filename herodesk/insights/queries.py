"""Reads of the insights app: signals for a conversation, hero moments, promises."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import timezone

from herodesk.accounts.models import Team, User
from herodesk.conversations.models import Conversation, Event, Message
from herodesk.conversations.queries import LIST_PREFETCH, visible_conversations
from herodesk.insights import signals_bridge
from herodesk.insights.actions import RELIEF_THRESHOLD
from herodesk.insights.models import HeroMoment, Promise
from herodesk.signals import explain, hero
from herodesk.signals.business_hours import BusinessHours, business_seconds, weekly_hours


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


HERO_PAGE_SIZE = 20
RELIEF_WINDOW = timedelta(days=30)
SECTIONS = ("now", "missed")


def missed_after_hours() -> float:
    """The wait (business hours) after which an unrelieved hero moment is missed: the setting
    HERODESK_HERO_MISSED_AFTER_BUSINESS_HOURS, default 8 (one business day)."""
    return float(getattr(settings, "HERO_MISSED_AFTER_BUSINESS_HOURS", hero.MISSED_AFTER_BUSINESS_HOURS))


@dataclass(frozen=True)
class Ranked:
    """One open hero moment as ranked: its conversation, standing and the customer's deadline."""

    conversation_id: int
    standing: hero.Standing
    deadline_at: datetime | None
    deadline_words: str


@dataclass
class HeroSection:
    """One half of the page: its rows for the asked page, how many there are in all, the page number."""

    rows: list[Conversation] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


def _hours(row: Mapping[str, Any], cache: dict[tuple[object, ...], BusinessHours]) -> BusinessHours:
    key = (row["tz"], row["opens"], row["closes"], row["weekend"])
    if key not in cache:
        if row["tz"] is None:
            cache[key] = BusinessHours()
        else:
            opens, closes = row["opens"], row["closes"]
            assert isinstance(opens, time) and isinstance(closes, time)
            week = weekly_hours(opens, closes, bool(row["weekend"]))
            cache[key] = BusinessHours(tz=str(row["tz"]), week=week)
    return cache[key]


def rank_hero_moments(
    user: User, *, mine: bool = False, team_id: int | None = None, now: datetime | None = None
) -> dict[str, list[Ranked]]:
    """Every open hero moment the user may see, split into needs-relief-now (most urgent first, see
    ``signals.hero.urgency``) and missed (most recent first), as (conversation id, standing).

    One query whatever the number of moments: the light columns are ranked here, not in SQL, since the
    rank depends on the time now, the team's business hours and the deadline."""
    now = now or timezone.now()
    limit = missed_after_hours()
    moments = HeroMoment.objects.filter(
        relieved_at__isnull=True,
        conversation__awaiting_relief=True,
        conversation__status__in=Conversation.OPEN_STATUSES,
        conversation__in=visible_conversations(user).values("pk"),
    )
    if mine:
        moments = moments.filter(conversation__owner_id=user.pk)
    if team_id:
        moments = moments.filter(conversation__team_id=team_id)
    rows = moments.values(
        "conversation_id", "intensity", "deadline_at", "deadline_words", "started_at",
        tz=F("conversation__team__time_zone"), opens=F("conversation__team__opens_at"),
        closes=F("conversation__team__closes_at"), weekend=F("conversation__team__weekend_open"),
    )  # fmt: skip
    cache: dict[tuple[object, ...], BusinessHours] = {}
    now_rows: list[tuple[float, datetime, Ranked]] = []
    missed_rows: list[tuple[datetime, Ranked]] = []
    for row in rows:
        hours = _hours(row, cache)
        started: datetime = row["started_at"]
        deadline: datetime | None = row["deadline_at"]
        waited = business_seconds(hours, started, now) if started < now else 0
        standing = hero.standing(
            float(row["intensity"] or 0.0), deadline, row["deadline_words"], waited, now, limit,
            local_deadline=hours.local(deadline) if deadline else None,
            waited_seconds=(now - started).total_seconds(),
        )  # fmt: skip
        ranked = Ranked(int(row["conversation_id"]), standing, deadline, row["deadline_words"])
        if standing.missed:
            # Most recently missed first: the passed deadline, else when the moment began.
            missed_at = deadline if deadline is not None and deadline <= now else started
            missed_rows.append((missed_at, ranked))
        else:
            now_rows.append((standing.urgency, started, ranked))
    now_rows.sort(key=lambda r: (-r[0], r[1], r[2].conversation_id))
    missed_rows.sort(key=lambda r: (r[0], r[1].conversation_id), reverse=True)
    return {"now": [r for _, _, r in now_rows], "missed": [r for _, r in missed_rows]}


def _page_of(ranked: list[Ranked], page: int) -> HeroSection:
    pages = max((len(ranked) + HERO_PAGE_SIZE - 1) // HERO_PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    section = HeroSection(total=len(ranked), page=page, pages=pages)
    start = (page - 1) * HERO_PAGE_SIZE
    chosen = ranked[start : start + HERO_PAGE_SIZE]
    section.rows = [Conversation(pk=r.conversation_id) for r in chosen]  # replaced by the loaded rows below
    for placeholder, r in zip(section.rows, chosen, strict=True):
        placeholder.ranked = r  # type: ignore[attr-defined]
    return section


def hero_moments_page(
    user: User,
    *,
    mine: bool = False,
    team_id: int | None = None,
    page: int = 1,
    missed_page: int = 1,
    now: datetime | None = None,
) -> dict[str, object]:
    """The hero moments page: both sections paged, each row with its standing (``why`` in words) and the
    reasons of its most intense customer message; time to relief for leads. A fixed number of queries."""
    now = now or timezone.now()
    ranked = rank_hero_moments(user, mine=mine, team_id=team_id, now=now)
    sections = {"now": _page_of(ranked["now"], page), "missed": _page_of(ranked["missed"], missed_page)}
    wanted = [c.pk for s in sections.values() for c in s.rows]
    loaded: dict[int, Conversation] = {
        c.pk: c
        for c in visible_conversations(user)
        .filter(pk__in=wanted)
        .select_related("customer", "owner", "team")
        .prefetch_related(*LIST_PREFETCH)
    }
    reasons = _intense_reasons(wanted)
    for section in sections.values():
        rows: list[Conversation] = []
        for placeholder in section.rows:
            conversation = loaded.get(placeholder.pk)
            if conversation is None:
                continue
            chosen: Ranked = placeholder.ranked  # type: ignore[attr-defined]
            conversation.standing = chosen.standing  # type: ignore[attr-defined]
            conversation.hero_deadline_at = chosen.deadline_at  # type: ignore[attr-defined]
            conversation.hero_deadline_words = chosen.deadline_words  # type: ignore[attr-defined]
            conversation.why = reasons.get(conversation.pk, [])  # type: ignore[attr-defined]
            rows.append(conversation)
        section.rows = rows
    return {
        "now_section": sections["now"],
        "missed_section": sections["missed"],
        "missed_after_hours": missed_after_hours(),
        "relief": time_to_relief(user, now) if user.is_lead else None,
        "teams": list(_teams_of(user)),
        "mine": mine,
        "team_id": team_id,
    }


def hero_moment_fields(conversation: Conversation) -> dict[str, object]:
    """One row of the hero moments page as the API gives it."""
    standing: hero.Standing = getattr(conversation, "standing")  # noqa: B009 (set by hero_moments_page)
    return {
        "id": conversation.pk,
        "subject": conversation.subject,
        "intensity": conversation.intensity,
        "owner_id": conversation.owner_id,
        "team_id": conversation.team_id,
        "last_customer_message_at": conversation.last_customer_message_at,
        "missed": standing.missed,
        "urgency": standing.urgency,
        "standing": standing.why,
        "deadline_at": getattr(conversation, "hero_deadline_at", None),
        "deadline_words": getattr(conversation, "hero_deadline_words", ""),
        "why": getattr(conversation, "why", []),
    }


def _teams_of(user: User) -> list[Team]:
    teams = Team.objects.all() if user.is_admin else user.teams.all()
    return list(teams.order_by("name").only("name"))


def _intense_reasons(conversation_ids: list[int]) -> dict[int, list[str]]:
    """The reasons of each conversation's most intense customer message, in plain words quoting the
    customer (``signals.explain``; one query)."""
    why: dict[int, list[str]] = {}
    rows = (
        Message.objects.filter(
            conversation_id__in=conversation_ids,
            kind=Message.Kind.CUSTOMER,
            intensity__gte=RELIEF_THRESHOLD,
        )
        .order_by("conversation_id", "-intensity", "-created_at")
        .values_list("conversation_id", "signals", "text")
    )
    for conversation_id, signals, text in rows:
        if conversation_id not in why:
            why[conversation_id] = explain.explain_all(list((signals or {}).get("reasons", [])), text or "")
    return why


@dataclass
class ReliefRow:
    """Time to relief of one agent or team over the window: how many moments and the median (business
    time and calendar time), in words."""

    name: str
    count: int
    median_business: str
    median_calendar: str
    median_business_seconds: float


def _relief_rows(groups: dict[str, list[tuple[int, int]]]) -> list[ReliefRow]:
    rows = []
    for name, values in groups.items():
        business = statistics.median(v[0] for v in values)
        calendar = statistics.median(v[1] for v in values)
        words = hero.duration_words(business), hero.duration_words(calendar)
        rows.append(ReliefRow(name, len(values), words[0], words[1], business))
    return sorted(rows, key=lambda r: (r.median_business_seconds, r.name))


def time_to_relief(user: User, now: datetime | None = None) -> dict[str, list[ReliefRow]]:
    """Per agent and per team: hero moments relieved in the last 30 days and the median time from the
    moment to the first agent reply or call (one query)."""
    now = now or timezone.now()
    rows = HeroMoment.objects.filter(
        relieved_at__gte=now - RELIEF_WINDOW,
        relief_business_seconds__isnull=False,
        conversation__in=visible_conversations(user).values("pk"),
    ).values_list(
        "relieved_by__first_name", "relieved_by__last_name", "relieved_by__username", "team__name",
        "relief_business_seconds", "relief_seconds",
    )  # fmt: skip
    agents: dict[str, list[tuple[int, int]]] = {}
    teams: dict[str, list[tuple[int, int]]] = {}
    for first, last, username, team, business, calendar in rows:
        agent = f"{first or ''} {last or ''}".strip() or username or "A former agent"
        agents.setdefault(agent, []).append((business or 0, calendar or 0))
        teams.setdefault(team or "No team", []).append((business or 0, calendar or 0))
    return {"agents": _relief_rows(agents), "teams": _relief_rows(teams)}


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
