"""Per-address limits see the real client behind the desk's own proxy, and nobody can pick an address."""

from __future__ import annotations

from django.http import HttpRequest
from django.test import RequestFactory

from herodesk.clientip import client_ip


def _request(peer: str, forwarded: str | None = None) -> HttpRequest:
    request = RequestFactory().get("/")
    request.META["REMOTE_ADDR"] = peer
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_a_direct_client_is_its_own_address_whatever_it_claims(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_the_trusted_proxy_the_last_untrusted_hop_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5", "10.0.0.6"]
    # The client may put anything first; the proxies append what they saw.
    request = _request("10.0.0.5", "1.2.3.4, 203.0.113.9, 10.0.0.6")
    assert client_ip(request) == "203.0.113.9"


def test_garbage_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_ip(_request("10.0.0.5", "not-an-address")) == "10.0.0.5"
    assert client_ip(_request("")) is None
