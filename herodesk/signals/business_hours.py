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


# --- Business time between instants (SLA clocks) -------------------------------------------------------
# Everything below works on real instants: open and close times are placed in the team's zone and then
# compared and subtracted in UTC, so a day that loses or gains an hour (DST) counts the hours it really has.

UTC = ZoneInfo("UTC")
MAX_DAYS = 3700  # ten years of days: a target that never comes due stops here instead of looping forever

Pause = tuple[datetime, "datetime | None"]  # (from, until); until None = still paused


def weekly_hours(opens: time, closes: time, weekend_open: bool = False) -> dict[int, tuple[time, time]]:
    """The same hours every working day: Monday to Friday, or every day when ``weekend_open``."""
    days = range(7) if weekend_open else range(5)
    return dict.fromkeys(days, (opens, closes))


def open_spans(hours: BusinessHours, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The open periods (UTC) that overlap [start, end), clipped to it."""
    _require_aware(start)
    _require_aware(end)
    spans: list[tuple[datetime, datetime]] = []
    if end <= start:
        return spans
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    day = hours.local(start).date() - timedelta(days=1)  # an overnight span of the day before may still run
    last = hours.local(end).date()
    while day <= last:
        span = _span_utc(hours, day)
        if span:
            lo, hi = max(span[0], start), min(span[1], end)
            if lo < hi:
                spans.append((lo, hi))
        day += timedelta(days=1)
    return spans


def business_seconds(
    hours: BusinessHours, start: datetime, end: datetime, pauses: list[Pause] | tuple[Pause, ...] = ()
) -> int:
    """Seconds of open time in [start, end), less the open time inside ``pauses``; 0 when end <= start."""
    total = sum((hi - lo).total_seconds() for lo, hi in open_spans(hours, start, end))
    for paused_from, paused_until in _merged(pauses, end):
        lo, hi = max(paused_from, start), min(paused_until, end)
        if lo < hi:
            total -= sum((b - a).total_seconds() for a, b in open_spans(hours, lo, hi))
    return max(int(total), 0)


def add_business_seconds(hours: BusinessHours, start: datetime, seconds: float) -> datetime:
    """The instant at which ``seconds`` of open time have passed since ``start`` (in UTC).

    0 seconds is ``start`` itself, even outside opening hours: nothing has to run for a target of zero.
    """
    _require_aware(start)
    remaining = timedelta(seconds=max(seconds, 0))
    cursor = start.astimezone(UTC)
    if not remaining:
        return cursor
    day = hours.local(cursor).date() - timedelta(days=1)
    for _ in range(MAX_DAYS):
        span = _span_utc(hours, day)
        if span and span[1] > cursor:
            lo = max(span[0], cursor)
            if remaining <= span[1] - lo:
                return lo + remaining
            remaining -= span[1] - lo
            cursor = span[1]
        day += timedelta(days=1)
    return cursor


def _span_utc(hours: BusinessHours, day: date) -> tuple[datetime, datetime] | None:
    """Opening and closing instants of ``day`` in UTC; a closing time of 00:00 means midnight at its end."""
    span = hours.hours_on(day)
    if not span:
        return None
    opens = hours.at(day, span[0]).astimezone(UTC)
    close_day = day + timedelta(days=1) if span[1] <= span[0] else day
    closes = hours.at(close_day, span[1]).astimezone(UTC)
    return (opens, closes) if closes > opens else None


def _merged(pauses: list[Pause] | tuple[Pause, ...], end: datetime) -> list[tuple[datetime, datetime]]:
    """Pauses as sorted, non-overlapping UTC intervals; one still running ends at ``end``."""
    intervals = sorted((a.astimezone(UTC), (b or end).astimezone(UTC)) for a, b in pauses if (b or end) > a)
    merged: list[tuple[datetime, datetime]] = []
    for a, b in intervals:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged
