"""Conditional offers, desk personas, event announcements and event-bound times (issue 13, fresh set 4).

The sentences are written for these tests, in the style of the real agent text the rules were fixed on."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from herodesk.signals.business_hours import BusinessHours
from herodesk.signals.promises import detect, find_commitment

LONDON = ZoneInfo("Europe/London")
WEDNESDAY_MORNING = datetime(2026, 3, 4, 10, 30, tzinfo=LONDON)
HOURS = BusinessHours(tz="Europe/London")


def found(text: str):
    return detect(text, WEDNESDAY_MORNING, "Europe/London", HOURS)


@pytest.mark.parametrize(
    "text",
    [
        # an option the customer may never take, then the team's action
        "You can submit a repair request on our website and our engineers will call you.",
        "If the problem persists, you may send the log to Little Wo and I will check it.",
        "You could also fill in the online form and a specialist will contact you soon.",
        # a condition on the customer's side after the commitment: a policy
        "The deposit will be refunded to you if your order is cancelled.",
        "We will replace the charger if your receipt shows it is under warranty.",
        # an event announced to everyone, and gifts to other customers
        "We will have a spring promotion on May 1 in all stores.",
        "We will send a free case to the first 100 customers who order this week.",
        # a desk persona's willingness is not a commitment
        "Little Wo will be at your service at any time.",
    ],
)
def test_conditional_offers_announcements_and_other_customers_are_not_promises(text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Please send us the order number and we will check it for you.",  # waits on the customer: vague
        "You can rest assured that we will handle it as soon as possible.",
        "You can expect a call from our engineer.",
        "We will contact you if there is any progress.",  # an internal event, not the customer's condition
        "We will have a technician look at it.",
        "You can check the status online; we will email you when it ships.",
    ],
)
def test_requests_reassurance_and_internal_events_stay_promises(text):
    assert len(found(text)) == 1


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("Xiao Bian will confirm the delivery date for you.", "confirm the delivery date for you"),
        ("Little U will check the order.", "check the order"),
        ("The editor will transfer your problem to billing.", "transfer your problem to billing"),
    ],
)
def test_a_desk_persona_is_the_agent(text, what):
    (promise,) = found(text)
    assert (promise.who, promise.what) == ("agent", what)
    assert find_commitment(text.lower()).owned  # the agent's own commitment, as "I will" is


def test_a_little_is_not_a_persona():
    assert found("A little patience will help.") == []


def test_as_soon_as_an_event_gets_no_estimate():
    (promise,) = found("Little Wo will report it as soon as I receive your details.")
    assert promise.kind == "vague" and promise.estimated_due is None
    (promise,) = found("We will report it as soon as possible.")
    assert promise.estimated_due == datetime(2026, 3, 5, 17, 0, tzinfo=LONDON)


def test_immediately_as_a_conjunction_is_event_bound():
    (promise,) = found("You will be notified immediately the engineer has finished the test.")
    assert promise.kind == "vague" and promise.due is None
    (promise,) = found("You will be notified immediately.")
    assert promise.due == WEDNESDAY_MORNING


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("Your credit will be added at 17 o'clock on 12 March.", datetime(2026, 3, 12, 17, 0, tzinfo=LONDON)),
        ("I will call you back at 3 o'clock.", datetime(2026, 3, 4, 15, 0, tzinfo=LONDON)),
    ],
)
def test_o_clock_is_a_clock_time(text, due):
    (promise,) = found(text)
    assert (promise.kind, promise.due) == ("specific", due)
