"""Effort is monotone in its drivers: a customer writing again without a reply, a transfer, a reopen, a
repeat contact, a channel switch or more waiting never lowers the index (issue 13)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from herodesk.signals import effort
from herodesk.signals.effort import EffortFacts, Turn

# Real-looking messages, including the ones that used to lower effort when sent again: thanks, "ok",
# calm follow-ups after an angry one, numbers given again.
CUSTOMER_TEXTS = [
    "My order 12345678 never arrived.",
    "I already told you, 12345678. This is the third time I'm writing, still not fixed.",
    "ok",
    "Thanks, that worked!",
    "Hello?",
    "Any update on this?",
    "This is ridiculous, I want to cancel my account and I will go to the ombudsman.",
    "thank you so much",
    "I sent the photos yesterday.",
    "Still waiting for the refund, it has been two weeks.",
    "Great, got it.",
    "",
    "??",
    "The technician did not come today again, I took a day off for nothing!!!",
]
AGENT_TEXTS = [
    "Please send us a private message with your order number.",
    "Sorry for the trouble, we will check and get back to you.",
    "Click 'forgot password'.",
    "Could you tell me your account number?",
    "Your refund was issued today.",
    "",
]

turn = st.one_of(
    st.builds(Turn, st.just("customer"), st.sampled_from(CUSTOMER_TEXTS)),
    st.builds(Turn, st.just("agent"), st.sampled_from(AGENT_TEXTS)),
)
# "Writing again": the conversation already holds a customer message (the first one sets the level).
conversation = st.builds(
    lambda first, rest: [Turn("customer", first), *rest],
    st.sampled_from(CUSTOMER_TEXTS),
    st.lists(turn, max_size=8),
)
counts = st.none() | st.integers(min_value=0, max_value=8)
facts = st.none() | st.builds(
    EffortFacts,
    repeat_contacts=counts,
    channel_switches=counts,
    transfers=counts,
    bounce_backs=counts,
    reopens=counts,
    customer_wait_business_seconds=st.none() | st.floats(min_value=0, max_value=3e6),
    customer_touches=counts,
)


@settings(max_examples=150, deadline=None)
@given(conversation, st.sampled_from(CUSTOMER_TEXTS), facts)
def test_a_customer_writing_again_without_a_reply_never_lowers_effort(turns, text, known):
    before = effort.score(turns, known).score
    assert effort.score([*turns, Turn("customer", text)], known).score >= before


@settings(max_examples=80, deadline=None)
@given(conversation, st.lists(st.sampled_from(CUSTOMER_TEXTS), min_size=2, max_size=4), facts)
def test_several_unanswered_messages_never_lower_effort(turns, texts, known):
    grown = [[*turns, *(Turn("customer", t) for t in texts[:n])] for n in range(len(texts) + 1)]
    scores = [effort.score(g, known).score for g in grown]
    assert scores == sorted(scores)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(turn, max_size=6),
    facts,
    st.sampled_from(
        ["repeat_contacts", "channel_switches", "transfers", "bounce_backs", "reopens", "customer_touches"]
    ),
    st.integers(min_value=1, max_value=5),
)
def test_more_desk_events_never_lower_effort(turns, known, name, extra):
    known = known or EffortFacts()
    more = replace(known, **{name: (getattr(known, name) or 0) + extra})
    assert effort.score(turns, more).score >= effort.score(turns, known).score


@settings(max_examples=100, deadline=None)
@given(st.lists(turn, max_size=6), facts, st.floats(min_value=0, max_value=1e6))
def test_more_waiting_never_lowers_effort(turns, known, extra):
    known = known or EffortFacts()
    more = replace(known, customer_wait_business_seconds=(known.customer_wait_business_seconds or 0) + extra)
    assert effort.score(turns, more).score >= effort.score(turns, known).score


def test_the_reported_fall_from_54_to_35_cannot_happen():
    """The report: effort fell after the customer had to write again (a short 'ok?' after an angry one)."""
    turns = [
        Turn("customer", "The technician did not come today again, I took a day off for nothing!!!"),
        Turn("agent", "Sorry for the trouble, we will check and get back to you."),
        Turn("customer", "Still waiting for the refund, it has been two weeks."),
    ]
    before = effort.score(turns).score
    for text in ("ok", "Thanks, that worked!", "Hello?", "thank you so much"):
        assert effort.score([*turns, Turn("customer", text)]).score >= before


def test_band_is_the_one_place_for_thresholds():
    assert [effort.band(s) for s in (0, 39, 40, 59, 60, 79, 80, 100)] == [
        "low",
        "low",
        "moderate",
        "moderate",
        "high",
        "high",
        "very high",
        "very high",
    ]
    assert effort.band(None) == ""
    assert effort.band(39.6) == "low"  # thresholds apply to the value given; callers pass the rounded index
