"""Pages of the SLA app for team leads: the policies (in order) and the report with its CSV export."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from herodesk.accounts.requests import AuthedRequest
from herodesk.errors import ActionError
from herodesk.params import query_int
from herodesk.slas import actions, queries
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
