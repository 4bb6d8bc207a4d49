"""Business time between instants: hand-computed cases (weekends, holidays, DST, pauses) and properties."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from herodesk.signals.business_hours import (
    UTC,
    BusinessHours,
    add_business_seconds,
    business_seconds,
    weekly_hours,
)

LONDON = ZoneInfo("Europe/London")
HOUR = 3600


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc,arg-type]


OFFICE = BusinessHours(tz="Europe/London", week=weekly_hours(time(9), time(17)))
ALWAYS = BusinessHours(tz="Europe/London", week=weekly_hours(time(0), time(0), weekend_open=True))
EASTER = BusinessHours(
    tz="Europe/London",
    week=weekly_hours(time(9), time(17)),
    holidays=frozenset({date(2026, 4, 3), date(2026, 4, 6)}),
)


def test_friday_afternoon_runs_into_monday_across_the_spring_dst_change() -> None:
    # Fri 27 Mar 2026 16:00 GMT; clocks go forward on Sun 29 Mar; Monday 10:00 is BST (09:00 UTC).
    due = add_business_seconds(OFFICE, london(2026, 3, 27, 16), 2 * HOUR)
    assert due == datetime(2026, 3, 30, 9, tzinfo=UTC)
    assert due.astimezone(LONDON).hour == 10
    assert business_seconds(OFFICE, london(2026, 3, 27, 16), london(2026, 3, 30, 10)) == 2 * HOUR


def test_the_weekend_does_not_count() -> None:
    assert business_seconds(OFFICE, london(2026, 5, 8, 17), london(2026, 5, 11, 9)) == 0
    assert business_seconds(OFFICE, london(2026, 5, 9, 12), london(2026, 5, 11, 9, 30)) == HOUR // 2


def test_a_day_open_around_the_clock_has_23_hours_in_march_and_25_in_october() -> None:
    assert business_seconds(ALWAYS, london(2026, 3, 29), london(2026, 3, 30)) == 23 * HOUR
    assert business_seconds(ALWAYS, london(2026, 10, 25), london(2026, 10, 26)) == 25 * HOUR
    # 2 hours after midnight on the spring-forward Sunday is 03:00 local (01:00 does not exist).
    assert add_business_seconds(ALWAYS, london(2026, 3, 29), 2 * HOUR).astimezone(LONDON).hour == 3


def test_holidays_are_skipped() -> None:
    # Thu 2 Apr 16:00, Good Friday and Easter Monday are holidays: the next open hour is Tuesday 9-10.
    due = add_business_seconds(EASTER, london(2026, 4, 2, 16), 2 * HOUR)
    assert due.astimezone(LONDON) == london(2026, 4, 7, 10)
    assert business_seconds(EASTER, london(2026, 4, 2, 16), london(2026, 4, 7, 10)) == 2 * HOUR


def test_pauses_take_their_open_time_out() -> None:
    start, end = london(2026, 5, 11, 9), london(2026, 5, 12, 12)  # Mon 09:00 .. Tue 12:00 = 8 + 3 hours
    assert business_seconds(OFFICE, start, end) == 11 * HOUR
    pause = (london(2026, 5, 11, 10), london(2026, 5, 12, 10))  # Mon 10-17 and Tue 9-10 are paused
    assert business_seconds(OFFICE, start, end, [pause]) == 3 * HOUR
    # Overlapping pauses count once; a pause still running stops the clock at its start.
    assert business_seconds(OFFICE, start, end, [pause, pause]) == 3 * HOUR
    assert business_seconds(OFFICE, start, end, [(london(2026, 5, 11, 10), None)]) == HOUR


def test_zero_and_start_outside_hours() -> None:
    sunday = london(2026, 5, 10, 12)
    assert add_business_seconds(OFFICE, sunday, 0) == sunday
    assert add_business_seconds(OFFICE, sunday, 60).astimezone(LONDON) == london(2026, 5, 11, 9, 1)
    assert business_seconds(OFFICE, london(2026, 5, 11, 12), london(2026, 5, 11, 11)) == 0


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        business_seconds(OFFICE, datetime(2026, 5, 11, 9), london(2026, 5, 11, 10))  # noqa: DTZ001


# --- properties --------------------------------------------------------------------------------------

BASE = datetime(2026, 1, 1, tzinfo=UTC)
instants = st.integers(min_value=0, max_value=365 * 24 * 60).map(lambda m: BASE + timedelta(minutes=m))
calendars = st.sampled_from([OFFICE, ALWAYS, EASTER, BusinessHours(tz="America/New_York")])


@settings(max_examples=150, deadline=None)
@given(calendars, instants, instants, instants, instants, instants)
def test_the_clock_never_goes_backwards(hours, start, t1, t2, p1, p2) -> None:
    t1, t2 = sorted((t1, t2))
    pauses = [tuple(sorted((p1, p2)))]
    assert business_seconds(hours, start, t1, pauses) <= business_seconds(hours, start, t2, pauses)


@settings(max_examples=150, deadline=None)
@given(calendars, instants, instants, instants, instants)
def test_the_clock_never_runs_while_paused(hours, start, p1, p2, t) -> None:
    paused_from, paused_until = sorted((p1, p2))
    inside = min(max(t, paused_from), paused_until)
    pauses = [(paused_from, paused_until)]
    assert business_seconds(hours, start, inside, pauses) == business_seconds(
        hours, start, paused_from, pauses
    )
    # and a pause still running freezes it for good
    assert (
        business_seconds(hours, start, t, [(paused_from, None)])
        <= business_seconds(hours, start, paused_from, [])
        or t < paused_from
    )


@settings(max_examples=150, deadline=None)
@given(calendars, instants, st.integers(min_value=0, max_value=200 * HOUR))
def test_adding_then_measuring_gives_back_the_same_time(hours, start, seconds) -> None:
    due = add_business_seconds(hours, start, seconds)
    assert due >= start
    assert business_seconds(hours, start, due) == seconds


# --- promise suggestions that fit the customer's urgency -------------------------------------------------


def test_an_urgent_customer_gets_minutes_not_a_day_and_the_time_zone_is_stated() -> None:
    from herodesk.signals import promises

    sent = london(2026, 5, 11, 10)
    urgent = promises.customer_deadline("URGENT: my flight leaves in 40 minutes and I have no boarding pass!")
    assert urgent == timedelta(minutes=40)
    found = promises.detect("I will sort this out ASAP.", sent, business_hours=OFFICE, urgent_within=urgent)
    assert found[0].suggestion == "I will sort this out within 20 minutes (by 10:20 Europe/London time)."
    calm = promises.detect("I will get back to you as soon as possible.", sent, business_hours=OFFICE)
    assert calm[0].suggestion == "I will get back to you by Tuesday at 17:00."  # a real time, no "asap" left
    assert promises.customer_deadline("I need it in an hour") == timedelta(hours=1)
    assert promises.customer_deadline("no rush") is None
