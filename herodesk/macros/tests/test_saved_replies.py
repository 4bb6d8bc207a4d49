"""Saved replies: who sees and writes them, variables, due times that become promises, actions on send."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from herodesk.accounts.models import Holiday
from herodesk.channels.webform.actions import do_issue_link
from herodesk.conversations.models import ContactReason, Conversation, Event
from herodesk.errors import ActionError
from herodesk.insights.models import Promise
from herodesk.macros import actions, queries
from herodesk.macros.models import SavedReply
from herodesk.tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db
# Monday 2 December 2024, 10:00 UTC: the next business day is Tuesday 3 December.
MONDAY = datetime(2024, 12, 2, 10, 0, tzinfo=UTC)


def team_reply(lead, team, body="Hi {first_name}, thanks for writing.", **changes):
    draft = actions.SavedReplyDraft(title=changes.pop("title", "Thanks"), body=body, team=team, **changes)
    return actions.do_create_saved_reply(lead, draft)


def personal_reply(agent, body="Cheers, {agent_name}", title="Sign-off"):
    return actions.do_create_saved_reply(agent, actions.SavedReplyDraft(title=title, body=body))


def render_for(client, reply, conversation):
    url = f"/api/v1/saved-replies/{reply.pk}/render"
    return client.post(url, {"conversation_id": conversation.pk}, content_type="application/json")


def test_agent_sees_own_personal_and_own_teams_replies_only(
    agent, other_agent, lead, support_team, billing_team
):
    mine = personal_reply(agent)
    theirs = personal_reply(other_agent, title="Otto's")
    support = team_reply(lead, support_team)
    billing_lead = AgentFactory(username="bill", role="lead", teams=[billing_team])
    billing = team_reply(billing_lead, billing_team, title="Billing thanks")
    visible = set(queries.visible_saved_replies(agent))
    assert visible == {mine, support}
    assert theirs not in visible and billing not in visible


def test_only_a_lead_of_the_team_writes_its_replies(agent, lead, billing_team, support_team):
    with pytest.raises(ActionError) as refused:
        team_reply(agent, support_team)
    assert "team" in refused.value.fields
    with pytest.raises(ActionError):
        team_reply(lead, billing_team)


def test_unknown_variable_is_refused_when_saved(agent):
    with pytest.raises(ActionError) as refused:
        personal_reply(agent, body="Hello {firstname}")
    assert "{firstname}" in refused.value.fields["body"]


def test_render_fills_name_agent_and_number(agent_client, agent, conversation):
    reply = personal_reply(agent, body="Hi {first_name}, this is {agent_name} about {conversation_number}.")
    body = render_for(agent_client, reply, conversation).json()
    assert body["text"] == f"Hi Carla, this is Ada about #{conversation.pk}."
    assert body["warnings"] == []


def test_status_link_without_a_status_page_is_empty_with_a_warning(agent_client, agent, conversation):
    reply = personal_reply(agent, body="Follow it here: {status_link}")
    body = render_for(agent_client, reply, conversation).json()
    assert body["text"] == "Follow it here: " and "{" not in body["text"]
    assert "no status page" in body["warnings"][0]


def test_status_link_of_a_web_form_conversation_is_a_working_link(agent_client, client, agent, conversation):
    do_issue_link(conversation)
    reply = personal_reply(agent, body="Follow it here: {status_link}")
    text = render_for(agent_client, reply, conversation).json()["text"]
    path = text.split("Follow it here: ")[1].split("://", 1)[1].split("/", 1)[1]
    agent_client.logout()
    assert client.get("/" + path).status_code == 200


@time_machine.travel(MONDAY, tick=False)
def test_due_expression_becomes_a_tracked_promise_with_that_due_time(agent_client, agent, lead, conversation):
    """GIVEN a team reply promising a call "by {next business day 16:00}"
    WHEN an agent inserts and sends it
    THEN the customer reads the date and time, and a specific Promise is due exactly then."""
    reply = team_reply(lead, conversation.team, body="I will call you back by {next business day 16:00}.")
    rendered = render_for(agent_client, reply, conversation).json()
    assert rendered["text"] == "I will call you back by Tuesday 3 December at 16:00."
    response = agent_client.post(
        reverse("macros:send", args=[conversation.pk]), {"text": rendered["text"], "saved_reply": reply.pk}
    )
    assert response.status_code == 302
    promise = Promise.objects.get(conversation=conversation)
    assert promise.kind == Promise.Kind.SPECIFIC
    assert promise.due_at == datetime(2024, 12, 3, 16, 0, tzinfo=UTC)


@time_machine.travel(MONDAY, tick=False)
def test_due_time_is_in_the_teams_zone_and_skips_the_weekend(agent, lead, conversation):
    team = conversation.team
    team.time_zone = "Europe/Berlin"
    team.save()
    friday = datetime(2024, 12, 6, 15, 0, tzinfo=UTC)
    context = queries.reply_context(conversation, agent, friday)
    from herodesk.macros.render import render

    rendered = render("by {next business day 16:00}", context)
    assert rendered.text == "by Monday 9 December at 16:00"
    assert rendered.due_at == [datetime(2024, 12, 9, 15, 0, tzinfo=UTC)]


@time_machine.travel(MONDAY, tick=False)
def test_due_time_skips_the_teams_holidays(agent, conversation):
    Holiday.objects.create(team=conversation.team, date=date(2024, 12, 3), name="Staff day")
    from herodesk.macros.render import render

    rendered = render("by {next business day 16:00}", queries.reply_context(conversation, agent, MONDAY))
    assert rendered.text == "by Wednesday 4 December at 16:00"


def test_vague_promise_is_flagged_with_the_specific_rewrite(agent_client):
    response = agent_client.post(
        reverse("macros:create"), {"title": "Later", "body": "We will get back to you soon."}, follow=True
    )
    text = response.content.decode()
    assert "promises without a time" in text
    assert "by {next business day 16:00}" in text


def test_sending_applies_the_actions_and_counts_the_use(
    agent_client, agent, lead, conversation, billing_team
):
    reason = ContactReason.objects.create(name="Delivery: late parcel")
    reply = team_reply(
        lead,
        conversation.team,
        body="Sorry {first_name}, I am passing this to billing.",
        add_tags="refund, late",
        contact_reason=reason,
        transfer_to=billing_team,
        transfer_note="Customer wants the shipping fee back.",
    )
    agent_client.post(
        reverse("macros:send", args=[conversation.pk]),
        {"text": "Sorry Carla, passing this on.", "saved_reply": reply.pk},
    )
    conversation.refresh_from_db()
    assert conversation.team == billing_team
    assert conversation.contact_reason == reason
    assert set(conversation.tag_names) == {"refund", "late"}
    assert conversation.messages.filter(kind="reply").count() == 1
    transfer = Event.objects.get(conversation=conversation, kind=Event.Kind.TRANSFERRED)
    assert transfer.note == "Customer wants the shipping fee back."
    reply.refresh_from_db()
    assert reply.usage_count == 1 and reply.last_used_at is not None


def test_a_failing_action_sends_nothing(agent_client, agent, lead, conversation):
    """Resolving needs a contact reason: the reply is not sent and the use is not counted."""
    reply = team_reply(lead, conversation.team, body="All done!", set_status="resolved")
    response = agent_client.post(
        reverse("macros:send", args=[conversation.pk]),
        {"text": "All done!", "saved_reply": reply.pk},
        follow=True,
    )
    assert "Choose a contact reason before resolving." in response.content.decode()
    assert not conversation.messages.filter(kind="reply").exists()
    reply.refresh_from_db()
    assert reply.usage_count == 0
    assert Conversation.objects.get(pk=conversation.pk).status == "new"


def test_someone_elses_personal_reply_cannot_be_used_or_edited(client, agent, other_agent, conversation):
    otto = personal_reply(other_agent, title="Otto's")
    client.force_login(agent)
    assert render_for(client, otto, conversation).status_code == 404
    assert client.get(reverse("macros:edit", args=[otto.pk])).status_code == 404
    send = client.post(reverse("macros:send", args=[conversation.pk]), {"text": "x", "saved_reply": otto.pk})
    assert send.status_code == 404


def test_agent_cannot_edit_a_team_reply(agent_client, lead, support_team):
    reply = team_reply(lead, support_team)
    response = agent_client.post(reverse("macros:delete", args=[reply.pk]), follow=True)
    assert SavedReply.objects.filter(pk=reply.pk).exists()
    assert "Only its owner, or a lead of its team" in response.content.decode()


def test_api_search_filters_by_words(agent_client, agent, lead, support_team):
    team_reply(lead, support_team, title="Refund on its way", body="Your refund is on its way.")
    team_reply(lead, support_team, title="Password reset", body="Use the reset link.")
    rows = agent_client.get("/api/v1/saved-replies?q=refund").json()
    assert [row["title"] for row in rows] == ["Refund on its way"]
    assert rows[0]["scope"] == "Support"


def test_huge_numbers_are_a_client_error(agent_client, agent, conversation):
    reply = personal_reply(agent)
    huge = "99999999999999999999999"
    assert agent_client.post(
        f"/api/v1/saved-replies/{huge}/render",
        {"conversation_id": conversation.pk},
        content_type="application/json",
    ).status_code in (404, 422)
    assert render_for(agent_client, reply, conversation).status_code == 200
    bad = agent_client.post(
        f"/api/v1/saved-replies/{reply.pk}/render",
        {"conversation_id": int(huge)},
        content_type="application/json",
    )
    assert bad.status_code == 422
    send = agent_client.post(
        reverse("macros:send", args=[conversation.pk]), {"text": "x", "saved_reply": huge}
    )
    assert send.status_code == 302 and not conversation.messages.filter(kind="reply").exists()


def test_usage_counts_show_to_leads_not_agents(client, agent, lead, support_team):
    reply = team_reply(lead, support_team)
    SavedReply.objects.filter(pk=reply.pk).update(usage_count=7)
    client.force_login(lead)
    assert "7 times" in client.get(reverse("macros:list")).content.decode()
    client.force_login(agent)
    assert "7 times" not in client.get(reverse("macros:list")).content.decode()


def test_list_page_query_count_does_not_grow(client, lead, support_team, django_assert_max_num_queries):
    for n in range(12):
        team_reply(lead, support_team, title=f"Reply {n}")
    client.force_login(lead)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("macros:list")).status_code == 200


def test_compose_box_offers_saved_replies(agent_client, conversation):
    page = agent_client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    assert "data-saved-replies" in page and "herodesk/macros.js" in page
    assert reverse("macros:send", args=[conversation.pk]) in page


def test_team_lookup_needs_no_unused_team(lead):
    assert [team.name for team in queries.teams_led_by(lead)] == ["Support"]
    assert TeamFactory(name="Other") not in queries.teams_led_by(lead)


def test_picker_search_query_count_does_not_grow(
    agent_client, agent, lead, support_team, django_assert_max_num_queries
):
    for n in range(15):
        team_reply(
            lead, support_team, title=f"Reply {n}", transfer_to=support_team, transfer_note="Over to you."
        )
    with django_assert_max_num_queries(6):
        assert len(agent_client.get("/api/v1/saved-replies?limit=50").json()) == 15


def test_a_saved_reply_is_held_when_the_customer_wrote_meanwhile(client, agent, conversation):
    """The collision check lives in do_add_reply, so every way of sending passes through it."""
    from django.utils import timezone

    from herodesk.conversations.actions import IncomingMessage, do_add_customer_message
    from herodesk.macros.models import SavedReply

    reply = SavedReply.objects.create(
        owner=agent,
        title="Thanks",
        body="Thanks for waiting.",
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    seen = conversation.messages.order_by("-pk").first().pk
    do_add_customer_message(conversation, IncomingMessage(text="Hello? Anyone?", channel="email"))
    client.force_login(agent)
    client.post(
        f"/saved-replies/send/{conversation.pk}/",
        {"text": "Thanks for waiting.", "saved_reply": reply.pk, "seen_message": seen},
    )
    assert not conversation.messages.filter(kind="reply").exists()
