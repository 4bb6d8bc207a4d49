"""Login, logout and the agent's own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from herodesk.accounts import actions
from herodesk.accounts.requests import AuthedRequest


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def tokens(request: AuthedRequest) -> HttpResponse:
    new_token = None
    if request.method == "POST":
        _, new_token = actions.do_create_token(request.user, request.POST.get("name", ""))
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": request.user.api_tokens.order_by("-created_at"), "new_token": new_token},
    )


@login_required
@require_POST
def revoke_token(request: AuthedRequest, token_id: int) -> HttpResponse:
    if actions.do_revoke_token(request.user, token_id):
        messages.success(request, "Token revoked.")
    return redirect("accounts:tokens")
