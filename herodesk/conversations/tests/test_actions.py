"""State changes on conversations: snoozes, reopening, phone intake, atomicity."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from herodesk.conversations import actions
from herodesk.conversations.models import Channel, ContactReason, Conversation, Event, Message
from herodesk.customers.actions import CustomerDetails

pytestmark = pytest.mark.django_db
Status = Conversation.Status


def incoming(text="Any news?", channel=Channel.EMAIL):
    return actions.IncomingMessage(text=text, channel=channel)


def test_customer_reply_wakes_a_snooze_but_keeps_its_time_as_a_reminder(conversation, agent):
    until = timezone.now() + timedelta(days=2)
    actions.do_snooze(conversation, agent, until)
    actions.do_add_customer_message(conversation, incoming())
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert conversation.snoozed_until == until
    assert Event.objects.filter(conversation=conversation, kind=Event.Kind.WOKEN).exists()


def test_due_snoozes_wake_up_and_keep_the_reminder(conversation, agent):
    now = timezone.now()
    actions.do_snooze(conversation, agent, now + timedelta(hours=1))
    with time_machine.travel(now + timedelta(hours=2)):
        assert actions.do_wake_due_snoozes() == 1
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN and conversation.snoozed_until is not None


def test_snooze_in_the_past_is_refused(conversation, agent):
    with pytest.raises(actions.ActionError) as error:
        actions.do_snooze(conversation, agent, timezone.now() - timedelta(minutes=1))
    assert "until" in error.value.fields


def test_customer_reply_reopens_a_resolved_conversation_and_counts_it(conversation, agent):
    conversation.contact_reason = ContactReason.objects.create(name="Delivery")
    conversation.save()
    actions.do_change_status(conversation, agent, Status.RESOLVED)
    actions.do_add_customer_message(conversation, incoming("Still not here!"))
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert conversation.reopen_count == 1
    assert conversation.resolved_at is None


def test_customer_reply_on_a_new_channel_is_recorded_as_a_channel_switch(conversation):
    actions.do_add_customer_message(conversation, incoming("Calling now", channel=Channel.PHONE))
    assert Event.objects.filter(conversation=conversation, kind=Event.Kind.CHANNEL_SWITCH).count() == 1


def test_pending_becomes_open_when_the_customer_answers(conversation, agent):
    actions.do_change_status(conversation, agent, Status.PENDING)
    actions.do_add_customer_message(conversation, incoming())
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN


def test_oversized_message_is_refused_and_nothing_is_written(conversation, settings):
    settings.MAX_MESSAGE_CHARS = 10
    with pytest.raises(actions.ActionError):
        actions.do_add_customer_message(conversation, incoming("x" * 11))
    assert conversation.messages.count() == 1


def test_phone_call_notes_first_and_fields_later(agent):
    conversation = actions.do_log_call(
        agent, actions.PhoneCall("Customer's card was charged twice for order 1234")
    )
    assert conversation.channel == Channel.PHONE
    assert conversation.customer is None
    message = conversation.messages.get()
    assert message.kind == Message.Kind.PHONE and "charged twice" in message.text
    assert conversation.owner == agent


def test_phone_call_resolved_without_reason_rolls_back_entirely(agent):
    before = Conversation.objects.count()
    with pytest.raises(actions.ActionError) as error:
        actions.do_log_call(
            agent,
            actions.PhoneCall(
                "Quick question", customer=CustomerDetails(phone="+44 20 7946 0000"), resolve=True
            ),
        )
    assert set(error.value.fields) == {"contact_reason"}
    assert Conversation.objects.count() == before


def test_phone_call_with_required_fields_can_be_resolved_at_once(agent):
    reason = ContactReason.objects.create(name="Billing")
    conversation = actions.do_log_call(
        agent,
        actions.PhoneCall(
            "Explained the bill",
            customer=CustomerDetails(phone="+44 20 7946 0000"),
            contact_reason=reason,
            resolve=True,
        ),
    )
    assert conversation.status == Status.RESOLVED
    assert conversation.customer.identities.get().value == "+442079460000"


def test_every_change_leaves_an_event_with_actor(conversation, agent):
    actions.do_set_tags(conversation, agent, ["VIP", "billing"])
    actions.do_set_priority(conversation, agent, Conversation.Priority.URGENT)
    actions.do_assign(conversation, agent, agent)
    kinds = list(conversation.events.filter(actor=agent).values_list("kind", flat=True))
    assert kinds.count(Event.Kind.TAGGED) == 2
    assert Event.Kind.PRIORITY in kinds and Event.Kind.ASSIGNED in kinds
