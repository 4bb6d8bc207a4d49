"""The SLA on the inbox row (time left, sort) and on the conversation screen (banner, side card)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from herodesk.conversations import actions as conv
from herodesk.slas.actions import PolicyFields, do_save_policy, do_sync_targets

pytestmark = pytest.mark.django_db


@pytest.fixture
def always_open(support_team):
    support_team.weekend_open = True
    support_team.opens_at = support_team.closes_at = time(0)  # 00:00-24:00
    support_team.save()
    return support_team


def new(customer, team, subject: str):
    return conv.do_create_conversation(
        conv.NewConversation(
            subject=subject,
            channel="email",
            customer=customer,
            team=team,
            first_message=conv.IncomingMessage(text="Help", channel="email"),
        )
    )


def test_rows_show_time_left_and_sort_by_deadline(
    agent_client, customer, always_open, lead, django_assert_max_num_queries
):
    do_save_policy(lead, PolicyFields(name="Standard", first_reply_minutes=60, warn_before_minutes=30))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        new(customer, always_open, "Older question")
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        new(customer, always_open, "Newer question")
    with time_machine.travel(start + timedelta(minutes=45), tick=False):
        url = reverse("conversations:inbox", args=["open"])
        agent_client.get(url + "?sort=due")
        with django_assert_max_num_queries(12):
            by_due = agent_client.get(url + "?sort=due").content.decode()
        recent = agent_client.get(url).content.decode()
    assert "⏱ 15 min left" in by_due and "⏱ 45 min left" in by_due
    assert by_due.index("Older question") < by_due.index("Newer question")
    assert recent.index("Newer question") < recent.index("Older question")


def test_overdue_shows_on_the_row_and_the_conversation(agent_client, customer, always_open, lead):
    do_save_policy(lead, PolicyFields(name="Gold", first_reply_minutes=60, resolution_minutes=600))
    conversation = new(customer, always_open, "Parcel lost")
    with time_machine.travel(timezone.now() + timedelta(minutes=90), tick=False):
        do_sync_targets(conversation.pk)
        inbox = agent_client.get(reverse("conversations:inbox", args=["open"])).content.decode()
        detail = agent_client.get(f"/c/{conversation.pk}/").content.decode()
    assert "⏱ 30 min overdue" in inbox
    assert 'data-testid="sla-banner"' in detail and "First reply" in detail
    assert 'data-testid="sla-card"' in detail
    assert "The default policy (no conditions)" in detail


def test_a_bad_sort_cursor_is_a_404(agent_client):
    response = agent_client.get(
        reverse("conversations:inbox", args=["open"]) + "?sort=due&cursor=Wyx4IiwgMV0"
    )
    assert response.status_code == 404
