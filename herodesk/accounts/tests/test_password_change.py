"""A logged-in agent changes their own password: the old one is required, weak ones are refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from herodesk.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "a-much-longer-passphrase-2026"


def test_the_password_screen_needs_a_login(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_agent_changes_their_password_and_stays_logged_in(agent_client, agent):
    assert "Change your password" in agent_client.get(reverse("accounts:password_change")).content.decode()
    response = agent_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password(NEW)
    assert agent_client.get(reverse("conversations:inbox", args=["mine"])).status_code == 200


@pytest.mark.parametrize(
    ("old", "new"), [("wrong-old-password", NEW), (PASSWORD, "password"), (PASSWORD, "short")]
)
def test_a_wrong_old_or_weak_new_password_changes_nothing(agent_client, agent, old, new):
    response = agent_client.post(
        reverse("accounts:password_change"), {"old_password": old, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 200
    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)
