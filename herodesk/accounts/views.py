"""Login (the password, then a two-factor code when it is on), logout, API tokens and two-factor."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from herodesk.accounts import actions, throttle, twofactor
from herodesk.accounts.middleware import SETUP_REQUIRED
from herodesk.accounts.models import User
from herodesk.accounts.requests import AuthedRequest
from herodesk.clientip import client_ip
from herodesk.errors import ActionError

T = TypeVar("T")

# Between the password step and the code step the session holds who passed the password, for a while.
PENDING = "herodesk_2fa_pending"
PENDING_SECONDS = 5 * 60


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
        user = form.get_user()
        if twofactor.enabled_for(user) is not None:
            # The password was right; logging in waits for the code (login_code). Not logged in yet.
            self.request.session[PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "at": int(time.time()),
                "next": self.get_success_url(),
            }
            return redirect("accounts:login_code")
        actions.do_forget_login_failures(user.get_username())
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


# --- Two-factor login ---------------------------------------------------------------------------------


def _pending_user(request: HttpRequest) -> tuple[User, dict] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or int(time.time()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    return (user, pending) if user is not None else None


def login_code(request: HttpRequest) -> HttpResponse:
    """The second login step: a code from the authenticator app, or a recovery code (once each)."""
    found = _pending_user(request)
    if found is None:
        request.session.pop(PENDING, None)
        messages.info(request, "Log in again: the code step waits 5 minutes.")
        return redirect("accounts:login")
    user, pending = found
    error, status = "", 200
    if request.method == "POST":
        address = client_ip(request)
        paused = throttle.check(user.username, address)
        if paused is not None:
            error, status = paused.message, 429
        elif actions.do_use_login_code(user, request.POST.get("code", "")):
            del request.session[PENDING]
            auth_login(request, user, backend=pending["backend"])
            actions.do_forget_login_failures(user.username)
            back = pending.get("next") or ""
            if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
                back = "/"
            return redirect(back or "/")
        else:
            actions.do_record_login_failure(user.username, address)
            error = "That code is not right, or it was used already. Enter the code your app shows now."
    return render(request, "accounts/login_code.html", {"error": error}, status=status)


def _codes_page(request: AuthedRequest, codes: list[str]) -> HttpResponse:
    # Shown on this response only: the codes are never stored in the clear, in a URL or in a message.
    return render(request, "accounts/two_factor.html", {"state": "codes", "codes": codes})


@login_required
def two_factor(request: AuthedRequest) -> HttpResponse:
    """The agent's two-factor page: set it up (POST starts over with a new secret), or see that it is on."""
    user = request.user
    if request.method == "POST":
        try:
            secret = actions.do_start_two_factor(user)
        except ActionError as error:
            messages.error(request, error.message)
            return redirect("accounts:two_factor")
        return _setup_page(request, secret)
    if request.session.get(SETUP_REQUIRED) and not twofactor.must_set_up(user):
        request.session.pop(SETUP_REQUIRED)  # no longer required (the setting was turned off meanwhile)
    if twofactor.enabled_for(user) is not None:
        context = {"state": "on", "status": twofactor.status(user), "two_factor": user.two_factor}
        return render(request, "accounts/two_factor.html", context)
    pending = twofactor.pending_for(user)
    shown = twofactor.decrypt_secret(pending.secret_encrypted) if pending is not None else None
    if shown is not None:  # set-up started and not confirmed yet (e.g. the page was reloaded)
        return _setup_page(request, shown)
    return render(
        request,
        "accounts/two_factor.html",
        {"state": "off", "required": request.session.get(SETUP_REQUIRED, False)},
    )


def _setup_page(request: AuthedRequest, secret: str, error: str = "") -> HttpResponse:
    context = {
        "state": "setup",
        "secret": secret,
        "grouped_secret": twofactor.grouped(secret),
        "uri": twofactor.provisioning_uri(request.user, secret),
        "error": error,
        "required": request.session.get(SETUP_REQUIRED, False),
    }
    return render(request, "accounts/two_factor.html", context, status=400 if error else 200)


@login_required
def two_factor_qr(request: AuthedRequest) -> HttpResponse:
    """The set-up QR code as SVG, only while setting up: once two-factor is on, the secret is never shown."""
    pending = twofactor.pending_for(request.user)
    secret = twofactor.decrypt_secret(pending.secret_encrypted) if pending is not None else None
    if secret is None:
        raise Http404("No two-factor set-up in progress")
    response = HttpResponse(
        twofactor.qr_svg(twofactor.provisioning_uri(request.user, secret)), content_type="image/svg+xml"
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def two_factor_confirm(request: AuthedRequest) -> HttpResponse:
    try:
        codes = actions.do_confirm_two_factor(request.user, request.POST.get("code", ""))
    except ActionError as error:
        pending = twofactor.pending_for(request.user)
        secret = twofactor.decrypt_secret(pending.secret_encrypted) if pending is not None else None
        if secret is None:
            messages.error(request, error.message)
            return redirect("accounts:two_factor")
        return _setup_page(request, secret, error.fields.get("code", error.message))
    request.session.pop(SETUP_REQUIRED, None)
    messages.success(request, "Two-factor login is on. When you log in, enter a code after your password.")
    return _codes_page(request, codes)


def _with_proof(request: AuthedRequest, run: Callable[[], T]) -> T | HttpResponse:
    """Run a change that needs a proof (a code or the password), throttled like a login: a wrong proof
    counts as a failed login for the account and the address. A redirect back when refused."""
    user = request.user
    address = client_ip(request)
    paused = throttle.check(user.username, address)
    if paused is not None:
        messages.error(request, paused.message)
        return redirect("accounts:two_factor")
    try:
        return run()
    except ActionError as error:
        actions.do_record_login_failure(user.username, address)
        messages.error(request, error.summary())
        return redirect("accounts:two_factor")


@login_required
@require_POST
def two_factor_disable(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.is_admin and twofactor.required_for_admins():
        messages.error(request, "The desk requires two-factor login for admins: it stays on.")
        return redirect("accounts:two_factor")
    done = _with_proof(request, lambda: actions.do_disable_two_factor(user, request.POST.get("proof", "")))
    if isinstance(done, HttpResponse):
        return done
    messages.success(request, "Two-factor login is off: you log in with your password alone.")
    return redirect("accounts:two_factor")


@login_required
@require_POST
def two_factor_recovery(request: AuthedRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), with a current code."""
    code = request.POST.get("code", "")
    codes = _with_proof(request, lambda: actions.do_new_recovery_codes(request.user, code))
    if isinstance(codes, HttpResponse):
        return codes
    return _codes_page(request, codes)
