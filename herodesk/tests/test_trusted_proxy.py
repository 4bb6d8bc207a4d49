"""Only the configured proxy decides that a request came over HTTPS; any other client's header is ignored."""

from __future__ import annotations

import pytest

from herodesk.cli import _processes

pytestmark = pytest.mark.django_db


def test_a_clients_forwarded_proto_header_does_not_make_the_request_secure(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_serve_tells_gunicorn_which_proxies_to_trust(monkeypatch, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5", "10.0.0.6"]
    started = []
    monkeypatch.setattr("subprocess.Popen", lambda args: started.append(args))
    _processes("0.0.0.0", 8000, 1, embedded_worker=False)  # noqa: S104 - not bound, only built
    (web,) = started
    assert web[web.index("--forwarded-allow-ips") + 1] == "10.0.0.5,10.0.0.6"
