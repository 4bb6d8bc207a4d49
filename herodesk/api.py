"""The REST API at /api/v1: one NinjaAPI, routers per app, bearer tokens or the session, one error format.

Every error body is ``{"error": {"status": int, "message": str, "fields": {field: message}}}``.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from herodesk.accounts.queries import user_for_token
from herodesk.conversations.actions import ActionError

logger = logging.getLogger("herodesk.api")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The logged-in agent's session, with Django's CSRF check on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


api = NinjaAPI(
    title="herodesk API",
    version="1",
    description="Conversations, messages, customers and hero signals. Authenticate with `Authorization: "
    "Bearer <token>` (create tokens under Account → API tokens).",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api-v1",
)


def error_response(
    request: HttpRequest, status: int, message: str, fields: dict[str, str] | None = None
) -> HttpResponse:
    body = {"error": {"status": status, "message": message, "fields": fields or {}}}
    return api.create_response(request, body, status=status)


def _field_name(location: list[object] | tuple[object, ...]) -> str:
    parts = [str(p) for p in location if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "__all__"


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = {_field_name(err.get("loc", ())): str(err.get("msg", "Invalid value")) for err in exc.errors}
    return error_response(request, 422, "The request has invalid fields.", fields)


@api.exception_handler(ActionError)
def on_action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    return error_response(request, 422, exc.message, exc.fields)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "Not found.")


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "Authentication required: send a valid bearer token.")


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, 413, "The request body is larger than this desk accepts.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, str(exc))


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug is still a bug (logged with its traceback), but the client gets the one error format."""
    logger.error("Unexpected API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(request, 500, "Something went wrong on our side; it has been logged.")


def _register_routers() -> None:
    from herodesk.conversations.api import router as conversations
    from herodesk.customers.api import router as customers
    from herodesk.insights.api import router as signals
    from herodesk.macros.api import router as saved_replies
    from herodesk.notifications.api import router as notifications
    from herodesk.quality.api import router as quality

    api.add_router("/conversations", conversations)
    api.add_router("/customers", customers)
    api.add_router("/signals", signals)
    api.add_router("/notifications", notifications)
    api.add_router("/quality", quality)
    api.add_router("/saved-replies", saved_replies)


_register_routers()
