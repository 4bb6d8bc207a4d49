"""A team's business-time calendar (hours, days and holidays) for the engine's business-time functions."""

from __future__ import annotations

from datetime import datetime

from herodesk.accounts.models import Holiday, Team
from herodesk.signals.business_hours import (
    BusinessHours,
    Pause,
    add_business_seconds,
    business_seconds,
    weekly_hours,
)

__all__ = ["BusinessHours", "Calendars", "add_business_seconds", "business_seconds", "calendar_for"]

NO_TEAM = BusinessHours()  # UTC, Monday to Friday 09:00-17:00


def calendar_for(team: Team | None) -> BusinessHours:
    if team is None:
        return NO_TEAM
    holidays = frozenset(Holiday.objects.filter(team=team).values_list("date", flat=True))
    return BusinessHours(
        tz=team.time_zone,
        week=weekly_hours(team.opens_at, team.closes_at, team.weekend_open),
        holidays=holidays,
    )


class Calendars:
    """Calendars by team id, each read once (the periodic job goes through many conversations)."""

    def __init__(self) -> None:
        self._by_team: dict[int | None, BusinessHours] = {None: NO_TEAM}

    def get(self, team_id: int | None) -> BusinessHours:
        if team_id not in self._by_team:
            team = Team.objects.filter(pk=team_id).first() if team_id else None
            self._by_team[team_id] = calendar_for(team)
        return self._by_team[team_id]


def elapsed(hours: BusinessHours, start: datetime, end: datetime, pauses: list[Pause] | None = None) -> int:
    return business_seconds(hours, start, end, pauses or [])
