"""The conversation's effort and the customer's effort are labelled plainly wherever both appear."""

from __future__ import annotations

import pytest
from django.urls import reverse

from herodesk.conversations.models import Conversation
from herodesk.customers.models import Customer
from herodesk.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


def test_header_sidebar_and_inbox_name_which_effort_it_is(agent_client, support_team, customer, agent):
    conversation = ConversationFactory(customer=customer, team=support_team, owner=agent, subject="Refund")
    Conversation.objects.filter(pk=conversation.pk).update(effort=72)
    Customer.objects.filter(pk=customer.pk).update(effort=55)
    body = agent_client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    assert "Effort of this conversation 72 — high" in body
    assert "This customer's effort, all conversations 55 — moderate" in body
    inbox = agent_client.get("/inbox/mine/").content.decode()
    assert "effort 72 · high" in inbox
    assert "Effort of this conversation: 72 of 100, high" in inbox
    assert "0–39 low, 40–59 moderate, 60–79 high, 80–100 very high" in inbox  # the column's tooltip
