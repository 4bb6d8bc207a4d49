"""Hero moments (intense conversations not yet relieved), the promises agents must keep, and the
contact-reason model with proposed new reasons."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from herodesk.accounts.requests import AuthedRequest
from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.models import ContactReason
from herodesk.conversations.queries import visible_conversations
from herodesk.insights import actions as insights_actions
from herodesk.insights import queries, reasons, tasks
from herodesk.params import MAX_PAGE, bounded_int, query_int


@login_required
def hero_moments(request: AuthedRequest) -> HttpResponse:
    """Needs relief now (most urgent first) and missed, each paged; filters: mine, team."""
    mine = request.GET.get("mine") == "1"
    team_id = query_int(request.GET, "team")
    context = queries.hero_moments_page(
        request.user,
        mine=mine,
        team_id=team_id,
        page=query_int(request.GET, "page", 1, maximum=MAX_PAGE) or 1,
        missed_page=query_int(request.GET, "missed_page", 1, maximum=MAX_PAGE) or 1,
    )
    filters = {"mine": "1" if mine else "", "team": team_id or ""}
    context["filter_query"] = urlencode({k: v for k, v in filters.items() if v})
    return render(request, "insights/hero_moments.html", context)


@login_required
def promises(request: AuthedRequest) -> HttpResponse:
    owner_id = query_int(request.GET, "owner")
    return render(request, "insights/promises.html", queries.promises_page(request.user, owner_id))


def _require_lead(request: AuthedRequest) -> None:
    if not request.user.is_lead:
        raise PermissionDenied("Only team leads and admins manage contact reasons.")


@login_required
def contact_reasons(request: AuthedRequest) -> HttpResponse:
    """The reason model's state and clusters of untagged conversations that might need a new reason."""
    _require_lead(request)
    return render(
        request,
        "insights/reasons.html",
        {
            "status": reasons.model_status(),
            "proposals": reasons.propose_new_reasons(
                visible_conversations(request.user), read_the_rest=tasks.warm_reason_proposals
            ),
            "existing": ContactReason.objects.order_by("name"),
        },
    )


MAX_ADOPTED_CONVERSATIONS = reasons.PROPOSAL_CONVERSATIONS


@login_required
@require_POST
def create_contact_reason(request: AuthedRequest) -> HttpResponse:
    """A new reason; from a proposal (``conversation`` ids posted with it), the group's conversations
    the lead can see get it as a suggestion and the proposal leaves the list."""
    _require_lead(request)
    raw_ids = request.POST.getlist("conversation")
    if len(raw_ids) > MAX_ADOPTED_CONVERSATIONS:
        raise BadRequest(f"At most {MAX_ADOPTED_CONVERSATIONS} conversations can be suggested at once.")
    ids = [bounded_int(raw, name="conversation") for raw in raw_ids]
    name, description = request.POST.get("name", ""), request.POST.get("description", "")
    try:
        if raw_ids:
            visible = list(
                visible_conversations(request.user)
                .filter(pk__in=[pk for pk in ids if pk is not None])
                .values_list("pk", flat=True)
            )
            reason, suggested = insights_actions.do_adopt_proposed_reason(
                request.user, name, visible, description
            )
        else:
            reason, suggested = (
                conversation_actions.do_create_contact_reason(request.user, name, description),
                0,
            )
    except conversation_actions.ActionError as error:
        messages.error(request, f"{error.message}. {' '.join(error.fields.values())}".strip())
    else:
        if suggested:
            messages.success(
                request,
                f"Contact reason “{reason.name}” created and suggested on {suggested} conversation"
                f"{'s' if suggested != 1 else ''}: agents confirm it as they work them. Retrain once "
                "they have.",
            )
        else:
            messages.success(
                request, f"Contact reason “{reason.name}” created. Tag conversations with it, then retrain."
            )
    return redirect("insights:reasons")


@login_required
@require_POST
def retrain_contact_reasons(request: AuthedRequest) -> HttpResponse:
    _require_lead(request)
    tasks.retrain_reasons_now()
    messages.success(request, "Retraining the contact-reason model in the background.")
    return redirect("insights:reasons")
