"""Promise detection and due-time resolution in business hours (frozen, timezone-aware datetimes)."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from herodesk.signals.business_hours import BusinessHours
from herodesk.signals.promises import detect

LONDON = ZoneInfo("Europe/London")
WEDNESDAY_MORNING = datetime(2026, 3, 4, 10, 30, tzinfo=LONDON)
HOURS = BusinessHours(tz="Europe/London")


def only(text: str, sent_at: datetime = WEDNESDAY_MORNING):
    found = detect(text, sent_at, "Europe/London", HOURS)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("I will call you back by Monday at 4pm.", datetime(2026, 3, 9, 16, 0, tzinfo=LONDON)),
        ("You'll get an update within 24 hours.", datetime(2026, 3, 5, 10, 30, tzinfo=LONDON)),
        ("We will refund you within 48 hours.", datetime(2026, 3, 6, 10, 30, tzinfo=LONDON)),
        ("We'll fix it before the end of the month.", datetime(2026, 3, 31, 17, 0, tzinfo=LONDON)),
        (
            "Your refund will be processed within 15 working days.",
            datetime(2026, 3, 25, 17, 0, tzinfo=LONDON),
        ),
        ("I'll update you by 5pm.", datetime(2026, 3, 4, 17, 0, tzinfo=LONDON)),
        ("Our engineer will visit tomorrow morning.", datetime(2026, 3, 5, 12, 0, tzinfo=LONDON)),
        ("I'll send the label right away.", WEDNESDAY_MORNING),
    ],
)
def test_specific_promise_gets_its_due_time(text, due):
    promise = only(text)
    assert promise.kind == "specific"
    assert promise.due == due


def test_business_hours_skip_the_weekend_and_the_night():
    friday_afternoon = datetime(2026, 3, 6, 16, 0, tzinfo=LONDON)
    promise = only("I will escalate this and update you within 2 business hours.", friday_afternoon)
    assert promise.due == datetime(2026, 3, 9, 10, 0, tzinfo=LONDON)


def test_working_days_end_at_closing_time_of_the_nth_open_day():
    hours = BusinessHours(tz="Europe/London")
    assert hours.add_business_days(datetime(2026, 3, 6, 12, 0, tzinfo=LONDON), 1) == datetime(
        2026, 3, 9, 17, 0, tzinfo=LONDON
    )


def test_custom_hours_and_zone_are_respected():
    hours = BusinessHours(tz="America/New_York", week={d: (time(8, 0), time(12, 0)) for d in range(5)})
    sent = datetime(2026, 3, 4, 15, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in New York
    found = detect("We will reply within 3 business hours.", sent, None, hours)
    assert found[0].due == datetime(2026, 3, 5, 9, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.mark.parametrize(
    "text",
    [
        "We'll check and get back to you.",
        "Someone will contact you soon.",
        "Let me check and get back to you.",
    ],
)
def test_vague_promise_gets_a_specific_suggestion(text):
    promise = only(text)
    assert promise.kind == "vague"
    assert promise.due is None
    assert promise.suggestion and "Thursday at 17:00" in promise.suggestion


@pytest.mark.parametrize(
    "text",
    [
        "If it hasn't arrived by 9pm, contact us.",
        "We will keep improving our service.",
        "You will need to bring your passport.",
        "We will be closed on Monday.",
        "Would you like me to book it?",
        "We will be happy to help.",
        "Please reply by Friday so we can keep your booking.",
        "We will further optimize it according to the practical situation.",
        "We will provide better services.",
        "We will strengthen training and improve service quality.",
        "We will carefully study your opinion.",
        "I shall remind you that the shop closes at 6pm.",
    ],
)
def test_instructions_pledges_and_offers_are_not_promises(text):
    assert detect(text, WEDNESDAY_MORNING, "Europe/London") == []


def test_instruction_with_a_time_is_not_a_promise():
    assert detect("If it hasn't arrived by 9pm, contact us.", WEDNESDAY_MORNING, "Europe/London") == []


def test_immediately_after_an_unknown_event_is_vague():
    promise = only("We will contact you immediately when there is a response.")
    assert promise.kind == "vague" and promise.due is None
    assert only("I will send it to you immediately.").due == WEDNESDAY_MORNING


@pytest.mark.parametrize(
    "text",
    [
        "We have arranged the staff to contact you by phone.",
        "Please message me your number and I'll make reservations for you as soon as possible!",
        "Little U will transfer the problem to our staff for verification.",
    ],
)
def test_arrangements_reservations_and_hand_overs_are_vague_promises(text):
    assert only(text).kind == "vague"


def test_booking_slot_is_not_a_due_time():
    promise = only("I will book you a table for 4 at 18:00 on Friday.")
    assert promise.due is None


def test_without_sent_at_a_specific_promise_has_no_due_time():
    found = detect("I will call you back by Monday at 4pm.")
    assert found[0].kind == "specific" and found[0].due is None


def test_naive_sent_at_is_rejected():
    with pytest.raises(ValueError, match="timezone-aware"):
        detect("I will call you tomorrow.", datetime(2026, 3, 4, 10, 30))  # noqa: DTZ001
