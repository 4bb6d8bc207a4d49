"""Customers: identities, merging without losing history, export and erasure."""

from __future__ import annotations

import pytest
from django.urls import reverse

from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.models import Conversation, Event
from herodesk.customers import actions
from herodesk.customers.models import Customer, Identity
from herodesk.tests.factories import ConversationFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_same_address_in_any_case_finds_the_same_customer():
    first = actions.do_find_or_create_customer(actions.CustomerDetails(email="Sam@Example.com", name="Sam"))
    again = actions.do_find_or_create_customer(actions.CustomerDetails(email=" sam@example.COM "))
    assert first.pk == again.pk


def test_merge_keeps_every_conversation_and_identity(lead, support_team):
    survivor = CustomerFactory(name="Sam", email="sam@example.com")
    duplicate = CustomerFactory(name="Samuel", email="samuel@work.example")
    ConversationFactory(customer=survivor, team=support_team)
    ConversationFactory(customer=duplicate, team=support_team)
    conversation_actions.do_merge_customers(survivor, duplicate, lead)
    assert Conversation.objects.filter(customer=survivor).count() == 2
    assert set(Identity.objects.filter(customer=survivor).values_list("value", flat=True)) == {
        "sam@example.com",
        "samuel@work.example",
    }
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert Event.objects.filter(kind=Event.Kind.MERGED).count() == 2  # customer + moved conversation
    found = actions.find_by_identity(Identity.Kind.EMAIL, "samuel@work.example")
    assert found == survivor


def test_customer_page_shows_identities_and_conversations(agent_client, customer, conversation):
    body = agent_client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "carla@example.com" in body and conversation.subject in body


def test_export_contains_the_conversations_but_not_internal_notes(
    agent_client, agent, customer, conversation
):
    from herodesk.conversations.actions import do_add_note

    do_add_note(conversation, agent, "Internal: VIP")
    data = agent_client.get(reverse("customers:export", args=[customer.pk])).json()
    texts = [m["text"] for c in data["conversations"] for m in c["messages"]]
    assert any("order" in t.lower() for t in texts)
    assert "Internal: VIP" not in texts


def test_only_admins_can_erase_a_customer(agent_client, client, admin_user, customer, conversation):
    assert agent_client.post(reverse("customers:delete", args=[customer.pk])).status_code == 403
    client.force_login(admin_user)
    client.post(reverse("customers:delete", args=[customer.pk]))
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert not Conversation.objects.filter(pk=conversation.pk).exists()
