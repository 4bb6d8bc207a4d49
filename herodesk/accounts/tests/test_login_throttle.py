"""Failed logins pause logging in, by account and by network address, and the login page says so."""

from __future__ import annotations

import pytest
import time_machine

from herodesk.accounts.models import LoginFailure
from herodesk.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    settings.LOGIN_LOCKOUT_MINUTES = 15


def _login(client, username, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_wrong_passwords_lock_the_account_even_for_the_right_password(client, agent):
    for _ in range(3):
        assert _login(client, "ada", "wrong").status_code == 200
    response = _login(client, "ada", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_account_lock_holds_from_another_address_and_ends_after_the_window(client, agent):
    for _ in range(3):
        _login(client, "ADA", "wrong", address="198.51.100.1")
    assert _login(client, "ada", PASSWORD, address="198.51.100.2").status_code == 429
    with time_machine.travel("2099-01-01", tick=False):
        assert _login(client, "ada", PASSWORD, address="198.51.100.2").status_code == 302


def test_one_address_trying_many_accounts_is_paused(client, agent):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        _login(client, name, "guess")
    response = _login(client, "ada", PASSWORD)
    assert response.status_code == 429
    assert _login(client, "ada", PASSWORD, address="192.0.2.9").status_code == 302


def test_a_successful_login_clears_the_accounts_failures(client, agent):
    _login(client, "ada", "wrong")
    _login(client, "ada", "wrong")
    assert _login(client, "ada", PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(username="ada").exists()


def test_a_wrong_password_still_says_only_that(client, agent):
    body = _login(client, "ada", "wrong").content.decode()
    assert "Please enter a correct username and password" in body
