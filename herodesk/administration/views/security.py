"""Security: require two-factor login for admins; who has two-factor on (admins only)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from herodesk.accounts import actions as accounts
from herodesk.accounts import twofactor
from herodesk.accounts.models import SecuritySettings, User
from herodesk.accounts.requests import AuthedRequest
from herodesk.administration.views.agents import _agent
from herodesk.administration.views.common import lead_required, report
from herodesk.conversations.actions import do_audited
from herodesk.errors import ActionError

AREA = "security"


def _require_admin(request: AuthedRequest) -> None:
    if not request.user.is_admin:
        raise PermissionDenied("Only admins change security settings.")


@lead_required
def security(request: AuthedRequest) -> HttpResponse:
    _require_admin(request)
    if request.method == "POST":
        required = request.POST.get("require_two_factor_for_admins") == "on"
        try:
            summary = do_audited(
                request.user, AREA, lambda: accounts.do_set_security(request.user, required), str
            )
        except ActionError as error:
            report(request, error)
        else:
            messages.success(request, summary + ".")
        return redirect("administration:security")
    current = SecuritySettings.objects.filter(pk=1).first()
    people = (
        User.objects.filter(is_active=True)
        .select_related("two_factor")
        .order_by("-role", "first_name", "username")
    )
    rows = [
        (person, getattr(person, "two_factor", None) is not None and person.two_factor.enabled)
        for person in people
    ]
    context = {
        "required": bool(current and current.require_two_factor_for_admins),
        "rows": rows,
        "admins_without": [p for p, on in rows if p.is_admin and not on],
        "mine_on": twofactor.enabled_for(request.user) is not None,
    }
    return render(request, "administration/security.html", context)


@lead_required
@require_POST
def reset_two_factor(request: AuthedRequest, pk: int) -> HttpResponse:
    """An admin turns another agent's two-factor off (lost phone); recorded in the audit trail."""
    _require_admin(request)
    agent = _agent(pk)
    try:
        summary = do_audited(
            request.user, "agents", lambda: accounts.do_reset_two_factor(request.user, agent), str
        )
    except ActionError as error:
        report(request, error)
    else:
        messages.success(request, summary + ". They log in with their password and can set it up again.")
    return redirect("administration:agent", pk=agent.pk)
