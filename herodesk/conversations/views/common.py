"""Small helpers shared by the conversation screens."""

from __future__ import annotations

from django.contrib import messages

from herodesk.accounts.requests import AuthedRequest
from herodesk.errors import ActionError


def report_error(request: AuthedRequest, error: ActionError) -> None:
    messages.error(request, error.summary() if error.fields else f"{error.message}.")


def report_form_errors(request: AuthedRequest, form) -> None:
    for field, errors in form.errors.items():
        label = (
            ""
            if field == "__all__"
            else f"{form.fields[field].label or field.replace('_', ' ').capitalize()}: "
        )
        messages.error(request, label + " ".join(errors))
