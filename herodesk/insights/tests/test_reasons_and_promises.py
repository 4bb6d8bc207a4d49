"""Contact reasons (suggestions, proposed new reasons), promise coaching and the kept rate, the hero
moments' reasons: pages, API and access."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from herodesk.accounts.actions import do_create_token
from herodesk.conversations import actions
from herodesk.conversations.models import ContactReason
from herodesk.conversations.queries import visible_conversations
from herodesk.insights import queries, reasons
from herodesk.insights.models import Promise
from herodesk.tests.factories import ConversationFactory
from herodesk.tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    _, raw = do_create_token(user, "t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def lead_client(lead):
    """Its own client, so a test can hold an agent's and a lead's session side by side."""
    client = Client()
    client.force_login(lead)
    return client


@pytest.fixture
def untagged(support_team):
    """Two clear topics nobody has a reason for yet."""
    made = []
    for _ in range(8):
        made.append(
            ConversationFactory(
                team=support_team, subject="Parcel late", first_message="The courier lost my parcel tracking"
            )
        )
        made.append(
            ConversationFactory(
                team=support_team, subject="Login locked", first_message="Password reset does not unlock it"
            )
        )
    return made


def test_overdue_open_promise_counts_against_the_kept_rate_at_once(agent, conversation, support_team):
    other = ConversationFactory(team=support_team)
    actions.do_add_reply(conversation, agent, "I will call you back within 2 hours.")
    actions.do_add_reply(other, agent, "I will email you the label within 1 hour.")
    actions.do_add_reply(other, agent, "Here is the label.")  # acts in time: kept
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        [row] = queries.promise_stats(agent)
        assert row["open"] == 1 and row["overdue"] == 1 and row["broken"] == 0 and row["kept"] == 1
        assert row["rate"] == pytest.approx(0.5)  # not 100% while the job has not marked it broken yet


def test_vague_promise_keeps_its_specific_rewrite_and_the_page_shows_it(agent_client, agent, conversation):
    actions.do_add_reply(conversation, agent, "We'll check and get back to you soon.")
    promise = Promise.objects.get()
    assert promise.kind == "vague" and "get back to you by" in promise.suggestion
    body = agent_client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    assert "Specific would be:" in body and escape(promise.suggestion) in body
    assert agent.display_name in body  # the owner is on the promise card


def test_contact_reasons_page_is_for_leads_and_proposes_clusters(agent_client, lead_client, untagged):
    assert agent_client.get(reverse("insights:reasons")).status_code == 403
    response = lead_client.get(reverse("insights:reasons"))
    proposals = response.context["proposals"]
    assert sorted(p.size for p in proposals) == [8, 8]
    parcel = next(p for p in proposals if p.examples[0].subject == "Parcel late")
    assert any("parcel" in term for term in parcel.top_terms)
    assert {c.subject for c in parcel.examples} == {"Parcel late"}
    body = response.content.decode()
    assert "Proposed new reasons" in body and parcel.name in body
    assert f"#{parcel.examples[0].pk} Parcel late" in body


def test_proposals_only_cluster_conversations_the_user_may_see(agent, other_agent, untagged):
    assert reasons.propose_new_reasons(visible_conversations(other_agent)) == []
    proposals = reasons.propose_new_reasons(visible_conversations(agent))
    assert sum(p.size for p in proposals) == len(untagged)


def test_lead_creates_a_reason_from_a_proposal_and_bad_names_are_refused(lead_client, agent_client):
    url = reverse("insights:create_reason")
    response = lead_client.post(url, {"name": "  delivery:   late parcel "}, follow=True)
    assert ContactReason.objects.filter(name="delivery: late parcel").exists()
    assert "created" in response.content.decode()
    again = lead_client.post(url, {"name": "Delivery: Late Parcel"}, follow=True).content.decode()
    assert "exists already" in again and ContactReason.objects.count() == 1
    assert "required" in lead_client.post(url, {"name": "  "}, follow=True).content.decode()
    assert agent_client.post(url, {"name": "sneaky"}).status_code == 403
    assert not ContactReason.objects.filter(name="sneaky").exists()


def test_retrain_now_builds_the_model_from_tagged_conversations(
    lead_client, support_team, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    billing = ContactReason.objects.create(name="Billing")
    delivery = ContactReason.objects.create(name="Delivery")
    for i in range(5):
        ConversationFactory(team=support_team, contact_reason=billing, first_message=f"invoice refund {i}")
        ConversationFactory(team=support_team, contact_reason=delivery, first_message=f"courier late {i}")
    lead_client.post(reverse("insights:retrain_reasons"))  # jobs run inline in tests
    status = reasons.model_status()
    assert status.trained_at is not None and status.labels == 2 and status.tagged_examples == 10
    assert "Trained" in lead_client.get(reverse("insights:reasons")).content.decode()


def test_api_proposed_reasons_and_promise_stats(client, agent, lead, untagged, conversation):
    path = "/api/v1/signals/proposed-reasons"
    assert client.get(path, **bearer(agent)).status_code == 403
    response = client.get(path, **bearer(lead))
    assert_matches_schema("GET", path, response)
    assert sum(p["size"] for p in response.json()) == len(
        untagged
    )  # not the lone untagged fixture: a group needs 5
    actions.do_add_reply(conversation, agent, "I will call you back within 2 hours.")
    stats = client.get("/api/v1/signals/promise-stats", **bearer(agent))
    assert_matches_schema("GET", "/api/v1/signals/promise-stats", stats)
    assert stats.json()[0]["open"] == 1


def test_api_conversation_shows_the_suggested_reason_until_one_is_set(client, agent, conversation):
    delivery = ContactReason.objects.create(name="Delivery")
    conversation.suggested_reason, conversation.suggested_reason_confidence = delivery, 0.8
    conversation.save()
    path = f"/api/v1/conversations/{conversation.pk}"
    body = client.get(path, **bearer(agent)).json()
    assert body["suggested_reason"] == "Delivery" and body["suggested_reason_confidence"] == 0.8
    actions.do_set_contact_reason(conversation, agent, delivery)
    body = client.get(path, **bearer(agent)).json()
    assert body["contact_reason"] == "Delivery" and body["suggested_reason"] is None


def test_hero_moments_say_why(agent_client, client, agent, support_team, customer):
    draft = actions.NewConversation(
        subject="Charged twice",
        channel="email",
        customer=customer,
        team=support_team,
        first_message=actions.IncomingMessage(
            text="Third time writing!!! You charged me twice and my flight leaves today.", channel="email"
        ),
    )
    conversation = actions.do_create_conversation(draft)
    reasons = conversation.messages.get().signals["reasons"]
    assert reasons[0] == "critical: charged me twice"  # the critical moment is named first
    body = agent_client.get(reverse("insights:hero_moments")).content.decode()
    # Shown in plain words with the customer's own words (signals/explain.py), never "critical: …".
    assert escape("Critical situation: “You charged me twice and my flight leaves today.”") in body
    assert "critical: charged me twice" not in body
    moments = client.get("/api/v1/signals/hero-moments", **bearer(agent)).json()
    assert moments[0]["id"] == conversation.pk and moments[0]["why"]


def test_training_examples_query_count_does_not_grow_with_history(
    support_team, django_assert_max_num_queries
):
    billing = ContactReason.objects.create(name="Billing")
    for i in range(6):
        ConversationFactory(team=support_team, contact_reason=billing, first_message=f"invoice {i}")
    with django_assert_max_num_queries(2):
        assert len(reasons.training_examples()) == 6
    for i in range(30):
        ConversationFactory(team=support_team, contact_reason=billing, first_message=f"refund {i}")
    with django_assert_max_num_queries(2):
        examples = reasons.training_examples()
    assert len(examples) == 36 and all(text.startswith("Question") for text, _ in examples)
