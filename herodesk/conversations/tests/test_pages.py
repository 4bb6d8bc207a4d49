"""The agent's pages render, check access, and perform the main actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from herodesk.conversations.models import Conversation, Event, Message
from herodesk.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


def test_login_page_and_redirect_for_anonymous(client):
    response = client.get(reverse("conversations:inbox", args=["mine"]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.get(reverse("accounts:login")).status_code == 200


@pytest.mark.parametrize("view", ["mine", "unassigned", "team", "open", "pending", "snoozed", "resolved"])
def test_every_inbox_view_renders(agent_client, conversation, view):
    response = agent_client.get(reverse("conversations:inbox", args=[view]))
    assert response.status_code == 200


def test_unassigned_view_lists_the_new_conversation(agent_client, conversation):
    response = agent_client.get(reverse("conversations:inbox", args=["unassigned"]))
    assert conversation.subject in response.content.decode()


def test_unknown_inbox_view_is_404(agent_client):
    assert agent_client.get("/inbox/nope/").status_code == 404


def test_agent_of_another_team_gets_404(client, other_agent, conversation):
    client.force_login(other_agent)
    assert client.get(reverse("conversations:detail", args=[conversation.pk])).status_code == 404
    response = client.post(reverse("conversations:reply", args=[conversation.pk]), {"text": "hi"})
    assert response.status_code == 404
    assert not conversation.messages.filter(kind=Message.Kind.REPLY).exists()


def test_conversation_view_shows_thread_and_customer_history(
    agent_client, conversation, customer, support_team
):
    earlier = ConversationFactory(customer=customer, team=support_team, subject="Earlier billing question")
    response = agent_client.get(reverse("conversations:detail", args=[conversation.pk]))
    body = response.content.decode()
    assert conversation.subject in body
    assert earlier.subject in body
    assert "carla@example.com" in body


def test_reply_from_the_page_takes_ownership_and_opens(agent_client, agent, conversation):
    response = agent_client.post(
        reverse("conversations:reply", args=[conversation.pk]), {"text": "Hello Carla, I am on it."}
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.owner == agent
    assert conversation.status == Conversation.Status.OPEN
    assert conversation.first_response_at is not None
    assert conversation.messages.filter(kind=Message.Kind.REPLY).count() == 1


def test_transfer_without_note_is_refused_and_changes_nothing(agent_client, conversation, other_agent):
    response = agent_client.post(
        reverse("conversations:transfer", args=[conversation.pk]), {"to_owner": other_agent.pk, "note": ""}
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.owner is None
    assert not Event.objects.filter(kind=Event.Kind.TRANSFERRED).exists()


def test_transfer_with_note_records_the_hand_off(agent_client, conversation, billing_team):
    agent_client.post(
        reverse("conversations:transfer", args=[conversation.pk]),
        {"to_team": billing_team.pk, "note": "Refund approved, needs the billing run."},
    )
    conversation.refresh_from_db()
    assert conversation.team == billing_team
    event = Event.objects.get(kind=Event.Kind.TRANSFERRED)
    assert event.note == "Refund approved, needs the billing run."


def test_resolve_requires_contact_reason(agent_client, conversation):
    agent_client.post(reverse("conversations:status", args=[conversation.pk]), {"status": "resolved"})
    conversation.refresh_from_db()
    assert conversation.status != Conversation.Status.RESOLVED


def test_search_page_finds_by_message_text(agent_client, support_team, customer):
    ConversationFactory(
        team=support_team, customer=customer, subject="Parcel", first_message="My parcel is lost"
    )
    response = agent_client.get(reverse("conversations:search"), {"q": "parcel lost"})
    assert "Parcel" in response.content.decode()


def test_search_never_shows_other_teams_conversations(client, other_agent, conversation):
    client.force_login(other_agent)
    response = client.get(reverse("conversations:search"), {"q": "order"})
    assert conversation.subject not in response.content.decode()


def test_logging_in_through_the_form_lands_in_my_inbox(client, agent):
    from herodesk.tests.factories import PASSWORD

    response = client.post(reverse("accounts:login"), {"username": "ada", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/inbox/mine/"


def test_inbox_query_count_does_not_grow_with_the_number_of_rows(
    agent_client, support_team, django_assert_max_num_queries
):
    from herodesk.tests.factories import CustomerFactory

    def make(n):
        for i in range(n):
            ConversationFactory(
                team=support_team, customer=CustomerFactory(name="", email=f"c{i}-{n}@example.com")
            )

    make(3)
    agent_client.get(reverse("conversations:inbox", args=["open"]))  # warm the per-agent count cache
    with django_assert_max_num_queries(12):
        agent_client.get(reverse("conversations:inbox", args=["open"]))
    make(40)
    agent_client.get(reverse("conversations:inbox", args=["open"]))
    with django_assert_max_num_queries(12):
        response = agent_client.get(reverse("conversations:inbox", args=["open"]))
    assert response.content.decode().count("data-row") == 43


def test_inbox_rows_escape_customer_supplied_text(agent_client, support_team):
    from herodesk.tests.factories import CustomerFactory

    evil = CustomerFactory(name="<img src=x onerror=alert(1)>", email="evil@example.com")
    ConversationFactory(team=support_team, customer=evil, subject="<script>alert('x')</script>")
    body = agent_client.get(reverse("conversations:inbox", args=["open"])).content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;" in body
    assert "<img src=x" not in body


def test_times_are_shown_in_the_agents_team_time_zone(agent_client, support_team, conversation, agent):
    from datetime import timedelta

    from django.utils import timezone

    from herodesk.conversations import actions

    support_team.time_zone = "Asia/Tokyo"
    support_team.save()
    until = timezone.now().replace(hour=0, minute=30, second=0, microsecond=0) + timedelta(days=2)
    actions.do_snooze(conversation, agent, until)
    body = agent_client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    assert "09:30" in body  # 00:30 UTC is 09:30 in Tokyo


def test_earlier_conversations_show_only_what_the_agent_may_open_and_count_the_rest(
    agent_client, conversation, customer, support_team, billing_team
):
    """GIVEN Carla wrote to Support and twice to Billing WHEN Ada (Support) opens the Support conversation
    THEN the sidebar lists the Support one by subject, and only counts the two she cannot open."""
    mine = ConversationFactory(customer=customer, team=support_team, subject="Earlier delivery question")
    ConversationFactory(customer=customer, team=billing_team, subject="Card charged twice")
    ConversationFactory(customer=customer, team=billing_team, subject="Refund to IBAN")
    body = agent_client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    assert mine.subject in body
    assert "Card charged twice" not in body and "Refund to IBAN" not in body
    assert "2 more in teams you are not in" in body


def test_the_conversation_screen_reads_a_fixed_number_of_queries(
    agent_client, agent, support_team, django_assert_max_num_queries
):
    """Messages, attachments, events, promises, the customer's earlier conversations and the pickers: the
    screen's queries do not grow with any of them (19 at the last count; the pickers are kept per process)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from herodesk.conversations import actions

    conversation = ConversationFactory(team=support_team, owner=agent)
    url = reverse("conversations:detail", args=[conversation.pk])
    for i in range(12):
        upload = actions.AttachmentUpload.from_uploaded(SimpleUploadedFile(f"r{i}.txt", b"receipt"))
        actions.do_add_reply(conversation, agent, f"Update {i}: I will call you tomorrow at 10.", [upload])
        again = actions.IncomingMessage(text=f"Still waiting, third time asking ({i}).", channel="email")
        actions.do_add_customer_message(conversation, again)
        priority = Conversation.Priority.HIGH if i % 2 else Conversation.Priority.NORMAL
        actions.do_set_priority(conversation, agent, priority)
    for _ in range(6):
        ConversationFactory(team=support_team, customer=conversation.customer)
    # The per-process pickers are read once; warmed right before, as the setup above can outlast their
    # 30 s on a loaded machine.
    agent_client.get(url)
    with django_assert_max_num_queries(21):
        response = agent_client.get(url)
    assert response.status_code == 200 and "Update 11" in response.content.decode()


def test_the_thread_shows_every_part_of_a_message_escaped(agent_client, agent, conversation):
    """The thread is built in Python (views/fragments.py), not by the template: every part still shows,
    and the customer's and agent's words are escaped."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils.html import escape

    from herodesk.conversations import actions

    evil = '<script>alert("x")</script>'
    incoming = actions.IncomingMessage(text=f"Line one {evil}\nline two", channel="email")
    customer_message = actions.do_add_customer_message(conversation, incoming)
    Message.objects.filter(pk=customer_message.pk).update(
        full_text=f"Line one\n> quoted {evil}",
        intensity=0.8123,
        signals={"reasons": [], "behaviours": ["apology_or_empathy"]},
    )
    upload = actions.AttachmentUpload.from_uploaded(SimpleUploadedFile(f"{evil}.txt", b"receipt"))
    reply = actions.do_add_reply(conversation, agent, "We are on it.", [upload])
    Message.objects.filter(pk=reply.pk).update(send_status="failed", send_error=f"550 mailbox {evil}")

    body = agent_client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()

    assert "<script>alert" not in body
    assert '<li class="msg customer" id="m' in body
    assert "Line one &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>line two" in body
    assert '<pre class="original">Line one\n&gt; quoted &lt;script&gt;' in body
    assert '<span class="badge red">⚡ 0.81</span>' in body
    assert '<span class="chip">Apology or empathy</span>' in body
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    assert f'<span class="send failed" title="550 mailbox {escaped}">Failed: ' in body
    attachment = reply.attachments.get()
    assert f'href="{reverse("conversations:attachment", args=[attachment.pk])}"' in body
    assert f"📎 {escape(attachment.filename)}</a>" in body
    assert "<b>Carla Customer</b>" in body and f"<b>{agent.display_name}</b>" in body
