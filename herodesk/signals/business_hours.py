"""A team's business hours, and date arithmetic in them (add N business hours or days, end of day).

All datetimes are timezone-aware; naive input is rejected because a promise due time without a zone
is a bug waiting for the first team outside UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _default_week() -> dict[int, tuple[time, time]]:
    return {day: (time(9, 0), time(17, 0)) for day in range(5)}


@dataclass(frozen=True)
class BusinessHours:
    """Opening hours per weekday (0 = Monday) in one time zone; days missing from ``week`` are closed."""

    tz: str = "UTC"
    week: dict[int, tuple[time, time]] = field(default_factory=_default_week)
    holidays: frozenset[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        return zone_for(self.tz)

    def hours_on(self, day: date) -> tuple[time, time] | None:
        if day in self.holidays:
            return None
        return self.week.get(day.weekday())

    def is_open_day(self, day: date) -> bool:
        return self.hours_on(day) is not None

    def local(self, moment: datetime) -> datetime:
        _require_aware(moment)
        return moment.astimezone(self.zone)

    def at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.zone)

    def close_of(self, day: date) -> datetime:
        """Closing time of ``day``, or of the last open day before it when it is closed."""
        for _ in range(370):
            hours = self.hours_on(day)
            if hours:
                return self.at(day, hours[1])
            day -= timedelta(days=1)
        return self.at(day, time(17, 0))

    def next_open_day(self, day: date, include_today: bool = False) -> date:
        if not include_today:
            day += timedelta(days=1)
        for _ in range(370):
            if self.is_open_day(day):
                return day
            day += timedelta(days=1)
        return day

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """Close of business on the ``days``-th open day after the day of ``start``."""
        day = self.local(start).date()
        for _ in range(max(days, 1)):
            day = self.next_open_day(day)
        return self.close_of(day)

    def add_business_hours(self, start: datetime, hours: float) -> datetime:
        """``start`` plus ``hours`` of open time; time outside opening hours does not count."""
        remaining = timedelta(hours=hours)
        cursor = self.local(start)
        for _ in range(3700):
            span = self.hours_on(cursor.date())
            if span:
                opens, closes = self.at(cursor.date(), span[0]), self.at(cursor.date(), span[1])
                cursor = max(cursor, opens)
                if cursor < closes:
                    available = closes - cursor
                    if remaining <= available:
                        return cursor + remaining
                    remaining -= available
            next_day = self.next_open_day(cursor.date())
            cursor = self.at(next_day, self.week[next_day.weekday()][0])
        return cursor


def zone_for(tz: str | None) -> ZoneInfo:
    """The ZoneInfo for ``tz``; unknown or empty names fall back to UTC rather than failing a message."""
    try:
        return ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: pass a timezone-aware datetime")
