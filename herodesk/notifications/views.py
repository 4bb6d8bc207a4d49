"""The agent's notifications: the list behind the bell, opening one, marking all read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from herodesk.accounts.requests import AuthedRequest
from herodesk.notifications import actions, queries
from herodesk.params import query_int


@login_required
def notification_list(request: AuthedRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    pages = Paginator(queries.notifications_for(request.user, unread_only), queries.PAGE_SIZE)
    page = pages.get_page(query_int(request.GET, "page", 1))
    return render(request, "notifications/list.html", {"page": page, "unread_only": unread_only})


@login_required
def open_notification(request: AuthedRequest, pk: int) -> HttpResponse:
    notification = queries.notification_for(request.user, pk)
    actions.do_mark_read(request.user, [notification.pk])
    target = notification.target
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/notifications/"
    return redirect(target)


@login_required
@require_POST
def mark_all_read(request: AuthedRequest) -> HttpResponse:
    actions.do_mark_read(request.user)
    return redirect("notifications:list")
