"""Presence: who views and who types, kept in the database with an expiry, checked for access."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.actions import IncomingMessage
from herodesk.presence import actions, queries
from herodesk.presence.models import Presence

pytestmark = pytest.mark.django_db


def test_poll_records_me_and_shows_the_others(client, agent, lead, conversation):
    actions.do_record_presence(lead, conversation.pk, "reply")
    client.force_login(agent)
    response = client.post(reverse("presence:poll", args=[conversation.pk]), {"typing": "", "seen": "0"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Lena" in body and "is typing a reply" in body
    assert Presence.objects.filter(user=agent, conversation=conversation).exists()
    assert [v.name for v in queries.viewers(conversation.pk, exclude=lead)] == ["Ada"]


def test_poll_says_when_new_messages_arrived(client, agent, conversation):
    seen = conversation.messages.last().pk
    conversation_actions.do_add_customer_message(
        conversation, IncomingMessage(text="Hello?", channel="email")
    )
    client.force_login(agent)
    body = client.post(reverse("presence:poll", args=[conversation.pk]), {"seen": seen}).content.decode()
    assert 'data-testid="presence-unseen"' in body and "1 new message" in body


def test_rows_expire_and_old_viewers_read_as_recent(agent, lead, conversation):
    long_ago = timezone.now() - timedelta(minutes=5)
    actions.do_record_presence(lead, conversation.pk, "reply", at=long_ago)
    (viewer,) = queries.viewers(conversation.pk, exclude=agent)
    assert not viewer.live and viewer.typing == "" and viewer.minutes_ago == 5
    assert queries.live_viewers_by_conversation([conversation.pk], exclude=agent) == {}
    actions.do_record_presence(lead, conversation.pk, at=timezone.now() - timedelta(hours=2))
    assert actions.do_expire_presence() == 1


def test_leaving_stops_showing_as_live(client, agent, lead, conversation):
    actions.do_record_presence(lead, conversation.pk)
    client.force_login(lead)
    assert client.post(reverse("presence:leave", args=[conversation.pk])).status_code == 204
    assert queries.live_viewers_by_conversation([conversation.pk], exclude=agent) == {}


def test_inbox_viewers_only_for_visible_conversations(client, agent, other_agent, lead, conversation):
    actions.do_record_presence(lead, conversation.pk, "note")
    client.force_login(agent)
    data = client.get(reverse("presence:inbox"), {"ids": f"{conversation.pk},"}).json()
    assert data == {str(conversation.pk): [{"initials": "L", "name": "Lena", "typing": "note"}]}
    client.force_login(other_agent)
    assert client.get(reverse("presence:inbox"), {"ids": str(conversation.pk)}).json() == {}
    response = client.post(reverse("presence:poll", args=[conversation.pk]))
    assert response.status_code == 404


def test_bad_numbers_are_400(client, agent, conversation):
    client.force_login(agent)
    assert client.get(reverse("presence:inbox"), {"ids": "9" * 30}).status_code == 400
    response = client.post(
        reverse("presence:poll", args=[conversation.pk]), {"seen": "99999999999999999999999"}
    )
    assert response.status_code == 400


def test_inbox_row_shows_who_else_is_viewing(client, agent, lead, conversation):
    actions.do_record_presence(lead, conversation.pk)
    client.force_login(agent)
    page = client.get("/inbox/unassigned/").content.decode()
    assert 'title="Lena is viewing">L</span>' in page
