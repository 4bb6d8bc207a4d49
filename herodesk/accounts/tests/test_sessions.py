"""Session keys are not stored: the database holds only their hash, and sessions still work end to end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from herodesk.accounts.sessions import SessionStore, hash_session_key
from herodesk.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _logged_in(username: str = "ada") -> tuple[Client, str]:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def test_the_settings_use_the_hashed_engine():
    assert settings.SESSION_ENGINE == "herodesk.accounts.sessions"


def test_the_cookies_key_is_not_in_the_database_only_its_hash(agent):
    client, key = _logged_in()
    stored = list(Session.objects.values_list("session_key", "session_data"))
    assert stored and all(key not in row_key and key not in data for row_key, data in stored)
    assert Session.objects.filter(session_key=hash_session_key(key)).exists()
    cache.clear()  # read from the database, not the cache
    assert client.get("/customers/").status_code == 200


def test_a_stored_hash_used_as_a_cookie_is_no_session(agent):
    _, key = _logged_in()
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = hash_session_key(key)
    cache.clear()
    response = thief.get("/customers/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_logging_out_deletes_the_row(agent):
    client, key = _logged_in()
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=hash_session_key(key)).exists()
    cache.clear()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get("/customers/").status_code == 302


def test_changing_the_password_logs_out_the_other_sessions_and_keeps_this_one(agent):
    here, _ = _logged_in()
    there, _ = _logged_in()
    response = here.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-pass-phrase",
            "new_password2": "a-new-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    cache.clear()
    assert here.get("/customers/").status_code == 200
    assert there.get("/customers/").status_code == 302


def test_clearsessions_removes_expired_rows(agent):
    store = SessionStore()
    store["x"] = 1
    store.set_expiry(timezone.now() - timedelta(seconds=1))
    store.create()
    _logged_in()
    before = Session.objects.count()
    call_command("clearsessions")
    assert Session.objects.count() == before - 1
