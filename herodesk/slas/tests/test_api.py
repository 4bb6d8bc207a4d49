"""The SLA API: a conversation's targets and promises; policies; access."""

from __future__ import annotations

import pytest

from herodesk.accounts.actions import do_create_token
from herodesk.conversations import actions as conv
from herodesk.slas.actions import PolicyFields, do_save_policy
from herodesk.tests.factories import ConversationFactory
from herodesk.tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, agent):
    _, raw = do_create_token(agent, "tests")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def get(api, path):
    response = api.get(path)
    assert_matches_schema("GET", path, response)
    return response


def test_conversation_sla_and_policies(api, lead, customer, support_team, billing_team):
    do_save_policy(lead, PolicyFields(name="Support", team_id=support_team.pk, first_reply_minutes=60))
    conversation = conv.do_create_conversation(
        conv.NewConversation(
            subject="Refund",
            channel="email",
            customer=customer,
            team=support_team,
            first_message=conv.IncomingMessage(text="Refund please", channel="email"),
        )
    )
    body = get(api, f"/api/v1/slas/conversations/{conversation.pk}").json()
    assert body["policy"] == "Support" and body["why"] == "Applies because team is Support"
    assert [t["kind"] for t in body["targets"]] == ["first_reply"]
    assert body["targets"][0]["target_minutes"] == 60 and body["next_due_at"] is not None
    assert body["promises"] == []
    assert get(api, "/api/v1/slas/policies").status_code == 403  # agents: as on the policies page
    _, raw = do_create_token(lead, "tests")
    api.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    policies = get(api, "/api/v1/slas/policies").json()
    assert policies[0]["conditions"] == ["team is Support"]


def test_other_teams_conversations_are_404(api, billing_team):
    hidden = ConversationFactory(team=billing_team)
    assert get(api, f"/api/v1/slas/conversations/{hidden.pk}").status_code == 404
    assert api.get("/api/v1/slas/conversations/99999999999999999999").status_code in (404, 422)
