"""Show times in the agent's team time zone; send an admin who must set up two-factor to do so."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty

from herodesk.accounts import twofactor

SESSION_KEY = "herodesk_time_zone"


class TeamTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, SimpleLazyObject):
            # The user is read here anyway; without the lazy proxy every later ``request.user.x`` (a page
            # makes hundreds) is a plain attribute read instead of two proxy calls.
            user.is_authenticated  # noqa: B018 (loads it)
            if user._wrapped is not empty:
                request.user = user._wrapped
        name = self._time_zone(request)
        if name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    @staticmethod
    def _time_zone(request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        session = request.session
        if SESSION_KEY not in session:  # looked up once per session, not per request
            team = user.teams.order_by("pk").first()
            session[SESSION_KEY] = team.time_zone if team else ""
        return session[SESSION_KEY] or None


# --- Two-factor required for admins -----------------------------------------------------------------
# Set at login for an admin without two-factor while the desk requires it; cleared when they set it up.
# The check at login costs a query or two; every request after that reads only the session it has.
SETUP_REQUIRED = "herodesk_2fa_setup_required"
# What an admin who must set up two-factor can still open.
SETUP_ROUTES = {"two_factor", "two_factor_qr", "two_factor_confirm", "logout"}


def note_two_factor_requirement(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver (connected in accounts.apps): marks the session when set-up is required."""
    if request is not None and hasattr(request, "session") and twofactor.must_set_up(user):
        request.session[SETUP_REQUIRED] = True


class TwoFactorRequiredMiddleware:
    """An admin who must set up two-factor is sent to do so, and can open nothing else until it is done.

    API calls with a token are unaffected (no session); API calls with the session get a 403.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.get(SETUP_REQUIRED):
            blocked = self._blocked(request)
            if blocked is not None:
                return blocked
        return self.get_response(request)

    @staticmethod
    def _blocked(request: HttpRequest) -> HttpResponse | None:
        if request.path_info.startswith(settings.STATIC_URL):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.namespace == "accounts" and match.url_name in SETUP_ROUTES:
            return None
        message = "The desk requires two-factor login for admins: set it up to continue."
        if match.namespace.startswith("api"):
            return JsonResponse({"detail": message}, status=403)
        target = reverse("accounts:two_factor")
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
