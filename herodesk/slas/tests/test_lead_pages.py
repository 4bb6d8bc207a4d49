"""Lead pages: policies (create, edit, delete, access) and the report with its CSV."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import time_machine
from django.utils import timezone

from herodesk.conversations import actions as conv
from herodesk.slas.actions import PolicyFields, do_save_policy
from herodesk.slas.models import SlaPolicy
from herodesk.slas.queries import percentile

pytestmark = pytest.mark.django_db


def test_agents_may_not_open_the_lead_pages(agent_client):
    assert agent_client.get("/slas/").status_code == 403
    assert agent_client.get("/slas/policies/").status_code == 403
    assert agent_client.post("/slas/policies/", {"name": "x"}).status_code == 403


def test_a_lead_creates_edits_and_deletes_a_policy(client, lead, support_team):
    client.force_login(lead)
    form = {
        "name": "Support standard", "position": "10", "active": "on", "team": support_team.pk, "priority": "",
        "channel": "", "first_reply_minutes": "120", "next_reply_minutes": "240", "resolution_minutes": "",
        "warn_before_minutes": "30",
    }  # fmt: skip
    assert client.post("/slas/policies/", form).status_code == 302
    policy = SlaPolicy.objects.get()
    page = client.get("/slas/policies/").content.decode()
    assert "Team is Support" in page and "2 h" in page
    assert (
        client.post(f"/slas/policies/{policy.pk}/", {**form, "first_reply_minutes": "60"}).status_code == 302
    )
    policy.refresh_from_db()
    assert policy.first_reply_minutes == 60
    assert client.post(f"/slas/policies/{policy.pk}/delete/").status_code == 302
    assert not SlaPolicy.objects.exists()


def test_a_policy_without_targets_is_refused_with_a_message(client, lead):
    client.force_login(lead)
    response = client.post("/slas/policies/", {"name": "Empty", "position": "1", "warn_before_minutes": "30"})
    assert response.status_code == 200
    assert "Set at least one target." in response.content.decode()
    assert client.get("/slas/policies/999/").status_code == 404


def test_report_counts_met_and_breached_with_business_times(client, lead, agent, customer, support_team):
    support_team.weekend_open = True
    support_team.opens_at = support_team.closes_at = time(0)
    support_team.save()
    do_save_policy(lead, PolicyFields(name="Fast", first_reply_minutes=60))
    start = timezone.now() - timedelta(days=1)
    for minutes in (30, 90):
        with time_machine.travel(start, tick=False):
            conversation = conv.do_create_conversation(
                conv.NewConversation(
                    subject="Hi", channel="email", customer=customer, team=support_team,
                    first_message=conv.IncomingMessage(text="Hello", channel="email"),
                )
            )  # fmt: skip
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            conv.do_add_reply(conversation, agent, "Hello!")
    client.force_login(lead)
    page = client.get("/slas/?group=agent").content.decode()
    assert "Ada" in page and "30 min" in page and "1 h 30 min" in page
    csv = client.get("/slas/?group=policy&format=csv").content.decode().splitlines()
    assert csv[0].startswith("Policy,targets,met,breached")
    assert csv[1].split(",")[:4] == ["Fast", "2", "1", "1"]
    assert client.get("/slas/?weeks=9999").status_code == 400


def test_percentile_is_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([5], 90) == 5
    assert percentile([1, 2, 3, 4], 50) == 2
    assert percentile(list(range(1, 11)), 90) == 9
