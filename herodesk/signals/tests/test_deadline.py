"""Deadlines in the customer's words and how hero moments rank (signals/deadline.py, signals/hero.py)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from herodesk.signals import hero
from herodesk.signals.business_hours import BusinessHours
from herodesk.signals.deadline import find_deadline

# Wednesday 2 December 2026, 14:00 in Paris (13:00 UTC).
PARIS = BusinessHours(tz="Europe/Paris", week={d: (time(9, 0), time(17, 0)) for d in range(5)})
SENT = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)


def local(text: str) -> str | None:
    found = find_deadline(text, SENT, PARIS)
    return None if found is None else PARIS.local(found.at).strftime("%a %d %H:%M")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My flight leaves in 40 minutes and I have no boarding pass!", "Wed 02 14:40"),
        ("The gate closes in 20 minutes, please help", "Wed 02 14:20"),
        ("I need the invoice within the hour.", "Wed 02 15:00"),
        ("I need this in an hour or I lose the booking", "Wed 02 15:00"),
        ("Please sort it out in less than 2 hours.", "Wed 02 16:00"),
        ("I need it today.", "Wed 02 17:00"),
        ("I need the tickets tonight!!", "Wed 02 20:00"),
        ("Please fix this before Friday.", "Fri 04 00:00"),
        ("I need the refund by Friday", "Fri 04 17:00"),
        ("I need a reply by 5pm", "Wed 02 17:00"),
        ("Can you send it by 4:30 pm?", "Wed 02 16:30"),
        ("I must have it tomorrow morning", "Thu 03 09:00"),
        ("My flight is at 6 and I still have no ticket", "Wed 02 18:00"),
        ("The train leaves at 9.30 tomorrow", "Thu 03 09:30"),
        ("My flight is at 6 on Friday, I need the visa letter", "Fri 04 18:00"),
        ("My appointment is on Monday, I need the documents", "Mon 07 17:00"),
        ("My wedding is on 12 December and the dress has not arrived", "Sat 12 23:59"),
        ("URGENT: the deadline is this afternoon", "Wed 02 17:00"),
        ("I need it in 2 days at the latest", "Fri 04 14:00"),
        ("the gate closes in 20 minutes. Also I need it by Friday", "Wed 02 14:20"),
    ],
)
def test_deadlines_in_customer_words(text: str, expected: str) -> None:
    assert local(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I ordered it 3 days ago and nothing came.",
        "I have been waiting since this morning.",
        "You said it would arrive in 3 days.",
        "I called today and nobody answered.",
        "My order number is 12345678, please check.",
        "It happened on Friday.",
        "no rush at all, thanks",
        "I was told last week it would be fixed by Monday.",
        "",
    ],
)
def test_no_deadline(text: str) -> None:
    assert local(text) is None


def test_the_words_are_quoted_whole() -> None:
    text = (
        "Hello, I have written three times now. The gate closes in 20 minutes and I still have "
        "no boarding pass at all, what do I do"
    )
    found = find_deadline(text, SENT, PARIS)
    assert found is not None
    assert "gate closes in 20 minutes" in found.words
    assert found.words.endswith("…")
    assert all(part in text for part in found.words.strip("…").split())


def test_a_deadline_already_past_when_sent_is_ignored() -> None:
    late = datetime(2026, 12, 2, 22, 0, tzinfo=UTC)  # 23:00 in Paris
    assert find_deadline("I need a reply by 5pm", late, PARIS) is not None  # tomorrow 17:00
    assert find_deadline("I need it today", late, PARIS) is not None  # 23:59 today, still ahead


NOW = SENT


def test_a_stale_moment_with_a_passed_deadline_is_missed_not_first() -> None:
    three_weeks = NOW - timedelta(weeks=3)
    stale = hero.standing(
        0.95, three_weeks + timedelta(minutes=20), "gate closes in 20 minutes", 15 * 8 * 3600, NOW
    )
    assert stale.missed
    assert "Deadline passed" in stale.why and "gate closes in 20 minutes" in stale.why


def test_waiting_past_the_limit_without_relief_is_missed() -> None:
    long_wait = hero.standing(0.7, None, "", 9 * 3600, NOW)
    assert long_wait.missed and "no relief after 9 h" in long_wait.why
    assert not hero.standing(0.7, None, "", 7 * 3600, NOW).missed


def test_a_close_deadline_ranks_above_intensity_alone() -> None:
    soon = hero.standing(0.62, NOW + timedelta(minutes=40), "flight at 6", 600, NOW)
    angry = hero.standing(0.95, None, "", 600, NOW)
    later = hero.standing(0.62, NOW + timedelta(days=2), "by Friday", 600, NOW)
    assert soon.urgency > angry.urgency > later.urgency
    assert soon.why.startswith("Needed by") and "40 min left" in soon.why
    assert angry.why == "Very upset, waiting 10 min in business hours"


def test_waiting_in_business_time_raises_urgency_monotonically() -> None:
    scores = [hero.urgency(0.7, None, s * 3600, 8) for s in range(0, 9)]
    assert scores == sorted(scores)
    assert hero.urgency(0.7, timedelta(hours=1), 0, 8) > hero.urgency(0.7, timedelta(hours=3), 0, 8)


def test_a_wait_outside_business_hours_says_so() -> None:
    night = hero.standing(0.9, None, "", 0, NOW, waited_seconds=2 * 3600 + 300)
    assert night.why == "Very upset, waiting 2 h 5 min, outside business hours"


def test_duration_words() -> None:
    assert hero.duration_words(3 * 3600 + 600) == "3 h 10 min"
    assert hero.duration_words(40 * 60) == "40 min"
    assert hero.duration_words(86400 + 3600) == "1 day 1 h"
    assert hero.duration_words(20 * 86400 + 23 * 3600) == "21 days"
