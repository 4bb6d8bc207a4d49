"""Login, logout and the agent's own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from herodesk.accounts import actions, throttle


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses to check a password while the account or the address is throttled."""

    def clean(self):  # type: ignore[no-untyped-def]
        username = self.cleaned_data.get("username") or ""
        address = self.request.META.get("REMOTE_ADDR") if self.request else None
        paused = throttle.check(username, address)
        if paused is not None:
            raise ValidationError(paused.message, code="throttled")
        try:
            return super().clean()
        except ValidationError:
            throttle.do_record_failure(username, address)
            raise


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = ThrottledAuthenticationForm

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        throttle.do_forget_failures(form.get_user().get_username())
        return super().form_valid(form)

    def form_invalid(self, form):  # type: ignore[no-untyped-def]
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

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        messages.success(self.request, "Password changed.")
        return response


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    new_token = None
    if request.method == "POST":
        _, new_token = actions.do_create_token(request.user, request.POST.get("name", ""))  # type: ignore[arg-type]
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": request.user.api_tokens.order_by("-created_at"), "new_token": new_token},  # type: ignore[union-attr]
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    if actions.do_revoke_token(request.user, token_id):  # type: ignore[arg-type]
        messages.success(request, "Token revoked.")
    return redirect("accounts:tokens")
