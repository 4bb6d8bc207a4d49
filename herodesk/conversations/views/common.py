"""Small helpers shared by the conversation screens."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest

from herodesk.conversations.actions import ActionError


def report_error(request: HttpRequest, error: ActionError) -> None:
    details = "; ".join(error.fields.values())
    messages.error(request, f"{error.message}. {details}".strip())


def report_form_errors(request: HttpRequest, form) -> None:  # type: ignore[no-untyped-def]
    for field, errors in form.errors.items():
        label = (
            ""
            if field == "__all__"
            else f"{form.fields[field].label or field.replace('_', ' ').capitalize()}: "
        )
        messages.error(request, label + " ".join(errors))
