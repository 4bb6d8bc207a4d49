"""De-escalation help: the compose box shows what helps with an upset customer and checks the draft."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from herodesk.accounts.actions import do_create_token
from herodesk.conversations.models import Message
from herodesk.slas.deescalation import check_draft
from herodesk.tests.factories import ConversationFactory
from herodesk.tests.openapi import assert_matches_schema

NOW = datetime(2026, 5, 11, 10, tzinfo=UTC)  # a Monday morning


def points(text: str) -> dict[str, bool]:
    return {p.key: p.ok for p in check_draft(text, NOW)}


def test_a_calming_reply_passes_every_point():
    draft = (
        "I'm so sorry, I understand how stressful this is with your flight so close. "
        "I will email your new boarding pass by 10:30 today. We can't refund the fare, "
        "but I can waive the change fee instead."
    )
    assert points(draft) == dict.fromkeys(
        ("acknowledge", "next_step", "closed_questions", "no_blame", "can_do"), True
    )


def test_a_defensive_reply_is_explained_point_by_point():
    found = {
        p.key: p
        for p in check_draft("You should have read the terms. Why did you book that? We cannot help.", NOW)
    }
    assert not found["acknowledge"].ok and not found["next_step"].ok
    assert not found["closed_questions"].ok and found["closed_questions"].evidence == [
        "Why did you book that?"
    ]
    assert not found["no_blame"].ok and found["no_blame"].evidence
    assert not found["can_do"].ok and "can do instead" in found["can_do"].explanation
    # a next step without a time is told to add one
    assert "no time" in {p.key: p for p in check_draft("I will look into it.", NOW)}["next_step"].explanation


@pytest.mark.django_db
def test_compose_shows_help_only_for_an_intense_last_message(agent_client, conversation):
    Message.objects.filter(conversation=conversation).update(intensity=0.2)
    assert 'data-testid="deescalate"' not in agent_client.get(f"/c/{conversation.pk}/").content.decode()
    Message.objects.filter(conversation=conversation, kind="customer").update(intensity=0.85)
    page = agent_client.get(f"/c/{conversation.pk}/").content.decode()
    assert 'data-testid="deescalate"' in page and "Acknowledge first" in page


@pytest.mark.django_db
def test_the_api_checks_a_draft_and_hides_other_teams(client, agent, conversation, billing_team):
    _, raw = do_create_token(agent, "tests")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    Message.objects.filter(conversation=conversation, kind="customer").update(intensity=0.9)
    path = "/api/v1/slas/deescalation"
    draft = {"conversation_id": conversation.pk, "text": "Sorry! I will call you by 3pm."}
    response = client.post(path, draft, content_type="application/json")
    assert_matches_schema("POST", path, response)
    body = response.json()
    assert body["intense"] is True and len(body["points"]) == 5
    hidden = ConversationFactory(team=billing_team)
    response = client.post(path, {"conversation_id": hidden.pk, "text": "x"}, content_type="application/json")
    assert response.status_code == 404
