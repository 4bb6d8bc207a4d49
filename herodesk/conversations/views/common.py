"""Small helpers shared by the conversation screens."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest

from herodesk.errors import ActionError


def report_error(request: HttpRequest, error: ActionError) -> None:
    messages.error(request, error.summary() if error.fields else f"{error.message}.")


def report_form_errors(request: HttpRequest, form) -> None:  # type: ignore[no-untyped-def]
    for field, errors in form.errors.items():
        label = (
            ""
            if field == "__all__"
            else f"{form.fields[field].label or field.replace('_', ' ').capitalize()}: "
        )
        messages.error(request, label + " ".join(errors))
