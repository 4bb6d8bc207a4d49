"""Promises the issue reported as missed: passive or impersonal, another team as the subject, vague
durations with a documented estimated due time (issue 13)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from herodesk.signals.business_hours import BusinessHours
from herodesk.signals.promises import detect

LONDON = ZoneInfo("Europe/London")
WEDNESDAY_MORNING = datetime(2026, 3, 4, 10, 30, tzinfo=LONDON)
HOURS = BusinessHours(tz="Europe/London")


def found(text: str):
    return detect(text, WEDNESDAY_MORNING, "Europe/London", HOURS)


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("A member of staff will contact you within 48 hours.", datetime(2026, 3, 6, 10, 30, tzinfo=LONDON)),
        (
            "You should receive an email from our billing team within 2 working days.",
            datetime(2026, 3, 6, 17, 0, tzinfo=LONDON),
        ),
        (
            "You can expect a call from one of our advisers within the next 24 hours.",
            datetime(2026, 3, 5, 10, 30, tzinfo=LONDON),
        ),
        (
            "Your complaint has been passed to our customer relations department, who will respond within "
            "10 working days.",
            datetime(2026, 3, 18, 17, 0, tzinfo=LONDON),
        ),
        ("Hello, it's expected to take about one week.", datetime(2026, 3, 11, 10, 30, tzinfo=LONDON)),
    ],
)
def test_impersonal_and_other_team_promises_with_exact_due_times(text, due):
    (promise,) = found(text)
    assert (promise.kind, promise.due) == ("specific", due)


@pytest.mark.parametrize(
    "text",
    [
        "Your feedback will be forwarded to the product team.",
        "You should receive an email from our billing team.",
        "The relevant department will verify the truth.",
        "We have checked and asked someone to process it.",
        "We have recorded your issue and will handle it.",
        "Let me look for a hotel with wifi.",
        "We will try to improve it in our 1.3 system version.",
    ],
)
def test_passive_impersonal_and_elided_promises_are_found(text):
    (promise,) = found(text)
    assert promise.kind == "vague" and promise.due is None


@pytest.mark.parametrize(
    ("text", "estimate", "basis"),
    [
        (
            "The returns team will be in touch in a few days.",
            datetime(2026, 3, 9, 17, 0, tzinfo=LONDON),
            "3 business days",
        ),
        (
            "They will contact you in a couple of days.",
            datetime(2026, 3, 6, 17, 0, tzinfo=LONDON),
            "2 business days",
        ),
        ("We'll get back to you shortly.", datetime(2026, 3, 4, 11, 30, tzinfo=LONDON), "1 business hour"),
        (
            "Your replacement card should arrive in a couple of weeks.",
            datetime(2026, 3, 18, 10, 30, tzinfo=LONDON),
            "2 weeks",
        ),
        (
            "You will hear from our claims department soon.",
            datetime(2026, 3, 5, 17, 0, tzinfo=LONDON),
            "next business day",
        ),
        (
            "Our staff is handling your issue now and we'll contact you soon.",
            datetime(2026, 3, 5, 17, 0, tzinfo=LONDON),
            "next business day",
        ),
    ],
)
def test_vague_durations_get_a_documented_estimate_and_stay_vague(text, estimate, basis):
    (promise,) = found(text)
    assert (promise.kind, promise.due, promise.estimated_due) == ("vague", None, estimate)
    assert basis in promise.estimate_basis


@pytest.mark.parametrize(
    "text",
    [
        "We will reply soon after receiving your message.",  # bound to the customer's message
        "I will look into it later.",
        "We will contact you timely if there are results.",
    ],
)
def test_event_bound_and_open_vague_times_get_no_estimate(text):
    (promise,) = found(text)
    assert promise.kind == "vague" and promise.estimated_due is None


@pytest.mark.parametrize(
    "text",
    [
        "If you do not receive an email within 24 hours, please check your spam folder.",
        "Emails from our billing team will come from billing@example.com.",
        "Our team will be happy to help if you have any other questions.",
        "We will serve you sincerely.",
        "Please request a repair if the same problem occurs again and we will send workers.",
        "You will need to send the receipt to our returns team.",
        "Delivery usually takes a few days.",
    ],
)
def test_not_promises(text):
    assert found(text) == []


def test_the_rewrite_suggestion_names_the_estimated_day():
    (promise,) = found("The returns team will be in touch in a couple of days.")
    assert promise.suggestion == "The returns team will be in touch by Friday at 17:00."
    (promise,) = found("We will contact you as soon as possible.")
    assert promise.suggestion == "We will contact you by Thursday at 17:00."
