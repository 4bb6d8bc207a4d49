"""Numbers a client sends are checked at the edge: out of range or not a number is a 4xx, never a 500.

The probe found 20+ digit ids (too big for SQLite's 64-bit integers) and crafted cursors crashing pages
and the API; these are its cases plus their neighbours.
"""

from __future__ import annotations

import base64
import json

import pytest
from django.core.exceptions import BadRequest

from herodesk.params import MAX_ID, bounded_int

pytestmark = pytest.mark.django_db

BIG = "99999999999999999999999"


def _cursor(value: object, pk: object) -> str:
    raw = json.dumps([value, pk]).encode()  # json.dumps writes NaN and Infinity as Python reads them
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CURSORS = [
    _cursor("2024-01-01T00:00:00+00:00", 10**23),
    _cursor("2024-01-01T00:00:00", 5),  # naive time
    _cursor(10**30, 5),
    _cursor("x", 5),
    _cursor("2024-01-01T00:00:00+00:00", float("inf")),
    _cursor("2024-01-01T00:00:00+00:00", float("nan")),
    _cursor({"a": 1}, [1]),
    "e30",  # {}
    "!!!",
    "A" * 5000,
]

PAGES = [
    f"/inbox/mine/?owner={BIG}",
    f"/inbox/mine/?priority={BIG}",
    "/inbox/mine/?owner=-1",
    "/inbox/mine/?owner=1e5",
    f"/hero/promises/?owner={BIG}",
    f"/search/?q=x&page={BIG}",
    "/search/?q=x&page=999999999999999999",
    f"/customers/?after={BIG}",
    f"/c/{BIG}/",
    f"/customers/{BIG}/",
    f"/customers/{BIG}/export/",
    f"/attachments/{BIG}/",
    *[f"/inbox/mine/?cursor={c}" for c in CURSORS],
    *[f"/inbox/mine/?sort=intensity&cursor={c}" for c in CURSORS],
]

API = [
    f"/api/v1/conversations?owner_id={BIG}",
    f"/api/v1/conversations?customer_id={BIG}",
    f"/api/v1/customers?after_id={BIG}",
    f"/api/v1/customers/{BIG}",
    f"/api/v1/conversations/{BIG}",
    f"/api/v1/conversations/{BIG}/messages",
    *[f"/api/v1/conversations?cursor={c}" for c in CURSORS],
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_answer_bad_numbers_with_a_4xx(client, admin_user, conversation, url):
    client.raise_request_exception = False
    client.force_login(admin_user)
    status = client.get(url).status_code
    assert 400 <= status < 500, (url, status)


@pytest.mark.parametrize("url", API)
def test_api_answers_bad_numbers_with_a_json_4xx(client, admin_user, conversation, url):
    client.raise_request_exception = False
    client.force_login(admin_user)
    response = client.get(url)
    assert 400 <= response.status_code < 500, (url, response.status_code)
    assert response.json()["error"]["status"] == response.status_code


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/conversations", {"subject": "s", "text": "t", "team_id": int(BIG)}),
        ("/api/v1/signals/promises", {"text": "I will call you", "conversation_id": int(BIG)}),
    ],
)
def test_api_bodies_with_huge_ids_are_a_422(client, admin_user, path, body):
    client.force_login(admin_user)
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["fields"]


def test_api_patch_with_a_huge_owner_is_a_422(client, admin_user, conversation):
    client.force_login(admin_user)
    response = client.patch(
        f"/api/v1/conversations/{conversation.pk}", {"owner_id": int(BIG)}, content_type="application/json"
    )
    assert response.status_code == 422


def test_an_unexpected_api_error_is_a_json_500_and_is_logged(client, admin_user, monkeypatch, caplog):
    from herodesk.conversations import queries

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(queries, "visible_conversations", broken)
    client.raise_request_exception = False
    client.force_login(admin_user)
    response = client.get("/api/v1/conversations")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["status"] == 500
    assert "boom" not in response.content.decode()
    assert "boom" in caplog.text


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, None), ("", None), (" 7 ", 7), ("1", 1), (str(MAX_ID), MAX_ID)]
)
def test_bounded_int_reads_whole_numbers_in_range(raw, expected):
    assert bounded_int(raw, name="n") == expected


@pytest.mark.parametrize("raw", ["0", "-3", str(MAX_ID + 1), BIG, "1e5", "1.5", "x", "٣", "9" * 5000])
def test_bounded_int_refuses_everything_else(raw):
    with pytest.raises(BadRequest):
        bounded_int(raw, name="n")
