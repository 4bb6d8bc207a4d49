"""The inbox: views (mine, unassigned, team, ...), filters, sorting, counts and keyset pagination."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from herodesk.accounts.requests import AuthedRequest
from herodesk.conversations import actions, queries
from herodesk.conversations.forms import BULK_ACTIONS, CHANNEL_CHOICES, STATUS_CHOICES, BulkForm
from herodesk.conversations.models import Conversation
from herodesk.conversations.rows import options, render_rows
from herodesk.conversations.views.common import report_error, report_form_errors
from herodesk.params import bounded_int, query_int
from herodesk.presence import queries as presence_queries


def filters_from(request: AuthedRequest) -> queries.InboxFilters:
    sort = request.GET.get("sort", "recent")
    return queries.InboxFilters(
        tag=request.GET.get("tag", "")[:50],
        channel=request.GET.get("channel", "")[:10],
        priority=query_int(request.GET, "priority", maximum=4),
        owner_id=query_int(request.GET, "owner"),
        sort=sort if sort in queries.SORTS else "recent",
    )


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    return redirect("conversations:inbox", view="mine")


@login_required
def inbox(request: AuthedRequest, view: str = "mine") -> HttpResponse:
    filters = filters_from(request)
    page = queries.inbox_page(request.user, view, filters, request.GET.get("cursor"))
    viewers = presence_queries.live_viewers_by_conversation(
        [c.pk for c in page.conversations], exclude=request.user
    )
    context = {
        "view": view,
        "page": page,
        "rows": render_rows(page.conversations, viewers, selectable=True),
        "filters": filters,
        "querystring": _querystring(request),
    }
    if request.htmx and request.GET.get("cursor"):
        return render(request, "conversations/_inbox_rows.html", context)
    context["options"] = _picker_options(filters)
    return render(request, "conversations/inbox.html", context)


def _picker_options(filters: queries.InboxFilters) -> dict[str, str]:
    """The <option>s of the filter bar and the bulk bar, each list built once per page."""
    agents = [(a.pk, a.display_name) for a in queries.agents_for_filter()]
    priorities = Conversation.Priority.choices
    return {
        "channel": options(CHANNEL_CHOICES, filters.channel),
        "priority_filter": options(priorities, filters.priority),
        "tag": options(((name, name) for name in queries.tag_names_for_filter()), filters.tag),
        "owner_filter": options(agents, filters.owner_id),
        "sort": options(((s, f"Sort: {s}") for s in queries.SORTS), filters.sort),
        "bulk_action": options(BULK_ACTIONS),
        "agent": options(agents),
        "team": options((t.pk, t.name) for t in queries.teams_for_transfer()),
        "status": options(STATUS_CHOICES),
        "priority": options(priorities),
    }


def _querystring(request: AuthedRequest) -> str:
    params = request.GET.copy()
    params.pop("cursor", None)
    return params.urlencode()


@login_required
@require_POST
def bulk(request: AuthedRequest) -> HttpResponse:
    """One action on the selected inbox rows, in one transaction; each change is its own event."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back:
        back = "/inbox/mine/"
    ids = [bounded_int(raw, name="ids") for raw in request.POST.getlist("ids")[: actions.BULK_LIMIT + 1]]
    selected = list(
        queries.visible_conversations(request.user).filter(pk__in=[i for i in ids if i is not None])
    )
    form = BulkForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(back)
    try:
        changed = actions.do_bulk_update(selected, request.user, _bulk_change(form.cleaned_data))
    except actions.ActionError as error:
        report_error(request, error)
    else:
        label = dict(BULK_ACTIONS)[form.cleaned_data["action"]].lower()
        messages.success(request, f"Done for {changed} conversation{'s' if changed != 1 else ''} ({label}).")
    return redirect(back)


def _bulk_change(data: dict) -> actions.BulkChange:
    action = data["action"]
    if action == "assign":
        return actions.BulkChange(change_owner=True, owner=data.get("owner"))
    if action == "transfer":
        to_owner, to_team = data.get("to_owner"), data.get("to_team")
        return actions.BulkChange(transfer=actions.Transfer(data["note"], to_owner=to_owner, to_team=to_team))
    if action == "tag":
        return actions.BulkChange(add_tags=[data["tag"]])
    if action == "status":
        return actions.BulkChange(status=data["status"])
    return actions.BulkChange(priority=data["priority"])
