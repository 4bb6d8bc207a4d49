"""What tells agents: mentions in notes, customer replies on their conversations, promises coming due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from herodesk.conversations import actions
from herodesk.conversations.actions import IncomingMessage
from herodesk.insights.actions import do_notify_promises_due
from herodesk.insights.models import Promise
from herodesk.notifications.models import Notification

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def test_a_mention_in_a_note_tells_that_agent_only_if_they_may_see_it(agent, lead, other_agent, conversation):
    note = actions.do_add_note(conversation, agent, "@lena can you approve the refund? cc @otto")
    told = Notification.objects.get(kind=Kind.MENTION)
    assert told.recipient == lead and told.url == f"/c/{conversation.pk}/#m{note.pk}"
    assert "Ada mentioned you" in told.text
    assert not Notification.objects.filter(recipient=other_agent).exists()  # Otto cannot open it


def test_an_email_address_is_not_a_mention(agent, lead, conversation):
    actions.do_add_note(conversation, agent, "Customer wrote from carla@lena.example")
    assert not Notification.objects.exists()


def test_a_customer_reply_tells_the_owner(agent, conversation):
    actions.do_assign(conversation, agent, agent)
    actions.do_add_customer_message(
        conversation, IncomingMessage(text="Still nothing arrived", channel="email")
    )
    told = Notification.objects.get(kind=Kind.CUSTOMER_REPLY)
    assert told.recipient == agent and "Still nothing arrived" in told.text


def test_assignment_tells_the_new_owner(agent, lead, conversation):
    actions.do_assign(conversation, lead, agent)
    assert Notification.objects.get(kind=Kind.ASSIGNED).recipient == agent


def test_promises_due_within_the_hour_or_overdue_are_told_once(agent, conversation):
    reply = actions.do_add_reply(conversation, agent, "Noted.")
    now = timezone.now()
    dues = (
        ("call by 16:00", now + timedelta(minutes=30)),
        ("email by noon", now - timedelta(minutes=10)),
        ("next week", now + timedelta(days=3)),
    )
    for text, due in dues:
        Promise.objects.create(conversation=conversation, message=reply, owner=agent, text=text,
                               kind="specific", due_at=due, created_at=now - timedelta(hours=1))  # fmt: skip
    assert do_notify_promises_due(now) == 2
    kinds = set(Notification.objects.filter(recipient=agent).values_list("kind", flat=True))
    assert {Kind.PROMISE_DUE, Kind.PROMISE_OVERDUE} <= kinds
    Notification.objects.update(read_at=now)
    assert do_notify_promises_due(now + timedelta(minutes=5)) == 0  # idempotent


def test_email_notifications_are_batched(client, agent, conversation):
    from django.core import mail

    from herodesk.notifications.actions import do_notify, do_send_notification_emails

    client.force_login(agent)
    client.post("/notifications/email/", {"enabled": "1"})
    now = timezone.now()
    do_notify([agent], Kind.MENTION, "Lena mentioned you", conversation, at=now)
    do_notify([agent], Kind.PROMISE_DUE, "Call back at 16:00", None, at=now)
    assert do_send_notification_emails(now + timedelta(seconds=5)) == 1
    assert len(mail.outbox) == 1 and "2 new notifications" in mail.outbox[0].subject
    assert "Lena mentioned you" in mail.outbox[0].body and mail.outbox[0].to == [agent.email]
    do_notify([agent], Kind.ASSIGNED, "Yours now", conversation, at=now + timedelta(minutes=1))
    assert do_send_notification_emails(now + timedelta(minutes=2)) == 0  # within the batch window
    assert do_send_notification_emails(now + timedelta(minutes=6)) == 1
    assert "Yours now" in mail.outbox[1].body and "Lena" not in mail.outbox[1].body
    client.post("/notifications/email/", {"enabled": "0"})
    do_notify([agent], Kind.MENTION, "Again", None, at=now + timedelta(minutes=7))
    assert do_send_notification_emails(now + timedelta(minutes=20)) == 0
