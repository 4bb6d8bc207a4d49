"""Working as a team: hand-offs, assignment rules, history in words, collision hold, bulk, merge, split."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from herodesk.accounts.models import Team
from herodesk.conversations import actions, history, queries
from herodesk.conversations.actions import IncomingMessage, NewConversation, Transfer
from herodesk.conversations.models import Channel, ContactReason, Conversation, Event, Message
from herodesk.insights import signals_bridge
from herodesk.insights.models import Promise
from herodesk.notifications.models import Notification
from herodesk.tests.factories import AgentFactory, ConversationFactory

pytestmark = pytest.mark.django_db
Status = Conversation.Status


# --- Ownership and warm hand-offs -------------------------------------------------------------------


def test_a_pending_conversation_transferred_to_a_team_lands_in_its_pickup_queue(
    agent, other_agent, conversation, billing_team
):
    actions.do_add_reply(conversation, agent, "Could you send the order number?", then_status=Status.PENDING)
    actions.do_transfer(
        conversation, agent, Transfer(note="Refund question, order 1234", to_team=billing_team)
    )
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN and conversation.owner_id is None
    assert conversation.team == billing_team
    unassigned = queries.in_view(other_agent, "unassigned", queries.visible_conversations(other_agent))
    assert conversation in unassigned
    told = Notification.objects.get(recipient=other_agent, kind=Notification.Kind.TRANSFERRED)
    assert "Refund question" in told.text and told.conversation_id == conversation.pk


def test_a_transfer_to_an_agent_lands_in_their_mine_and_tells_them(agent, other_agent, conversation):
    actions.do_change_status(conversation, agent, Status.PENDING)
    actions.do_transfer(conversation, agent, Transfer(note="Please call her back", to_owner=other_agent))
    conversation.refresh_from_db()
    assert conversation.owner == other_agent and conversation.status == Status.OPEN
    assert conversation in queries.in_view(other_agent, "mine", queries.visible_conversations(other_agent))
    assert Notification.objects.filter(recipient=other_agent, kind=Notification.Kind.TRANSFERRED).exists()
    assert not Notification.objects.filter(recipient=agent).exists()  # never the actor


def test_the_handoff_note_shows_on_top_until_the_receiver_acts(
    client, agent, other_agent, conversation, billing_team
):
    actions.do_transfer(
        conversation, agent, Transfer(note="Double charge, refund promised", to_team=billing_team)
    )
    client.force_login(other_agent)
    page = client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    assert 'data-testid="handoff-note"' in page and "Double charge, refund promised" in page
    assert page.index("handoff-note") < page.index('class="thread"')
    assert "Hand-off from Ada" in page
    actions.do_add_note(conversation, other_agent, "Looking at it")
    page = client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    assert 'data-testid="handoff-note"' not in page


def test_got_it_acknowledges_the_handoff(client, agent, other_agent, conversation, billing_team):
    actions.do_transfer(conversation, agent, Transfer(note="Call back at 4", to_team=billing_team))
    client.force_login(other_agent)
    client.post(reverse("conversations:handoff_seen", args=[conversation.pk]))
    assert Event.objects.filter(conversation=conversation, kind=Event.Kind.HANDOFF_SEEN).exists()
    page = client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    assert 'data-testid="handoff-note"' not in page


def test_a_transfer_back_counts_a_bounce_back_and_feeds_effort(
    agent, other_agent, conversation, support_team, billing_team
):
    actions.do_transfer(conversation, agent, Transfer(note="Billing matter", to_team=billing_team))
    actions.do_transfer(conversation, other_agent, Transfer(note="Not billing, back", to_team=support_team))
    conversation.refresh_from_db()
    assert conversation.bounce_back_count == 1
    last = conversation.events.filter(kind=Event.Kind.TRANSFERRED).last()
    assert last is not None and last.data["bounce_back"] is True
    result = signals_bridge.effort_for(conversation, timezone.now())
    driver = next(d for d in result.drivers if d.name == "bounce_backs")
    assert "already left" in driver.detail
    rows = agent_client_rows(agent)
    assert "bounced 1×" in rows


def agent_client_rows(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get("/inbox/team/").content.decode()


def test_round_robin_assigns_in_turn_and_skips_away_agents(support_team, customer):
    support_team.assignment = Team.Assignment.ROUND_ROBIN
    support_team.save()
    ada = AgentFactory(username="ada", first_name="Ada", teams=[support_team])
    ben = AgentFactory(username="ben", first_name="Ben", teams=[support_team])
    cy = AgentFactory(username="cy", first_name="Cy", teams=[support_team], away=True)

    def new() -> Conversation:
        draft = NewConversation(
            subject="Hi", channel=Channel.EMAIL, customer=customer, team=support_team,
            first_message=IncomingMessage(text="Hello", channel=Channel.EMAIL),
        )  # fmt: skip
        return actions.do_create_conversation(draft)

    owners = [new().owner for _ in range(4)]
    assert owners == [ada, ben, ada, ben]
    assert cy not in owners
    assert Notification.objects.filter(recipient=ada, kind=Notification.Kind.ASSIGNED).exists()


def test_balanced_assignment_picks_the_least_loaded_available_agent(support_team, customer, billing_team):
    support_team.assignment = Team.Assignment.BALANCED
    support_team.save()
    busy = AgentFactory(username="busy", teams=[support_team])
    free = AgentFactory(username="free", teams=[support_team])
    for _ in range(2):
        ConversationFactory(team=support_team, owner=busy, status=Status.OPEN)
    conversation = ConversationFactory(team=billing_team, customer=customer)
    actions.do_transfer(conversation, busy, Transfer(note="For you, Support", to_team=support_team))
    conversation.refresh_from_db()
    assert conversation.owner == free
    free.away = True
    free.save()
    other = ConversationFactory(team=billing_team, customer=customer)
    actions.do_transfer(other, free, Transfer(note="Again", to_team=support_team))
    other.refresh_from_db()
    assert other.owner == busy


def test_availability_switch(client, agent):
    client.force_login(agent)
    client.post(reverse("accounts:availability"), {"away": "1", "next": "/inbox/mine/"})
    agent.refresh_from_db()
    assert agent.away is True
    client.post(reverse("accounts:availability"), {"away": "0"})
    agent.refresh_from_db()
    assert agent.away is False


def test_history_reads_in_words(agent, other_agent, conversation, billing_team):
    reason = ContactReason.objects.create(name="billing: double charge")
    actions.do_assign(conversation, other_agent, agent)
    actions.do_set_contact_reason(conversation, agent, reason)
    actions.do_set_priority(conversation, agent, Conversation.Priority.HIGH)
    actions.do_transfer(conversation, agent, Transfer(note="x", to_team=billing_team))
    lines = [line.text for line in history.sentences(list(conversation.events.order_by("created_at", "id")))]
    assert "Assigned by Otto to Ada" in lines
    assert "Contact reason set to billing: double charge by Ada" in lines
    assert "Priority changed by Ada from Normal to High" in lines
    assert any(line.startswith("Transferred by Ada from Support to Billing's queue") for line in lines)
    assert not any(str(agent.pk) in line.split() for line in lines)


# --- Collision -----------------------------------------------------------------------------------------


def test_a_reply_is_held_when_the_customer_wrote_since_the_agent_looked(agent, conversation):
    seen = conversation.messages.last().pk
    actions.do_add_customer_message(conversation, IncomingMessage(text="Any news?", channel=Channel.EMAIL))
    with pytest.raises(actions.SendHeld) as held:
        actions.do_add_reply(conversation, agent, "We are on it", seen_up_to=seen)
    assert len(held.value.new_message_ids) == 1
    assert not conversation.messages.filter(kind=Message.Kind.REPLY).exists()
    newest = conversation.messages.order_by("-pk").first().pk
    actions.do_add_reply(conversation, agent, "We are on it", seen_up_to=newest)
    assert conversation.messages.filter(kind=Message.Kind.REPLY).count() == 1


def test_the_second_of_two_racing_replies_is_held_and_the_page_shows_why(client, agent, lead, conversation):
    seen = conversation.messages.last().pk
    actions.do_add_reply(conversation, lead, "Lena here, refund is on its way", seen_up_to=seen)
    client.force_login(agent)
    response = client.post(
        reverse("conversations:reply", args=[conversation.pk]), {"text": "Ada here!", "seen_message": seen}
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="send-held"' in body
    assert "Ada here!" in body and "Send anyway" in body and 'data-testid="unseen-message"' in body
    assert conversation.messages.filter(kind=Message.Kind.REPLY).count() == 1
    newest = conversation.messages.order_by("-pk").first().pk
    client.post(
        reverse("conversations:reply", args=[conversation.pk]), {"text": "Ada here!", "seen_message": newest}
    )
    assert conversation.messages.filter(kind=Message.Kind.REPLY).count() == 2


def test_own_replies_and_notes_do_not_hold(agent, lead, conversation):
    seen = conversation.messages.last().pk
    actions.do_add_note(conversation, lead, "FYI checked the warehouse")
    actions.do_add_reply(conversation, agent, "First", seen_up_to=seen)
    actions.do_add_reply(conversation, agent, "Second", seen_up_to=seen)  # own reply: not held


# --- Honest flash -------------------------------------------------------------------------------------


def test_the_flash_says_queued_or_not_sent(client, agent, support_team):
    client.force_login(agent)
    conversation = ConversationFactory(team=support_team, customer=None)
    response = client.post(
        reverse("conversations:reply", args=[conversation.pk]), {"text": "Hi"}, follow=True
    )
    body = response.content.decode()
    assert "Reply sent." not in body
    assert "Reply saved but not sent: this conversation has no customer" in body
    assert "Not sent to the customer" in body


# --- Bulk, merge and split ------------------------------------------------------------------------------


def test_bulk_transfer_is_one_action_with_an_event_per_conversation(
    client, agent, other_agent, support_team, billing_team, customer
):
    picked = [ConversationFactory(team=support_team, customer=customer) for _ in range(3)]
    client.force_login(agent)
    response = client.post(
        reverse("conversations:bulk"),
        {"ids": [c.pk for c in picked], "action": "transfer", "to_team": billing_team.pk,
         "note": "All about invoices", "next": "/inbox/team/"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/inbox/team/"
    for conversation in picked:
        conversation.refresh_from_db()
        assert conversation.team == billing_team
        event = conversation.events.get(kind=Event.Kind.TRANSFERRED)
        assert event.note == "All about invoices"


def test_bulk_is_all_or_nothing(client, agent, support_team, customer):
    fine = ConversationFactory(team=support_team, customer=customer)
    fine.contact_reason = ContactReason.objects.create(name="other")
    fine.save()
    missing_reason = ConversationFactory(team=support_team, customer=customer)
    client.force_login(agent)
    client.post(reverse("conversations:bulk"), {"ids": [fine.pk, missing_reason.pk], "action": "status",
                                                "status": "resolved"})  # fmt: skip
    fine.refresh_from_db()
    assert fine.status == Status.NEW  # rolled back with the other one


def test_bulk_ignores_conversations_the_agent_cannot_see(client, other_agent, conversation):
    client.force_login(other_agent)
    client.post(
        reverse("conversations:bulk"), {"ids": [conversation.pk], "action": "priority", "priority": 4}
    )
    conversation.refresh_from_db()
    assert conversation.priority == Conversation.Priority.NORMAL


def test_bulk_tag_and_keyboard_checkboxes_on_the_inbox(client, agent, support_team, customer):
    one = ConversationFactory(team=support_team, customer=customer)
    client.force_login(agent)
    page = client.get("/inbox/team/").content.decode()
    assert 'data-testid="bulk-bar"' in page and f'value="{one.pk}" form="bulk-form"' in page
    client.post(reverse("conversations:bulk"), {"ids": [one.pk], "action": "tag", "tag": "vip"})
    assert one.tag_names == ["vip"]


def test_merge_moves_messages_promises_and_events_and_redirects(client, agent, conversation, customer):
    other = ConversationFactory(customer=customer, team=conversation.team, subject="Same order again")
    reply = actions.do_add_reply(other, agent, "Noted.")
    Promise.objects.create(
        conversation=other, message=reply, owner=agent, text="call you tomorrow", kind="specific",
        due_at=timezone.now() + timedelta(days=1), created_at=timezone.now(),
    )  # fmt: skip
    client.force_login(agent)
    client.post(reverse("conversations:merge", args=[other.pk]), {"into": conversation.pk, "confirm": "on"})
    other.refresh_from_db()
    assert other.merged_into == conversation and other.status == Status.CLOSED
    assert conversation.messages.count() == 3 and not other.messages.exists()
    assert set(Promise.objects.values_list("conversation", flat=True)) == {conversation.pk}
    assert conversation.events.filter(kind=Event.Kind.MERGED_FROM).exists()
    response = client.get(reverse("conversations:detail", args=[other.pk]))
    assert response.status_code == 302 and response["Location"] == f"/c/{conversation.pk}/"


def test_merge_refuses_another_customer(agent, conversation, support_team):
    stranger = ConversationFactory(team=support_team, customer=None)
    with pytest.raises(actions.ActionError):
        actions.do_merge_conversations(conversation, stranger, agent)


def test_split_moves_one_message_into_a_new_conversation(client, agent, conversation):
    second = actions.do_add_customer_message(
        conversation, IncomingMessage(text="Also: my password reset fails", channel=Channel.EMAIL)
    )
    client.force_login(agent)
    response = client.post(reverse("conversations:split", args=[conversation.pk]), {"message": second.pk})
    second.refresh_from_db()
    new = second.conversation
    assert new.pk != conversation.pk and response["Location"] == f"/c/{new.pk}/"
    assert new.customer == conversation.customer and new.subject == "Also: my password reset fails"
    assert conversation.messages.count() == 1
    assert conversation.events.filter(kind=Event.Kind.SPLIT_OFF).exists()


def test_the_api_holds_a_reply_on_unseen_messages(agent_client, conversation):
    seen = conversation.messages.last().pk
    actions.do_add_customer_message(conversation, IncomingMessage(text="Hello??", channel=Channel.EMAIL))
    url = f"/api/v1/conversations/{conversation.pk}/messages"
    held = agent_client.post(url, {"text": "On it", "seen_message_id": seen}, content_type="application/json")
    assert held.status_code == 422 and "Not sent" in held.json()["error"]["message"]
    newest = conversation.messages.order_by("-pk").first().pk
    payload = {"text": "On it", "seen_message_id": newest}
    sent = agent_client.post(url, payload, content_type="application/json")
    assert sent.status_code == 201


def test_the_api_merges_and_splits(agent_client, conversation, customer):
    other = ConversationFactory(customer=customer, team=conversation.team, subject="Second mail")
    url = f"/api/v1/conversations/{other.pk}/merge"
    merged = agent_client.post(url, {"into_id": conversation.pk}, content_type="application/json")
    assert merged.status_code == 200 and merged.json()["id"] == conversation.pk
    message = conversation.messages.order_by("pk").last()
    url = f"/api/v1/conversations/{conversation.pk}/split"
    split = agent_client.post(url, {"message_id": message.pk}, content_type="application/json")
    assert split.status_code == 201 and split.json()["id"] not in (conversation.pk, other.pk)
    missing = agent_client.post(url, {"message_id": 999999}, content_type="application/json")
    assert missing.status_code == 422


def test_a_thread_whose_ids_are_not_in_time_order_is_not_held_on_opening(client, agent, conversation):
    """Imported threads (and the demo) can have an earlier message with a higher id: what the page says
    the agent saw is the highest id shown, so nothing counts as new right after opening."""
    from datetime import timedelta

    from herodesk.conversations.models import Message as MessageModel

    first = conversation.messages.get()
    late_id = actions.do_add_customer_message(
        conversation, IncomingMessage(text="Sent earlier, imported later", channel=Channel.EMAIL)
    ).pk
    MessageModel.objects.filter(pk=late_id).update(created_at=first.created_at - timedelta(hours=1))
    client.force_login(agent)
    page = client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    assert f'name="seen_message" value="{late_id}"' in page
    response = client.post(
        reverse("conversations:reply", args=[conversation.pk]), {"text": "On it", "seen_message": late_id}
    )
    assert response.status_code == 302
