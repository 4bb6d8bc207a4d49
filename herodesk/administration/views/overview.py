"""The settings start page: what there is to manage, and the audit trail of every change."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from herodesk.accounts.models import Team, User
from herodesk.accounts.requests import AuthedRequest
from herodesk.administration.views.common import lead_required
from herodesk.conversations.models import ContactReason, Event, Tag
from herodesk.params import query_int

PAGE_SIZE = 50


@lead_required
def overview(request: AuthedRequest) -> HttpResponse:
    changes = Event.objects.filter(kind=Event.Kind.ADMIN_CHANGE, conversation__isnull=True)
    pages = Paginator(changes.select_related("actor").order_by("-created_at", "-id"), PAGE_SIZE)
    context = {
        "agents": User.objects.filter(is_active=True).count(),
        "teams": Team.objects.count(),
        "reasons": ContactReason.objects.filter(active=True).count(),
        "tags": Tag.objects.count(),
        "page": pages.get_page(query_int(request.GET, "page", 1, maximum=100_000)),
    }
    return render(request, "administration/overview.html", context)
