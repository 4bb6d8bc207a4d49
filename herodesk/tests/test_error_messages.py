"""Error messages read as sentences (issue 9: they were joined as "…resolving.; Choose…")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from herodesk.errors import ActionError
from herodesk.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


def test_field_messages_join_as_sentences():
    error = ActionError("Missing", {"customer": "Set the customer before resolving.", "reason": "Choose one"})
    assert error.summary() == "Set the customer before resolving. Choose one."
    assert ActionError("Nothing to do").summary() == "Nothing to do."


def test_resolving_without_customer_and_reason_says_both_in_plain_sentences(agent_client, support_team):
    conversation = ConversationFactory(team=support_team)
    url = reverse("conversations:status", args=[conversation.pk])
    page = agent_client.post(url, {"status": "resolved"}, follow=True).content.decode()
    assert "Set the customer before resolving. Choose a contact reason before resolving." in page
    assert ".;" not in page
