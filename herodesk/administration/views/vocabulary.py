"""Contact reasons (create, rename, retire, merge) and tags (rename, merge, delete)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db.models import Count
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from herodesk.accounts.requests import AuthedRequest
from herodesk.administration.forms import NameForm, ReasonMergeForm, TagMergeForm
from herodesk.administration.views.common import lead_required, report, report_form
from herodesk.conversations import actions
from herodesk.conversations.models import ContactReason, Tag
from herodesk.errors import ActionError


def _reason(pk: int) -> ContactReason:
    found = ContactReason.objects.filter(pk=pk).first()
    if found is None:
        raise Http404("No such contact reason")
    return found


def _tag(pk: int) -> Tag:
    found = Tag.objects.filter(pk=pk).first()
    if found is None:
        raise Http404("No such tag")
    return found


def _run(request: AuthedRequest, form: Form | None, change: Callable[[dict], str], back: str) -> HttpResponse:
    """Validate the form, make the change, report it in words, and go back to the list."""
    if form is not None and not form.is_valid():
        report_form(request, form)
        return redirect(back)
    try:
        done = change(form.cleaned_data if form is not None else {})
    except ActionError as error:
        report(request, error)
    else:
        messages.success(request, done)
    return redirect(back)


@lead_required
def reasons(request: AuthedRequest) -> HttpResponse:
    rows = ContactReason.objects.annotate(used=Count("conversations")).order_by("-active", "name")
    return render(request, "administration/reasons.html", {"reasons": rows})


@lead_required
@require_POST
def reason_new(request: AuthedRequest) -> HttpResponse:
    def create(data: dict) -> str:
        reason = actions.do_audited(
            request.user,
            "contact reasons",
            lambda: actions.do_create_contact_reason(request.user, data["name"]),
            lambda made: f"Contact reason “{made.name}” created",
        )
        return f"Contact reason “{reason.name}” created."

    return _run(request, NameForm(request.POST), create, "administration:reasons")


@lead_required
@require_POST
def reason_rename(request: AuthedRequest, pk: int) -> HttpResponse:
    reason = _reason(pk)

    def rename(data: dict) -> str:
        return f"Renamed to “{actions.do_rename_contact_reason(request.user, reason, data['name']).name}”."

    return _run(request, NameForm(request.POST), rename, "administration:reasons")


@lead_required
@require_POST
def reason_active(request: AuthedRequest, pk: int) -> HttpResponse:
    reason = _reason(pk)
    active = request.POST.get("active") == "1"

    def switch(data: dict) -> str:
        actions.do_set_contact_reason_active(request.user, reason, active)
        return f"“{reason.name}” {'is back' if active else 'retired: agents no longer choose it'}."

    return _run(request, None, switch, "administration:reasons")


@lead_required
@require_POST
def reason_merge(request: AuthedRequest, pk: int) -> HttpResponse:
    reason = _reason(pk)

    def merge(data: dict) -> str:
        moved = actions.do_merge_contact_reasons(request.user, reason, data["target"])
        return f"“{reason.name}” merged into “{data['target'].name}”: {moved} conversations moved."

    return _run(request, ReasonMergeForm(request.POST), merge, "administration:reasons")


@lead_required
def tags(request: AuthedRequest) -> HttpResponse:
    rows = Tag.objects.annotate(used=Count("conversations")).order_by("name")
    return render(request, "administration/tags.html", {"tags": rows})


@lead_required
@require_POST
def tag_rename(request: AuthedRequest, pk: int) -> HttpResponse:
    tag = _tag(pk)

    def rename(data: dict) -> str:
        return f"Renamed to “{actions.do_rename_tag(request.user, tag, data['name']).name}”."

    return _run(request, NameForm(request.POST), rename, "administration:tags")


@lead_required
@require_POST
def tag_merge(request: AuthedRequest, pk: int) -> HttpResponse:
    tag = _tag(pk)

    def merge(data: dict) -> str:
        moved = actions.do_merge_tags(request.user, tag, data["target"])
        return f"“{tag.name}” merged into “{data['target'].name}” on {moved} conversations."

    return _run(request, TagMergeForm(request.POST), merge, "administration:tags")


@lead_required
@require_POST
def tag_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    tag = _tag(pk)

    def delete(data: dict) -> str:
        removed = actions.do_delete_tag(request.user, tag)
        return f"Tag “{tag.name}” deleted and removed from {removed} conversations."

    return _run(request, None, delete, "administration:tags")
