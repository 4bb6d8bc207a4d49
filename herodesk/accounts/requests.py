"""The request type of every page and endpoint behind a login, so ``request.user`` is a desk ``User``.

Pages get it from ``login_required``, API endpoints from the API's authentication (herodesk/api.py); the
type only says what those guarantee.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from herodesk.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails  # set by django-htmx's middleware on every request
