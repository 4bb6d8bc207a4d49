"""What every settings page shares: leads and admins only, errors reported the one way."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpResponse

from herodesk.accounts.requests import AuthedRequest
from herodesk.errors import ActionError

View = Callable[..., HttpResponse]


def lead_required(view: View) -> View:
    """Settings are for team leads and admins; an agent gets 403, a visitor the login page."""

    @login_required
    @wraps(view)
    def wrapped(request: AuthedRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_lead:
            raise PermissionDenied("Only team leads and admins change settings.")
        return view(request, *args, **kwargs)

    return wrapped


def report(request: AuthedRequest, error: ActionError) -> None:
    messages.error(request, error.summary() if error.fields else error.message.rstrip(".") + ".")


def report_form(request: AuthedRequest, form: Form) -> None:
    for name, errors in form.errors.items():
        label = (
            "" if name == "__all__" else f"{form.fields[name].label or name.replace('_', ' ').capitalize()}: "
        )
        messages.error(request, label + " ".join(str(error) for error in errors))
