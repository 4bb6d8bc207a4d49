"""The address a request really came from, for per-address limits (login throttling, the web form).

Behind the desk's own proxy (``HERODESK_TRUSTED_PROXIES``, the same list gunicorn trusts for the scheme)
every request arrives from the proxy's address, so the client is the last address in X-Forwarded-For
that is not a trusted proxy. From anyone else the header is ignored: a client cannot choose its address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    peer = _valid(request.META.get("REMOTE_ADDR"))
    if peer is None or peer not in _trusted():
        return peer
    forwarded = [_valid(part.strip()) for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed(forwarded):
        if address is not None and address not in _trusted():
            return address
    return peer


def _trusted() -> set[str]:
    return {address for address in map(_valid, settings.TRUSTED_PROXIES) if address is not None}


def _valid(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None
