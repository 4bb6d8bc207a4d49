"""The log-a-call page: notes first, and a caller's name is never silently dropped."""

from __future__ import annotations

import pytest

from herodesk.conversations.models import Conversation

pytestmark = pytest.mark.django_db


def test_the_page_opens_with_the_notes_first(client, agent):
    client.force_login(agent)
    response = client.get("/calls/new/")
    assert response.status_code == 200
    assert b'name="notes"' in response.content


def test_a_name_without_phone_or_email_is_refused_not_dropped(client, agent):
    client.force_login(agent)
    response = client.post("/calls/new/", {"notes": "Wants a refund", "name": "Maria", "priority": 2})
    assert response.status_code == 200
    assert b"phone number or email address" in response.content
    assert not Conversation.objects.exists()


def test_a_call_with_a_phone_number_files_the_caller(client, agent):
    client.force_login(agent)
    response = client.post(
        "/calls/new/",
        {"notes": "Wants a refund", "name": "Maria", "phone": "+44 20 7946 0001", "priority": 2},
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302 and conversation.customer is not None
    assert conversation.customer.name == "Maria" and conversation.channel == "phone"
