"""The agent's notifications: the list behind the bell, opening one, marking all read."""

from __future__ import annotations

from django.contrib import messages
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
    emails = queries.emails_enabled(request.user)
    context = {"page": page, "unread_only": unread_only, "emails_enabled": emails}
    return render(request, "notifications/list.html", context)


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


@login_required
@require_POST
def email_preference(request: AuthedRequest) -> HttpResponse:
    enabled = request.POST.get("enabled") == "1"
    actions.do_set_email_notifications(request.user, enabled)
    if enabled and not request.user.email:
        messages.warning(request, "Email notifications are on, but your account has no email address yet.")
    elif enabled:
        messages.success(request, f"You get your notifications by email too, at most one mail every "
                                  f"{int(actions.EMAIL_BATCH.total_seconds() // 60)} minutes.")  # fmt: skip
    else:
        messages.success(request, "No more notification emails.")
    return redirect("notifications:list")
