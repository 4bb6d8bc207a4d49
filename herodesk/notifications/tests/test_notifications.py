"""Notifications: told once, never the actor, only one's own, readable on the page and through the API."""

from __future__ import annotations

import pytest
from django.utils import timezone

from herodesk.notifications import actions, queries
from herodesk.notifications.models import Notification
from herodesk.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def test_notify_skips_the_actor_and_does_not_repeat_unread_news(agent, lead, conversation):
    created = actions.do_notify(
        [agent, lead], Kind.CUSTOMER_REPLY, "Sam wrote again", conversation, actor=lead
    )
    assert [n.recipient_id for n in created] == [agent.pk]
    again = actions.do_notify([agent], Kind.CUSTOMER_REPLY, "Sam wrote again", conversation)
    assert again == [] and queries.unread_count(agent) == 1
    actions.do_mark_read(agent)
    assert len(actions.do_notify([agent], Kind.CUSTOMER_REPLY, "Sam wrote again", conversation)) == 1


def test_unknown_kind_is_refused(agent):
    from herodesk.errors import ActionError

    with pytest.raises(ActionError):
        actions.do_notify([agent], "gossip", "?")


def test_page_lists_only_my_notifications_and_opening_one_marks_it_read(client, agent, conversation):
    other = AgentFactory(first_name="Chen")
    mine = actions.do_notify([agent], Kind.MENTION, "Chen mentioned you", conversation)[0]
    theirs = actions.do_notify([other], Kind.MENTION, "secret for Chen", conversation)[0]
    client.force_login(agent)
    page = client.get("/notifications/")
    assert b"Chen mentioned you" in page.content and b"secret for Chen" not in page.content
    assert b'aria-label="Notifications: 1 unread"' in page.content
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    opened = client.get(f"/notifications/{mine.pk}/")
    assert opened.status_code == 302 and opened["Location"] == f"/c/{conversation.pk}/"
    mine.refresh_from_db()
    assert mine.read_at is not None and queries.unread_count(agent) == 0


def test_mark_all_read_needs_post(client, agent, conversation):
    actions.do_notify([agent], Kind.ASSIGNED, "Yours now", conversation)
    client.force_login(agent)
    assert client.get("/notifications/read/").status_code == 405
    assert client.post("/notifications/read/").status_code == 302
    assert queries.unread_count(agent) == 0


def test_api_lists_and_marks_read(client, agent, conversation):
    first = actions.do_notify([agent], Kind.PROMISE_DUE, "Call back by 16:00", conversation)[0]
    actions.do_notify([agent], Kind.SLA_WARNING, "First reply due in 30 minutes", conversation)
    client.force_login(agent)
    body = client.get("/api/v1/notifications?unread_only=true").json()
    assert body["unread"] == 2 and {item["kind"] for item in body["items"]} == {"promise_due", "sla_warning"}
    assert body["items"][0]["url"] == f"/c/{conversation.pk}/"
    marked = client.post("/api/v1/notifications/read", {"ids": [first.pk]}, content_type="application/json")
    assert marked.json() == {"marked": 1}
    assert client.get("/api/v1/notifications").json()["unread"] == 1


def test_an_open_redirect_is_refused(client, agent):
    note = Notification.objects.create(
        recipient=agent, kind=Kind.MENTION, text="x", url="https://evil.example/", created_at=timezone.now()
    )
    client.force_login(agent)
    assert client.get(f"/notifications/{note.pk}/")["Location"] == "/notifications/"
