"""Hero signals in the desk: intensity and relief, promises kept and broken, effort, the pages and API."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from herodesk.conversations import actions
from herodesk.conversations.models import Channel, Conversation, Message
from herodesk.insights import actions as insight_actions
from herodesk.insights.models import Promise
from herodesk.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db
FURIOUS = (
    "This is the THIRD time I'm writing!!! You charged my card twice and my flight leaves today. "
    "If this is not fixed now I will cancel and talk to my lawyer."
)


def new_conversation(support_team, customer, text):
    draft = actions.NewConversation(
        subject="Charged twice",
        channel=Channel.EMAIL,
        customer=customer,
        team=support_team,
        first_message=actions.IncomingMessage(text=text, channel=Channel.EMAIL),
    )
    return actions.do_create_conversation(draft)


def test_intense_message_becomes_a_hero_moment_until_an_agent_replies(agent, support_team, customer):
    conversation = new_conversation(support_team, customer, FURIOUS)
    conversation.refresh_from_db()
    message = conversation.messages.get()
    assert message.intensity >= insight_actions.RELIEF_THRESHOLD
    assert message.signals["reasons"]
    assert conversation.awaiting_relief
    actions.do_add_reply(conversation, agent, "I am so sorry. I have refunded the second charge right now.")
    conversation.refresh_from_db()
    assert not conversation.awaiting_relief


def test_calm_message_is_not_a_hero_moment(support_team, customer):
    conversation = new_conversation(
        support_team, customer, "Hi, could you tell me your opening hours? Thanks!"
    )
    conversation.refresh_from_db()
    assert conversation.intensity < insight_actions.RELIEF_THRESHOLD
    assert not conversation.awaiting_relief


def test_hero_moments_page_lists_the_intense_conversation_first(agent_client, support_team, customer):
    calm = new_conversation(support_team, customer, "Quick question about invoices, no rush.")
    hot = new_conversation(support_team, customer, FURIOUS)
    body = agent_client.get(reverse("insights:hero_moments")).content.decode()
    assert f"/c/{hot.pk}/" in body
    assert f"/c/{calm.pk}/" not in body


def test_specific_promise_is_tracked_and_kept_by_the_next_reply(agent, conversation):
    actions.do_add_reply(conversation, agent, "I will call you back within 2 hours with the tracking number.")
    promise = Promise.objects.get()
    assert promise.kind == Promise.Kind.SPECIFIC and promise.owner == agent and promise.due_at is not None
    actions.do_add_note(
        conversation, agent, "Called the customer, tracking number given.", kind=Message.Kind.PHONE
    )
    promise.refresh_from_db()
    assert promise.state == Promise.State.KEPT


def test_customer_reply_never_cancels_a_promise(agent, conversation):
    actions.do_add_reply(conversation, agent, "I will email you the refund confirmation by tomorrow at 10am.")
    actions.do_add_customer_message(
        conversation, actions.IncomingMessage(text="ok thanks", channel=Channel.EMAIL)
    )
    assert Promise.objects.get().state == Promise.State.OPEN


def test_promise_not_kept_before_its_due_time_is_broken(agent, conversation):
    actions.do_add_reply(conversation, agent, "You'll get an update from me within 24 hours.")
    promise = Promise.objects.get()
    assert promise.due_at is not None
    with time_machine.travel(promise.due_at + timedelta(minutes=1)):
        assert insight_actions.do_mark_broken_promises() == 1
    promise.refresh_from_db()
    assert promise.state == Promise.State.BROKEN


def test_effort_rises_with_transfers_and_repeat_language(agent, support_team, billing_team, customer):
    easy = new_conversation(support_team, customer, "How do I change my address?")
    hard = new_conversation(
        support_team, customer, "Third time I'm writing, I already told you my account number."
    )
    for team in (billing_team, support_team, billing_team):
        actions.do_transfer(hard, agent, actions.Transfer(note="Passing on", to_team=team))
    easy.refresh_from_db()
    hard.refresh_from_db()
    assert hard.effort > easy.effort


def test_conversation_page_shows_signals(agent_client, support_team, customer):
    conversation = new_conversation(support_team, customer, FURIOUS)
    body = agent_client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    assert "needs relief" in body and "Effort of this conversation" in body


def test_api_exposes_signals_and_draft_promise_check(client, agent, support_team, customer):
    from herodesk.accounts.actions import do_create_token
    from herodesk.tests.openapi import assert_matches_schema

    _, raw = do_create_token(agent, "t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    conversation = new_conversation(support_team, customer, FURIOUS)
    path = f"/api/v1/signals/conversations/{conversation.pk}"
    response = client.get(path, **auth)
    assert_matches_schema("GET", path, response)
    assert response.json()["awaiting_relief"] is True
    draft = client.post(
        "/api/v1/signals/promises",
        {"text": "We'll look into it and get back to you soon."},
        content_type="application/json",
        **auth,
    )
    assert_matches_schema("POST", "/api/v1/signals/promises", draft)
    assert [p["kind"] for p in draft.json()["promises"]] == ["vague"]


def test_reason_is_suggested_from_tagged_history(support_team, customer, settings, tmp_path):
    from herodesk.conversations.models import ContactReason
    from herodesk.insights import reasons

    settings.DATA_DIR = tmp_path
    billing = ContactReason.objects.create(name="Billing")
    delivery = ContactReason.objects.create(name="Delivery")
    for i in range(6):
        ConversationFactory(
            team=support_team, contact_reason=billing, first_message=f"invoice charge refund {i}"
        )
        ConversationFactory(
            team=support_team, contact_reason=delivery, first_message=f"parcel courier late {i}"
        )
    assert reasons.retrain() == 12
    fresh = ConversationFactory(team=support_team, first_message="my parcel is late, where is the courier")
    reasons.suggest_for(fresh)
    fresh.refresh_from_db()
    assert fresh.suggested_reason == delivery and (fresh.suggested_reason_confidence or 0) > 0


def test_analysis_query_count_does_not_grow_with_thread_length(
    agent, conversation, django_assert_max_num_queries
):
    for i in range(3):
        actions.do_add_customer_message(
            conversation, actions.IncomingMessage(text=f"msg {i}", channel="email")
        )
    with django_assert_max_num_queries(25):
        insight_actions.analyse_conversation(conversation.pk)
    for i in range(20):
        actions.do_add_customer_message(
            conversation, actions.IncomingMessage(text=f"more {i}", channel="email")
        )
    with django_assert_max_num_queries(25):
        insight_actions.analyse_conversation(conversation.pk)
    assert Conversation.objects.get(pk=conversation.pk).effort is not None
    assert timezone.now()


def test_promises_page_lists_soonest_due_first_and_the_kept_rate_per_agent(
    agent_client, agent, conversation, support_team, customer
):
    other = ConversationFactory(team=support_team, customer=customer)
    actions.do_add_reply(conversation, agent, "We'll get back to you soon.")
    actions.do_add_reply(other, agent, "I will call you back within 2 hours.")
    body = agent_client.get(reverse("insights:promises")).content.decode()
    assert body.index("within 2 hours") < body.index("get back to you soon")
    assert 'id="promise-stats"' in body and "Ada" in body


def test_a_desk_analysed_before_hero_moments_were_recorded_gets_them_from_the_sweep(support_team, customer):
    from herodesk.insights.models import HeroMoment
    from herodesk.insights.tasks import track_untracked_hero_moments

    conversation = new_conversation(support_team, customer, FURIOUS)
    HeroMoment.objects.filter(conversation=conversation).delete()  # as on a desk upgraded to this version
    assert track_untracked_hero_moments.call_local() == 1
    assert HeroMoment.objects.filter(conversation=conversation).count() == 1
    assert track_untracked_hero_moments.call_local() == 0


@pytest.mark.parametrize("path", ["fast", "auto"])
def test_analysis_job_scores_customer_messages_on_the_configured_intensity_path(
    support_team, customer, settings, path
):
    from herodesk.signals import message as signals_message

    settings.INTENSITY_PATH = path
    conversation = new_conversation(support_team, customer, FURIOUS)
    stored = conversation.messages.get()
    stored.refresh_from_db()
    expected = signals_message.intensities([FURIOUS], path)[0]
    assert stored.intensity == pytest.approx(expected.score, abs=2e-3)
    assert stored.signals["reasons"] == expected.reasons
