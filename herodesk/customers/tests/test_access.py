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


@pytest.fixture
def duplicate(billing_team):
    """Carla again, written in from her work address; her conversation is with Billing."""
    from herodesk.tests.factories import CustomerFactory

    twin = CustomerFactory(name="C. Customer", email="carla@work.example")
    ConversationFactory(customer=twin, team=billing_team, subject="Invoice copy")
    return twin


def _merge_url(customer) -> str:
    return reverse("customers:merge", args=[customer.pk])


def test_an_agent_can_neither_preview_nor_merge_customers(agent_client, customer, duplicate):
    assert agent_client.get(_merge_url(customer), {"other": duplicate.pk}).status_code == 403
    response = agent_client.post(_merge_url(customer), {"other": duplicate.pk, "confirm": "on"})
    assert response.status_code == 403
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None


def test_the_merge_action_refuses_an_agent(agent, customer, duplicate):
    from herodesk.conversations.actions import do_merge_customers
    from herodesk.errors import ActionError

    with pytest.raises(ActionError):
        do_merge_customers(customer, duplicate, agent)
    assert duplicate.conversations.count() == 1


def test_lead_sees_a_preview_of_both_customers_and_nothing_changes(
    client, lead, customer, conversation, duplicate
):
    client.force_login(lead)
    for response in (
        client.get(_merge_url(customer), {"other": duplicate.pk}),
        client.post(_merge_url(customer), {"other": duplicate.pk}),  # no confirm: still only a preview
    ):
        assert response.status_code == 200
        body = response.content.decode()
        for text in ("Carla Customer", "C. Customer", "carla@example.com", "carla@work.example"):
            assert text in body
        assert 'name="confirm"' in body
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert duplicate.conversations.count() == 1


def test_lead_confirms_and_the_merge_is_recorded_with_what_an_undo_needs(
    client, lead, customer, conversation, duplicate
):
    from herodesk.conversations.models import Event

    moved = list(duplicate.conversations.values_list("pk", flat=True))
    identity = duplicate.identities.get()
    client.force_login(lead)
    response = client.post(_merge_url(customer), {"other": duplicate.pk, "confirm": "on"})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == customer
    event = Event.objects.get(kind=Event.Kind.MERGED, customer=customer, conversation=None)
    assert event.actor == lead
    assert event.data["merged"] == duplicate.pk
    assert event.data["conversations"] == moved
    assert event.data["identities"] == [identity.pk]
    assert event.data["survivor_before"]["name"] == "Carla Customer"


@pytest.mark.parametrize("other", ["", "abc", "0", "99999999999999999999999"])
def test_a_bad_duplicate_id_is_a_message_not_an_error(client, lead, customer, other):
    client.force_login(lead)
    response = client.get(_merge_url(customer), {"other": other})
    assert response.status_code == 302


def test_only_leads_see_the_merge_form_on_the_customer_page(client, agent, lead, customer):
    for user, shown in ((agent, False), (lead, True)):
        client.force_login(user)
        body = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
        assert ("Preview merge" in body) is shown
