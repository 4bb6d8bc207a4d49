"""Two-factor login: codes (valid, wrong, replayed), recovery codes (once), throttling, the login flow,
turning it off, an admin's reset and the requirement for admins."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from django.urls import reverse

from herodesk.accounts import actions, twofactor
from herodesk.accounts.models import RecoveryCode, SecuritySettings, TwoFactor
from herodesk.conversations.models import Event
from herodesk.errors import ActionError
from herodesk.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"
# A moment in the middle of a 30-second step, near now (sessions made by force_login must not be expired).
NOON = datetime.fromtimestamp((int(time.time()) // 30) * 30 + 15, tz=UTC)


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    settings.LOGIN_FAILURES_PER_ADDRESS = 10
    settings.LOGIN_LOCKOUT_MINUTES = 15


def _code(secret: str, moment: datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


def _turn_on(user, moment: datetime = NOON) -> tuple[str, list[str]]:
    with time_machine.travel(moment, tick=False):
        secret = actions.do_start_two_factor(user)
        codes = actions.do_confirm_two_factor(user, _code(secret, moment))
    return secret, codes


# --- Codes ---------------------------------------------------------------------------------------------


def test_the_secret_is_stored_encrypted_and_only_hashes_of_recovery_codes(agent):
    secret, codes = _turn_on(agent)
    stored = TwoFactor.objects.get(user=agent)
    assert secret not in stored.secret_encrypted
    assert twofactor.decrypt_secret(stored.secret_encrypted) == secret
    hashes = set(RecoveryCode.objects.filter(user=agent).values_list("code_hash", flat=True))
    assert len(hashes) == len(codes) == 10
    assert not any(code.replace("-", "") in h for code in codes for h in hashes)


def test_a_wrong_first_code_does_not_turn_it_on(agent):
    with time_machine.travel(NOON, tick=False):
        actions.do_start_two_factor(agent)
        with pytest.raises(ActionError):
            actions.do_confirm_two_factor(agent, "000000")
    assert twofactor.enabled_for(agent) is None


def test_a_current_code_works_once_and_an_older_one_never_after_it(agent):
    secret, _ = _turn_on(agent, NOON - timedelta(minutes=5))
    with time_machine.travel(NOON, tick=False):
        now_code = _code(secret, NOON)
        earlier = _code(secret, NOON - timedelta(seconds=30))
        assert actions.do_use_login_code(agent, now_code)
        assert not actions.do_use_login_code(agent, now_code)  # replayed within its window
        assert not actions.do_use_login_code(agent, earlier)  # still inside the window, but older
        assert not actions.do_use_login_code(agent, "123456" if now_code != "123456" else "654321")
        assert not actions.do_use_login_code(agent, "12345")
    with time_machine.travel(NOON + timedelta(seconds=30), tick=False):
        assert actions.do_use_login_code(agent, _code(secret, NOON + timedelta(seconds=30)))


def test_a_code_one_step_off_is_accepted_two_steps_off_is_not(agent):
    secret, _ = _turn_on(agent, NOON - timedelta(minutes=5))
    with time_machine.travel(NOON, tick=False):
        assert not actions.do_use_login_code(agent, _code(secret, NOON + timedelta(seconds=60)))
        assert actions.do_use_login_code(agent, _code(secret, NOON + timedelta(seconds=30)))


def test_a_recovery_code_works_once(agent):
    _, codes = _turn_on(agent)
    assert actions.do_use_login_code(agent, codes[0].upper().replace("-", " "))
    assert not actions.do_use_login_code(agent, codes[0])
    assert twofactor.status(agent).recovery_codes_left == 9


def test_another_agents_recovery_code_does_not_work(agent, other_agent):
    _turn_on(agent)
    _, others = _turn_on(other_agent)
    assert not actions.do_use_login_code(agent, others[0])


def test_a_new_secret_key_makes_the_old_codes_unreadable_not_a_crash(agent, settings):
    secret, _ = _turn_on(agent, NOON - timedelta(minutes=5))
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    with time_machine.travel(NOON, tick=False):
        assert not actions.do_use_login_code(agent, _code(secret, NOON))


# --- The login flow --------------------------------------------------------------------------------


def _password(client, username="ada", password=PASSWORD, next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data, REMOTE_ADDR="203.0.113.7")


def test_without_two_factor_the_password_logs_in(client, agent):
    response = _password(client)
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_with_two_factor_the_password_alone_does_not_log_in(client, agent):
    secret, _ = _turn_on(agent, NOON - timedelta(minutes=5))
    with time_machine.travel(NOON, tick=False):
        response = _password(client, next_url="/customers/")
        assert response.status_code == 302 and response["Location"] == CODE
        assert "_auth_user_id" not in client.session
        assert client.get("/").status_code == 302  # still the login page
        page = client.get(CODE)
        assert "6-digit code" in page.content.decode()
        response = client.post(CODE, {"code": _code(secret, NOON)})
    assert response.status_code == 302 and response["Location"] == "/customers/"
    assert client.session["_auth_user_id"] == str(agent.pk)


def test_the_code_step_takes_a_recovery_code_once(client, agent):
    _, codes = _turn_on(agent)
    _password(client)
    assert client.post(CODE, {"code": codes[3]}).status_code == 302
    client.post("/accounts/logout/")
    _password(client)
    response = client.post(CODE, {"code": codes[3]})
    assert response.status_code == 200 and "not right" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_codes_are_throttled_like_wrong_passwords(client, agent):
    secret, _ = _turn_on(agent, NOON - timedelta(minutes=5))
    with time_machine.travel(NOON, tick=False):
        _password(client)
        for _ in range(3):
            assert client.post(CODE, {"code": "000000"}, REMOTE_ADDR="203.0.113.7").status_code == 200
        response = client.post(CODE, {"code": _code(secret, NOON)}, REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 429
        assert "Too many failed logins" in response.content.decode()
        assert "_auth_user_id" not in client.session
        # The password step is paused for the account too.
        assert _password(client).status_code == 429


def test_the_code_step_without_a_password_step_goes_back_to_login(client, agent):
    _turn_on(agent)
    response = client.post(CODE, {"code": "123456"})
    assert response.status_code == 302 and response["Location"] == LOGIN


def test_the_code_step_expires(client, agent):
    secret, _ = _turn_on(agent, NOON - timedelta(minutes=5))
    with time_machine.travel(NOON, tick=False):
        _password(client)
    later = NOON + timedelta(minutes=6)
    with time_machine.travel(later, tick=False):
        response = client.post(CODE, {"code": _code(secret, later)})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


# --- Setting up and turning off on the page --------------------------------------------------------


def test_setting_up_on_the_page(client, agent):
    client.force_login(agent)
    assert "Set up two-factor" in client.get(reverse("accounts:two_factor")).content.decode()
    with time_machine.travel(NOON, tick=False):
        page = client.post(reverse("accounts:two_factor")).content.decode()
        secret = twofactor.decrypt_secret(TwoFactor.objects.get(user=agent).secret_encrypted)
        assert secret is not None and twofactor.grouped(secret) in page
        qr = client.get(reverse("accounts:two_factor_qr"))
        assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
        wrong = client.post(reverse("accounts:two_factor_confirm"), {"code": "000000"})
        assert wrong.status_code == 400 and twofactor.enabled_for(agent) is None
        done = client.post(reverse("accounts:two_factor_confirm"), {"code": _code(secret, NOON)})
    body = done.content.decode()
    assert "recovery codes" in body and body.count("<li><code>") == 10
    # Once on, neither the key nor the QR code is shown again.
    assert twofactor.grouped(secret) not in client.get(reverse("accounts:two_factor")).content.decode()
    assert client.get(reverse("accounts:two_factor_qr")).status_code == 404


def test_turning_off_needs_a_code_or_the_password(client, agent):
    _turn_on(agent)
    client.force_login(agent)
    client.post(reverse("accounts:two_factor_disable"), {"proof": "not my password"})
    assert twofactor.enabled_for(agent) is not None
    client.post(reverse("accounts:two_factor_disable"), {"proof": PASSWORD})
    assert twofactor.enabled_for(agent) is None
    assert not RecoveryCode.objects.filter(user=agent).exists()


def test_new_recovery_codes_replace_the_old_ones(client, agent):
    secret, codes = _turn_on(agent, NOON - timedelta(minutes=5))
    client.force_login(agent)
    with time_machine.travel(NOON, tick=False):
        page = client.post(reverse("accounts:two_factor_recovery"), {"code": _code(secret, NOON)})
    assert page.content.decode().count("<li><code>") == 10
    assert not actions.do_use_login_code(agent, codes[0])


# --- Admins ----------------------------------------------------------------------------------------


def test_an_admin_resets_an_agents_two_factor_and_it_is_recorded(client, agent, admin_user):
    _turn_on(agent)
    client.force_login(admin_user)
    response = client.post(reverse("administration:agent_two_factor_reset", args=[agent.pk]))
    assert response.status_code == 302
    assert twofactor.enabled_for(agent) is None
    change = Event.objects.filter(kind=Event.Kind.ADMIN_CHANGE).latest("pk")
    assert change.actor == admin_user and "Two-factor login of Ada" in change.data["summary"]


def test_a_lead_cannot_reset_two_factor(client, agent, lead):
    _turn_on(agent)
    client.force_login(lead)
    assert client.post(reverse("administration:agent_two_factor_reset", args=[agent.pk])).status_code == 403
    assert twofactor.enabled_for(agent) is not None


def test_requiring_it_needs_the_admins_own_two_factor_first(client, admin_user):
    client.force_login(admin_user)
    client.post(reverse("administration:security"), {"require_two_factor_for_admins": "on"})
    assert not twofactor.required_for_admins()
    _turn_on(admin_user)
    client.post(reverse("administration:security"), {"require_two_factor_for_admins": "on"})
    assert twofactor.required_for_admins()
    summary = Event.objects.filter(kind=Event.Kind.ADMIN_CHANGE).latest("pk").data["summary"]
    assert summary == "Two-factor login required for admins"


def test_when_required_an_admin_without_it_must_set_it_up_first(client, admin_user, agent):
    SecuritySettings.objects.create(pk=1, require_two_factor_for_admins=True)
    response = _password(client, "root")
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == reverse("accounts:two_factor")
    assert client.get("/settings/agents/")["Location"] == reverse("accounts:two_factor")
    api = client.get("/api/v1/conversations")
    assert api.status_code == 403 and "two-factor" in api.json()["detail"]
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "requires two-factor login for admins" in page
    with time_machine.travel(NOON, tick=False):
        client.post(reverse("accounts:two_factor"))
        secret = twofactor.decrypt_secret(TwoFactor.objects.get(user=admin_user).secret_encrypted)
        assert secret is not None
        client.post(reverse("accounts:two_factor_confirm"), {"code": _code(secret, NOON)})
    assert client.get("/settings/agents/").status_code == 200
    # An agent is not asked.
    other = client_for_agent(agent)
    assert other.get("/customers/").status_code == 200


def client_for_agent(agent):
    from django.test import Client

    client = Client()
    client.post(LOGIN, {"username": agent.username, "password": PASSWORD})
    return client


def test_when_required_an_admin_cannot_turn_it_off(client, admin_user):
    _turn_on(admin_user)
    SecuritySettings.objects.create(pk=1, require_two_factor_for_admins=True)
    client.force_login(admin_user)
    client.post(reverse("accounts:two_factor_disable"), {"proof": PASSWORD})
    assert twofactor.enabled_for(admin_user) is not None


def test_api_tokens_are_not_affected(client, admin_user):
    SecuritySettings.objects.create(pk=1, require_two_factor_for_admins=True)
    _, raw = actions.do_create_token(admin_user, "sync")
    response = client.get("/api/v1/conversations", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_when_the_requirement_is_lifted_the_admin_is_let_through(client, admin_user):
    SecuritySettings.objects.create(pk=1, require_two_factor_for_admins=True)
    _password(client, "root")
    assert client.get("/settings/agents/").status_code == 302
    SecuritySettings.objects.filter(pk=1).update(require_two_factor_for_admins=False)
    client.get(reverse("accounts:two_factor"))
    assert client.get("/settings/agents/").status_code == 200
