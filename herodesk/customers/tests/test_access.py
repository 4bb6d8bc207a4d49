"""Customer data goes through the same team access as conversations: exports and merges."""

from __future__ import annotations

import pytest
from django.urls import reverse

from herodesk.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing_conversation(customer, billing_team):
    return ConversationFactory(
        customer=customer, team=billing_team, subject="Card charged twice", first_message="My IBAN is DE89..."
    )


def test_export_by_an_agent_leaves_out_other_teams_conversations(
    agent_client, customer, conversation, billing_conversation
):
    """GIVEN Carla has a Support and a Billing conversation WHEN Ada (Support) exports her THEN she gets
    only what she can open in the desk, and a count of the rest."""
    response = agent_client.get(reverse("customers:export", args=[customer.pk]))
    data = response.json()
    assert [c["id"] for c in data["conversations"]] == [conversation.pk]
    assert data["conversations_not_included"] == 1
    assert "IBAN" not in response.content.decode()
    assert billing_conversation.subject not in response.content.decode()


def test_export_by_an_admin_is_complete(client, admin_user, customer, conversation, billing_conversation):
    client.force_login(admin_user)
    data = client.get(reverse("customers:export", args=[customer.pk])).json()
    assert {c["id"] for c in data["conversations"]} == {conversation.pk, billing_conversation.pk}
    assert data["conversations_not_included"] == 0
