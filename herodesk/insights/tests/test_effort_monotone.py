"""The desk path of the effort index (signals_bridge): a customer writing again without a reply, a
transfer, a reopen or more waiting never lowers a conversation's effort (issue 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from herodesk.conversations import actions
from herodesk.conversations.models import Channel, ContactReason, Conversation
from herodesk.insights import signals_bridge
from herodesk.signals import effort

pytestmark = pytest.mark.django_db

ANGRY = "The technician did not come today again, I took a day off for nothing!!!"
FOLLOW_UPS = ["ok", "Thanks, that worked!", "Hello?", "thank you so much", "Any update on this?", "??"]


def _conversation(support_team, customer, agent) -> Conversation:
    draft = actions.NewConversation(
        subject="Missed visit",
        channel=Channel.EMAIL,
        customer=customer,
        team=support_team,
        first_message=actions.IncomingMessage(text=ANGRY, channel=Channel.EMAIL),
    )
    conversation = actions.do_create_conversation(draft)
    reason, _ = ContactReason.objects.get_or_create(name="Missed visit")
    actions.do_set_contact_reason(conversation, agent, reason)
    actions.do_add_reply(conversation, agent, "Sorry for the trouble, we will check and get back to you.")
    actions.do_add_customer_message(
        conversation,
        actions.IncomingMessage(text="Still waiting, it has been two weeks.", channel=Channel.EMAIL),
    )
    conversation.refresh_from_db()
    return conversation


def _effort(conversation: Conversation) -> int:
    conversation.refresh_from_db()
    return signals_bridge.effort_for(conversation, timezone.now()).score


STEPS = st.lists(
    st.one_of(
        st.sampled_from(FOLLOW_UPS).map(lambda text: ("customer", text)),
        st.just(("transfer", "")),
        st.just(("reopen", "")),
        st.integers(min_value=1, max_value=72).map(lambda hours: ("wait", hours)),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_customer_messages_transfers_reopens_and_waiting_never_lower_desk_effort(
    steps, agent, support_team, billing_team, customer
):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        conversation = _conversation(support_team, customer, agent)
        scores = [_effort(conversation)]
        for kind, value in steps:
            if kind == "customer":
                incoming = actions.IncomingMessage(text=str(value), channel=Channel.EMAIL)
                actions.do_add_customer_message(conversation, incoming)
            elif kind == "transfer":
                team = billing_team if conversation.team_id == support_team.pk else support_team
                actions.do_transfer(conversation, agent, actions.Transfer(note="Passing on", to_team=team))
            elif kind == "reopen":
                actions.do_change_status(conversation, agent, Conversation.Status.RESOLVED)
                conversation.refresh_from_db()
                actions.do_change_status(conversation, agent, Conversation.Status.OPEN)
            else:
                clock.shift(timedelta(hours=int(value)))
            conversation.refresh_from_db()
            scores.append(_effort(conversation))
        assert scores == sorted(scores), list(zip(["start", *steps], scores, strict=True))


def test_a_solved_conversation_stops_adding_waiting(agent, support_team, customer):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        conversation = _conversation(support_team, customer, agent)
        actions.do_change_status(conversation, agent, Conversation.Status.RESOLVED)
        solved = _effort(conversation)
        clock.shift(timedelta(days=21))
        assert _effort(conversation) == solved


def test_the_cached_conversation_effort_never_falls_when_the_customer_writes_again(
    agent, support_team, customer
):
    conversation = _conversation(support_team, customer, agent)
    before = conversation.effort
    assert before is not None
    for text in FOLLOW_UPS:
        actions.do_add_customer_message(
            conversation, actions.IncomingMessage(text=text, channel=Channel.EMAIL)
        )
        conversation.refresh_from_db()
        assert conversation.effort is not None and conversation.effort >= before
        before = conversation.effort
    assert effort.band(conversation.effort) in ("moderate", "high", "very high")
