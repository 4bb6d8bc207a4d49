"""Scheduled replies, follow-ups cancelled by a customer reply, promise reminders and follow-through."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from herodesk.conversations import actions as conv
from herodesk.conversations.models import Event, Message
from herodesk.insights.models import Promise
from herodesk.notifications.models import Notification
from herodesk.slas.actions import do_promise_reminders, do_schedule_reply, do_send_due

pytestmark = pytest.mark.django_db


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_scheduled_reply_is_sent_at_its_time_exactly_once(agent_client, agent, conversation):
    send_at = (timezone.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
    response = agent_client.post(
        f"/slas/c/{conversation.pk}/schedule/",
        {"text": "Your refund is on its way.", "send_at": local_input(send_at)},
    )
    assert response.status_code == 302
    message = Message.objects.get(conversation=conversation, kind="reply")
    assert message.send_status == "scheduled" and message.scheduled_for == send_at
    page = agent_client.get(f"/c/{conversation.pk}/").content.decode()
    assert f'data-testid="scheduled-{message.pk}"' in page and "Scheduled</span> sends" in page
    assert do_send_due() == 0  # not yet
    conversation.refresh_from_db()
    assert conversation.first_response_at is None
    with time_machine.travel(send_at + timedelta(seconds=30), tick=False):
        assert do_send_due() == 1
        assert do_send_due() == 0  # a restarted worker finds nothing left to send
    message.refresh_from_db()
    conversation.refresh_from_db()
    assert message.send_status in ("", "queued", "sent")  # through the normal reply path (email sends it)
    assert message.created_at == send_at + timedelta(seconds=30)
    assert conversation.first_response_at == message.created_at


def test_a_scheduled_reply_can_be_edited_and_cancelled(agent_client, agent, conversation):
    message = do_schedule_reply(conversation, agent, "Draft one", timezone.now() + timedelta(hours=1))
    later = (timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    agent_client.post(
        f"/slas/c/{conversation.pk}/scheduled/{message.pk}/",
        {"text": "Draft two", "send_at": local_input(later)},
    )
    message.refresh_from_db()
    assert message.text == "Draft two" and message.scheduled_for == later
    agent_client.post(f"/slas/c/{conversation.pk}/scheduled/{message.pk}/cancel/")
    message.refresh_from_db()
    assert message.send_status == "cancelled" and "Cancelled by Ada" in message.send_error
    with time_machine.travel(later + timedelta(minutes=1), tick=False):
        assert do_send_due() == 0
    # a past time is refused with a message, not a 500
    response = agent_client.post(
        f"/slas/c/{conversation.pk}/schedule/", {"text": "x", "send_at": "2001-01-01T10:00"}, follow=True
    )
    assert "Choose a time in the future." in response.content.decode()


def test_a_follow_up_is_cancelled_visibly_when_the_customer_writes(agent, conversation):
    follow_up = do_schedule_reply(
        conversation, agent, "Did that work?", timezone.now() + timedelta(days=2), True
    )
    conv.do_add_customer_message(
        conversation, conv.IncomingMessage(text="All sorted, thanks!", channel="email")
    )
    follow_up.refresh_from_db()
    assert follow_up.send_status == "cancelled"
    assert follow_up.send_error.startswith("the customer wrote on")
    assert Event.objects.filter(conversation=conversation, kind=Event.Kind.FOLLOW_UP_CANCELLED).exists()
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        assert do_send_due() == 0


def test_a_follow_up_without_an_answer_is_sent(agent, conversation):
    follow_up = do_schedule_reply(
        conversation, agent, "Did that work?", timezone.now() + timedelta(days=2), True
    )
    with time_machine.travel(timezone.now() + timedelta(days=2, minutes=1), tick=False):
        assert do_send_due() == 1
    follow_up.refresh_from_db()
    assert follow_up.send_status != "cancelled"


@pytest.fixture
def promise(conversation, agent):
    reply = conv.do_add_reply(conversation, agent, "I will call you back by 15:00 today.")
    Promise.objects.all().delete()  # the analysis may have found it; make one with a known due time
    return Promise.objects.create(
        conversation=conversation, message=reply, owner=agent, text="I will call you back by 15:00 today",
        kind="specific", due_at=timezone.now() + timedelta(minutes=40), created_at=timezone.now(),
    )  # fmt: skip


def test_owner_is_reminded_once_and_lead_told_once_when_overdue(promise, agent, lead):
    assert do_promise_reminders().reminded == 1
    assert do_promise_reminders().reminded == 0
    reminder = Notification.objects.get(kind=Notification.Kind.PROMISE_DUE)
    assert reminder.recipient == agent and reminder.url.endswith(f"?draft=keep-promise-{promise.pk}")
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        assert do_promise_reminders().overdue == 1
        assert do_promise_reminders().overdue == 0
    assert Notification.objects.get(kind=Notification.Kind.PROMISE_OVERDUE).recipient == lead


def test_the_reminder_link_opens_a_draft_that_keeps_the_promise(agent_client, promise, conversation):
    page = agent_client.get(f"/c/{conversation.pk}/?draft=keep-promise-{promise.pk}").content.decode()
    assert "data-sla-draft=" in page and "As promised" in page
    assert (
        "data-sla-draft="
        not in agent_client.get(f"/c/{conversation.pk}/?draft=keep-promise-x").content.decode()
    )


def test_kept_renegotiated_and_handed_over(agent_client, promise, conversation, lead):
    new_time = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    agent_client.post(
        f"/slas/c/{conversation.pk}/promises/{promise.pk}/renegotiate/",
        {"due_at": local_input(new_time), "message": "I need until tomorrow, sorry."},
    )
    promise.refresh_from_db()
    assert promise.due_at == new_time
    assert Message.objects.filter(conversation=conversation, text="I need until tomorrow, sorry.").exists()
    agent_client.post(f"/slas/c/{conversation.pk}/promises/{promise.pk}/hand-over/", {"owner": lead.pk})
    promise.refresh_from_db()
    assert promise.owner == lead
    agent_client.post(f"/slas/c/{conversation.pk}/promises/{promise.pk}/kept/")
    promise.refresh_from_db()
    assert promise.state == "kept"
    kinds = set(Event.objects.filter(conversation=conversation).values_list("kind", flat=True))
    assert {"promise_renegotiated", "promise_handed_over", "promise_kept"} <= kinds
    assert agent_client.post(f"/slas/c/{conversation.pk}/promises/999999/kept/").status_code == 404


def test_other_teams_cannot_schedule(client, other_agent, conversation):
    client.force_login(other_agent)
    response = client.post(
        f"/slas/c/{conversation.pk}/schedule/", {"text": "x", "send_at": "2030-01-01T10:00"}
    )
    assert response.status_code == 404


def test_open_promises_follow_the_conversation_to_its_new_owner(promise, conversation, agent, lead):
    conv.do_transfer(conversation, agent, conv.Transfer(note="Lena takes the callback", to_owner=lead))
    promise.refresh_from_db()
    assert promise.owner == lead
    event = Event.objects.get(conversation=conversation, kind=Event.Kind.PROMISE_HANDED_OVER)
    assert event.data["old_owner"] == agent.pk and event.data["new_owner"] == lead.pk
