"""The inbox: views (mine, unassigned, team, ...), filters, sorting, counts and keyset pagination."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from herodesk.accounts.requests import AuthedRequest
from herodesk.conversations import queries
from herodesk.conversations.forms import CHANNEL_CHOICES
from herodesk.conversations.models import Conversation, Tag
from herodesk.conversations.rows import render_rows
from herodesk.params import query_int


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
    context = {
        "view": view,
        "page": page,
        "rows": render_rows(page.conversations),
        "filters": filters,
        "querystring": _querystring(request),
    }
    if request.htmx and request.GET.get("cursor"):
        return render(request, "conversations/_inbox_rows.html", context)
    context.update(
        {
            "channels": CHANNEL_CHOICES,
            "priorities": Conversation.Priority.choices,
            "tags": Tag.objects.order_by("name")[:200],
            "agents": queries.agents_for_filter(),
            "sorts": list(queries.SORTS),
        }
    )
    return render(request, "conversations/inbox.html", context)


def _querystring(request: AuthedRequest) -> str:
    params = request.GET.copy()
    params.pop("cursor", None)
    return params.urlencode()
