"""API writes check access before they write: no commit followed by a 404."""

from __future__ import annotations

import pytest

from herodesk.accounts.actions import do_create_token
from herodesk.conversations.models import Conversation
from herodesk.customers.models import Customer
from herodesk.tests.factories import AgentFactory
from herodesk.tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db


def _call(client, user, method, path, body):
    _, raw = do_create_token(user, "tests")
    response = getattr(client, method.lower())(
        path, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert_matches_schema(method, path, response)
    return response


NEW = {"subject": "Refund", "text": "Please refund me", "customer_email": "new@example.com"}


def test_creating_in_a_team_you_are_not_in_is_refused_and_writes_nothing(client, agent, billing_team):
    response = _call(client, agent, "POST", "/api/v1/conversations", {**NEW, "team_id": billing_team.pk})
    assert response.status_code == 403
    assert response.json()["error"]["status"] == 403
    assert not Conversation.objects.exists()
    assert not Customer.objects.exists()


def test_an_agent_without_a_team_cannot_create_a_conversation_nobody_lets_them_see(client, billing_team):
    loner = AgentFactory(username="lone")
    response = _call(client, loner, "POST", "/api/v1/conversations", NEW)
    assert response.status_code == 403
    assert not Conversation.objects.exists()


def test_creating_in_your_own_team_works(client, agent, support_team):
    response = _call(client, agent, "POST", "/api/v1/conversations", {**NEW, "team_id": support_team.pk})
    assert response.status_code == 201
    assert response.json()["team_id"] == support_team.pk


def test_an_admin_creates_in_any_team(client, admin_user, billing_team):
    response = _call(client, admin_user, "POST", "/api/v1/conversations", {**NEW, "team_id": billing_team.pk})
    assert response.status_code == 201


def test_an_unknown_team_is_a_422(client, agent):
    response = _call(client, agent, "POST", "/api/v1/conversations", {**NEW, "team_id": 987654})
    assert response.status_code == 422
    assert not Conversation.objects.exists()


def test_a_transfer_out_of_your_teams_answers_with_what_you_wrote(client, agent, conversation, billing_team):
    """GIVEN Ada sees a Support conversation WHEN she transfers it to Billing THEN the answer is 200 with
    the new team (not a 404 for a change that did commit), and afterwards it is out of her sight."""
    body = {"team_id": billing_team.pk, "handoff_note": "Refund needs the billing run."}
    response = _call(client, agent, "PATCH", f"/api/v1/conversations/{conversation.pk}", body)
    assert response.status_code == 200
    assert response.json()["team_id"] == billing_team.pk
    later = _call(client, agent, "GET", f"/api/v1/conversations/{conversation.pk}", None)
    assert later.status_code == 404
