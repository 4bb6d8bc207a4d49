"""Teams: name, time zone, business hours, weekend, assignment mode, holidays."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from herodesk.accounts import actions as accounts
from herodesk.accounts.models import Holiday, Team, User
from herodesk.accounts.requests import AuthedRequest
from herodesk.administration.forms import HolidayForm, TeamForm
from herodesk.administration.views.common import lead_required, report, report_form
from herodesk.conversations.actions import do_audited
from herodesk.errors import ActionError

AREA = "teams"


def _team(pk: int) -> Team:
    found = Team.objects.filter(pk=pk).first()
    if found is None:
        raise Http404("No such team")
    return found


@lead_required
def team_list(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    teams = (
        Team.objects.order_by("name")
        .annotate(active_members=Count("members", distinct=True))
        .prefetch_related(
            Prefetch("holidays", queryset=Holiday.objects.filter(date__gte=today).order_by("date"))
        )
    )
    mine = set(request.user.teams.values_list("pk", flat=True))
    context = {"teams": teams, "editable": None if request.user.is_admin else mine}
    return render(request, "administration/teams.html", context)


def _settings(data: dict) -> accounts.TeamSettings:
    return accounts.TeamSettings(
        name=data["name"],
        time_zone=data["time_zone"],
        opens_at=data["opens_at"],
        closes_at=data["closes_at"],
        weekend_open=data["weekend_open"],
        assignment=data["assignment"],
    )


def _save(request: AuthedRequest, team: Team | None) -> HttpResponse:
    initial = {"time_zone": "UTC", "assignment": Team.Assignment.MANUAL}
    if team is not None:
        fields = ("name", "time_zone", "opens_at", "closes_at", "weekend_open", "assignment")
        initial = {name: getattr(team, name) for name in fields}
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved, _ = do_audited(
                request.user,
                AREA,
                lambda: accounts.do_save_team(request.user, team, _settings(form.cleaned_data)),
                lambda result: result[1],
            )
        except ActionError as error:
            for name, text in error.fields.items():
                form.add_error(name if name in form.fields else None, text)
            if not error.fields:
                form.add_error(None, error.message)
        else:
            messages.success(request, f"Team {saved.name} saved.")
            return redirect("administration:team", pk=saved.pk)
    context: dict[str, object] = {"form": form, "team": team}
    if team is not None:
        context["holidays"] = team.holidays.order_by("date")
        context["holiday_form"] = HolidayForm()
        context["members"] = User.objects.filter(teams=team).order_by("first_name", "username")
    return render(request, "administration/team.html", context)


@lead_required
def team_new(request: AuthedRequest) -> HttpResponse:
    return _save(request, None)


@lead_required
def team_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _save(request, _team(pk))


@lead_required
@require_POST
def add_holiday(request: AuthedRequest, pk: int) -> HttpResponse:
    team = _team(pk)
    form = HolidayForm(request.POST)
    if not form.is_valid():
        report_form(request, form)
        return redirect("administration:team", pk=team.pk)
    data = form.cleaned_data
    try:
        summary = do_audited(
            request.user,
            AREA,
            lambda: accounts.do_add_holiday(request.user, team, data["date"], data["name"]),
            str,
        )
    except ActionError as error:
        report(request, error)
    else:
        messages.success(request, summary + ".")
    return redirect("administration:team", pk=team.pk)


@lead_required
@require_POST
def remove_holiday(request: AuthedRequest, pk: int, holiday_pk: int) -> HttpResponse:
    team = _team(pk)
    holiday = Holiday.objects.select_related("team").filter(team=team, pk=holiday_pk).first()
    if holiday is None:
        raise Http404("No such holiday")
    try:
        summary = do_audited(
            request.user, AREA, lambda: accounts.do_remove_holiday(request.user, holiday), str
        )
    except ActionError as error:
        report(request, error)
    else:
        messages.success(request, summary + ".")
    return redirect("administration:team", pk=team.pk)
