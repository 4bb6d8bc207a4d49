"""Pages of the SLA app for team leads: the policies (in order) and the report with its CSV export."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from herodesk.accounts.requests import AuthedRequest
from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.models import Conversation
from herodesk.conversations.queries import conversation_for_agent
from herodesk.errors import ActionError
from herodesk.insights import actions as insight_actions
from herodesk.params import query_int
from herodesk.slas import actions, queries
from herodesk.slas import forms as slas_forms
from herodesk.slas.forms import PolicyForm
from herodesk.slas.models import SlaPolicy


def _require_lead(request: AuthedRequest) -> None:
    if not request.user.is_lead:
        raise PermissionDenied("Only team leads and admins see SLA policies and reports.")


def _policy(pk: int) -> SlaPolicy:
    policy = SlaPolicy.objects.filter(pk=pk).first()
    if policy is None:
        raise Http404("No such policy")
    return policy


def _save(request: AuthedRequest, form: PolicyForm, policy: SlaPolicy | None) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        saved = actions.do_save_policy(request.user, form.fields_for_action(), policy)
    except ActionError as error:
        for name, text in error.fields.items():
            form.add_error(name if name in form.fields else None, text)
        if not error.fields:
            form.add_error(None, error.message)
        return None
    messages.success(request, f"Policy “{saved.name}” saved. It applies to targets set from now on.")
    return redirect("slas:policies")


@login_required
def policies(request: AuthedRequest) -> HttpResponse:
    """The policies in the order they are tried, and a form for a new one."""
    _require_lead(request)
    form = PolicyForm(request.POST) if request.method == "POST" else PolicyForm()
    if request.method == "POST" and (done := _save(request, form, None)):
        return done
    rows = [(p, queries.policy_conditions(p)) for p in queries.policies()]
    return render(request, "slas/policies.html", {"rows": rows, "form": form, "editing": None})


@login_required
def edit_policy(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_lead(request)
    policy = _policy(pk)
    form = PolicyForm(request.POST) if request.method == "POST" else PolicyForm.for_policy(policy)
    if request.method == "POST" and (done := _save(request, form, policy)):
        return done
    rows = [(p, queries.policy_conditions(p)) for p in queries.policies()]
    return render(request, "slas/policies.html", {"rows": rows, "form": form, "editing": policy})


@login_required
@require_POST
def delete_policy(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_lead(request)
    policy = _policy(pk)
    try:
        actions.do_delete_policy(request.user, policy)
    except ActionError as error:
        messages.error(request, error.summary())
    else:
        messages.success(request, f"Policy “{policy.name}” deleted. Targets it set keep their deadlines.")
    return redirect("slas:policies")


@login_required
def report(request: AuthedRequest) -> HttpResponse:
    """Targets met and breached, median and p90 business time to first reply and resolution."""
    _require_lead(request)
    group = request.GET.get("group", "team")
    group = group if group in queries.GROUPS else "team"
    weeks = query_int(request.GET, "weeks", 4, maximum=52) or 4
    until = timezone.now()
    since = until - timedelta(weeks=weeks)
    rows = queries.report(request.user, group, since, until)
    if request.GET.get("format") == "csv":
        return _csv(rows, group, weeks)
    return render(
        request,
        "slas/report.html",
        {"rows": rows, "group": group, "groups": queries.GROUPS, "weeks": weeks, "since": since},
    )


def _csv(rows: list[queries.ReportRow], group: str, weeks: int) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sla-report-by-{group}-{weeks}w.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            queries.GROUPS[group], "targets", "met", "breached", "running", "met_rate",
            "first_reply_median_min", "first_reply_p90_min", "resolution_median_min", "resolution_p90_min",
        ]
    )  # fmt: skip
    for row in rows:
        rate = row.met_rate
        writer.writerow(
            [
                _safe(row.group), row.targets, row.met, row.breached, row.running,
                "" if rate is None else f"{rate:.3f}",
                *(_minutes(v) for v in (
                    row.first_reply_median, row.first_reply_p90, row.resolution_median, row.resolution_p90
                )),
            ]
        )  # fmt: skip
    return response


def _minutes(seconds: int | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.1f}"


def _safe(text: str) -> str:
    """No spreadsheet formulas from names (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# --- On the conversation: scheduled replies, follow-ups, promise follow-through ---------------------------


def _conversation_post(
    form_class: type[forms.Form], run: Callable[[AuthedRequest, Conversation, dict, int | None], str]
) -> Callable[..., HttpResponse]:
    """A POST from the conversation screen: access check, form, action, a message, back to the thread."""

    @login_required
    @require_POST
    def view(request: AuthedRequest, pk: int, item: int | None = None) -> HttpResponse:
        conversation = conversation_for_agent(request.user, pk)
        form = form_class(request.POST)
        if not form.is_valid():
            errors = [
                f"{form.fields[name].label or name}: {' '.join(map(str, e))}"
                for name, e in form.errors.items()
            ]
            messages.error(request, " ".join(errors))
        else:
            try:
                messages.success(request, run(request, conversation, form.cleaned_data, item))
            except ActionError as error:
                messages.error(request, error.summary())
        return redirect("conversations:detail", pk=conversation.pk)

    return view


def _schedule(request: AuthedRequest, conversation: Conversation, data: dict, _: int | None) -> str:
    actions.do_schedule_reply(conversation, request.user, data["text"], data["send_at"], data["follow_up"])
    when = f"{timezone.localtime(data['send_at']):%b %-d at %H:%M}"
    if data["follow_up"]:
        return f"Follow-up scheduled for {when}; it is cancelled if the customer writes first."
    return f"Reply scheduled for {when}."


def _edit_scheduled(request: AuthedRequest, conversation: Conversation, data: dict, item: int | None) -> str:
    message = queries.scheduled_message(conversation, item or 0)
    conversation_actions.do_edit_scheduled_reply(message, request.user, data["text"], data["send_at"])
    return "Scheduled reply changed."


def _cancel_scheduled(request: AuthedRequest, conversation: Conversation, _: dict, item: int | None) -> str:
    message = queries.scheduled_message(conversation, item or 0)
    conversation_actions.do_cancel_scheduled_reply(
        message, request.user, f"Cancelled by {request.user.display_name}"
    )
    return "Scheduled reply cancelled; it will not be sent."


def _kept(request: AuthedRequest, conversation: Conversation, _: dict, item: int | None) -> str:
    insight_actions.do_mark_promise_kept(queries.conversation_promise(conversation, item or 0), request.user)
    return "Promise marked kept."


def _renegotiate(request: AuthedRequest, conversation: Conversation, data: dict, item: int | None) -> str:
    promise = queries.conversation_promise(conversation, item or 0)
    insight_actions.do_renegotiate_promise(promise, request.user, data["due_at"], data["message"])
    return f"New time sent to the customer: {timezone.localtime(data['due_at']):%b %-d at %H:%M}."


def _hand_over(request: AuthedRequest, conversation: Conversation, data: dict, item: int | None) -> str:
    promise = queries.conversation_promise(conversation, item or 0)
    insight_actions.do_hand_over_promise(promise, request.user, data["owner"])
    return f"Promise handed over to {data['owner'].display_name}."


class _Empty(forms.Form):
    pass


schedule_reply = _conversation_post(slas_forms.ScheduleForm, _schedule)
edit_scheduled = _conversation_post(slas_forms.EditScheduledForm, _edit_scheduled)
cancel_scheduled = _conversation_post(_Empty, _cancel_scheduled)
promise_kept = _conversation_post(_Empty, _kept)
promise_renegotiate = _conversation_post(slas_forms.RenegotiateForm, _renegotiate)
promise_hand_over = _conversation_post(slas_forms.HandOverForm, _hand_over)
