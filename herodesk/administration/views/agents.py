"""Agents: invite (an initial password shown once), teams, role and deactivation (admins only)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from herodesk.accounts import actions as accounts
from herodesk.accounts import twofactor
from herodesk.accounts.models import Team, User
from herodesk.accounts.requests import AuthedRequest
from herodesk.administration.forms import ActiveForm, AgentTeamsForm, InviteForm, RoleForm
from herodesk.administration.views.common import lead_required, report, report_form
from herodesk.conversations.actions import do_audited
from herodesk.errors import ActionError

AREA = "agents"


def _agent(pk: int) -> User:
    found = User.objects.filter(pk=pk).first()
    if found is None:
        raise Http404("No such agent")
    return found


@lead_required
def agent_list(request: AuthedRequest) -> HttpResponse:
    agents = User.objects.order_by("-is_active", "first_name", "username").prefetch_related(
        Prefetch("teams", queryset=Team.objects.order_by("name"))
    )
    return render(request, "administration/agents.html", {"agents": agents, "form": InviteForm()})


@lead_required
def invite(request: AuthedRequest) -> HttpResponse:
    if request.method != "POST":  # e.g. reloading the page that showed a password: it is not shown again
        return redirect("administration:agents")
    form = InviteForm(request.POST)
    if not form.is_valid():
        report_form(request, form)
        return redirect("administration:agents")
    data = form.cleaned_data
    invitation = accounts.Invitation(
        username=data["username"].strip(),
        first_name=data["first_name"],
        last_name=data.get("last_name") or "",
        email=data.get("email") or "",
        role=data["role"],
        teams=list(data["teams"]),
    )
    try:
        user, password = do_audited(
            request.user,
            AREA,
            lambda: accounts.do_invite_agent(request.user, invitation),
            lambda made: f"{made[0].display_name} added as {made[0].get_role_display()}",
        )
    except ActionError as error:
        report(request, error)
        return redirect("administration:agents")
    # Shown once, on this response only: never stored, never in a URL or a flash message kept in a cookie.
    return render(request, "administration/invited.html", {"agent": user, "password": password})


@lead_required
def agent_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    agent = _agent(pk)
    context = {
        "agent": agent,
        "teams_form": AgentTeamsForm(initial={"teams": agent.teams.all()}),
        "role_form": RoleForm(initial={"role": agent.role}),
        "tokens": agent.api_tokens.count(),
        "two_factor_on": twofactor.enabled_for(agent) is not None,
    }
    return render(request, "administration/agent.html", context)


def _change(request: AuthedRequest, pk: int, form_class: type, run) -> HttpResponse:
    agent = _agent(pk)
    form = form_class(request.POST)
    if not form.is_valid():
        report_form(request, form)
        return redirect("administration:agent", pk=agent.pk)
    try:
        summary = do_audited(request.user, AREA, lambda: run(agent, form.cleaned_data), str)
    except ActionError as error:
        report(request, error)
    else:
        messages.success(request, summary + ".")
    return redirect("administration:agent", pk=agent.pk)


@lead_required
@require_POST
def set_teams(request: AuthedRequest, pk: int) -> HttpResponse:
    return _change(
        request,
        pk,
        AgentTeamsForm,
        lambda agent, data: accounts.do_set_teams(request.user, agent, data["teams"]),
    )


@lead_required
@require_POST
def set_role(request: AuthedRequest, pk: int) -> HttpResponse:
    return _change(
        request, pk, RoleForm, lambda agent, data: accounts.do_set_role(request.user, agent, data["role"])
    )


@lead_required
@require_POST
def set_active(request: AuthedRequest, pk: int) -> HttpResponse:
    return _change(
        request,
        pk,
        ActiveForm,
        lambda agent, data: accounts.do_set_active(request.user, agent, data["active"]),
    )
