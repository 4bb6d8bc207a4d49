"""Login, logout and the agent's own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from herodesk.accounts import actions, throttle
from herodesk.accounts.requests import AuthedRequest
from herodesk.clientip import client_ip


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses to check a password while the account or the address is throttled."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_ip(self.request) if self.request else None
        paused = throttle.check(username, address)
        if paused is not None:
            raise ValidationError(paused.message, code="throttled")
        try:
            return super().clean()
        except ValidationError:
            actions.do_record_login_failure(username, address)
            raise


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = ThrottledAuthenticationForm

    def form_valid(self, form):
        actions.do_forget_login_failures(form.get_user().get_username())
        return super().form_valid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("__all__", "throttled"):
            response.status_code = 429
        return response


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    """The logged-in agent changes their own password (old one first); other sessions are logged out."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("conversations:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Password changed.")
        return response


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


@login_required
@require_POST
def availability(request: AuthedRequest) -> HttpResponse:
    """The switch in the top bar: available for new conversations, or away."""
    away = request.POST.get("away") == "1"
    actions.do_set_away(request.user, away)
    if away:
        messages.success(request, "You are away: automatic assignment skips you.")
    else:
        messages.success(request, "You are available for new conversations.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back:
        back = "/"
    return redirect(back)
