"""Writes of the accounts app: API tokens, admin creation, and the administration of agents and teams."""

from __future__ import annotations

import re
import secrets
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from django.db import transaction
from django.utils import timezone

from herodesk.accounts import throttle, twofactor
from herodesk.accounts.models import (
    ApiToken,
    Holiday,
    LoginFailure,
    RecoveryCode,
    SecuritySettings,
    Team,
    TwoFactor,
    User,
    hash_token,
)
from herodesk.errors import ActionError


@transaction.atomic
def do_create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value, which is never stored and shown only once."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, name=(name or "API token").strip()[:100], key_hash=hash_token(raw), hint=raw[:8]
    )
    return token, raw


@transaction.atomic
def do_revoke_token(user: User, token_id: int) -> bool:
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0


@transaction.atomic
def do_create_admin(username: str, email: str, password: str) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"email": email})
    user.email = email
    user.role = User.Role.ADMIN
    user.is_staff = True
    user.set_password(password)
    user.save()
    return user


def do_note_token_use(token: ApiToken) -> None:
    """Record when a token was last used, at most once a minute (one write, not one per request)."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


@transaction.atomic
def do_record_login_failure(username: str, ip_address: str | None) -> None:
    now = timezone.now()
    LoginFailure.objects.filter(created_at__lt=now - 2 * throttle.window()).delete()  # keep the table small
    LoginFailure.objects.create(
        username=throttle.normal_username(username), ip_address=ip_address, created_at=now
    )


@transaction.atomic
def do_forget_login_failures(username: str) -> None:
    """After a successful login the account starts afresh (the address keeps its count)."""
    LoginFailure.objects.filter(username=throttle.normal_username(username)).delete()


# --- Administration: agents, teams, holidays (pages in herodesk/administration) ---------------------
# Each returns what changed in words, for the audit trail: herodesk.conversations.actions records it as an
# Event in the same transaction (accounts sits below conversations and cannot write events itself).


def _require(actor: User, admin: bool = False) -> None:
    if admin and not actor.is_admin:
        raise ActionError("Only admins change roles and deactivate agents.")
    if not actor.is_lead:
        raise ActionError("Only team leads and admins change the desk's settings.")


def _require_team(actor: User, team: Team | None) -> None:
    """A lead changes only their own teams (hours, time zone, assignment, holidays); an admin every team."""
    _require(actor)
    if team is not None and not actor.is_admin and not actor.teams.filter(pk=team.pk).exists():
        raise ActionError("Leads change only their own teams.")


@dataclass
class Invitation:
    username: str
    first_name: str
    last_name: str = ""
    email: str = ""
    role: str = User.Role.AGENT
    teams: Sequence[Team] = ()


def _check_invitation(invitation: Invitation) -> None:
    errors: dict[str, str] = {}
    if not re.fullmatch(r"[\w.@+-]{2,150}", invitation.username):
        errors["username"] = "Use 2–150 letters, digits and . @ + - _"
    elif User.objects.filter(username__iexact=invitation.username).exists():
        errors["username"] = f"“{invitation.username}” is taken."
    if not invitation.first_name.strip():
        errors["first_name"] = "The name agents and customers see."
    if invitation.role not in User.Role.values:
        errors["role"] = "Choose agent, team lead or admin."
    if errors:
        raise ActionError("The agent cannot be added", errors)


@transaction.atomic
def do_invite_agent(actor: User, invitation: Invitation) -> tuple[User, str]:
    """A new agent with an initial password, returned once to show to the inviter (only its hash is kept)."""
    _require(actor, admin=invitation.role != User.Role.AGENT)
    _check_invitation(invitation)
    password = secrets.token_urlsafe(12)
    user = User(
        username=invitation.username,
        first_name=invitation.first_name.strip()[:150],
        last_name=invitation.last_name.strip()[:150],
        email=invitation.email.strip()[:254],
        role=invitation.role,
    )
    user.set_password(password)
    user.save()
    user.teams.set(invitation.teams)
    return user, password


@transaction.atomic
def do_set_role(actor: User, user: User, role: str) -> str:
    _require(actor, admin=True)
    if role not in User.Role.values:
        raise ActionError("Unknown role", {"role": "Choose agent, team lead or admin."})
    if user.pk == actor.pk and role != User.Role.ADMIN:
        raise ActionError("You cannot take away your own admin role", {"role": "Ask another admin."})
    old = user.get_role_display()
    user.role = role
    user.save(update_fields=["role"])
    return f"Role of {user.display_name} changed from {old} to {user.get_role_display()}"


@transaction.atomic
def do_set_teams(actor: User, user: User, teams: Sequence[Team]) -> str:
    _require(actor)
    user.teams.set(teams)
    names = ", ".join(team.name for team in teams) or "no team"
    return f"Teams of {user.display_name} set to {names}"


@transaction.atomic
def do_set_active(actor: User, user: User, active: bool) -> str:
    """Deactivate (cannot log in, sessions and API tokens stop working) or reactivate an agent."""
    _require(actor, admin=True)
    if user.pk == actor.pk and not active:
        raise ActionError("You cannot deactivate yourself.")
    user.is_active = active
    user.save(update_fields=["is_active"])
    return f"{user.display_name} {'reactivated' if active else 'deactivated'}"


@dataclass
class TeamSettings:
    name: str
    time_zone: str = "UTC"
    opens_at: time = time(9, 0)
    closes_at: time = time(17, 0)
    weekend_open: bool = False
    assignment: str = Team.Assignment.MANUAL


def _check_team(settings: TeamSettings, team: Team | None) -> None:
    errors: dict[str, str] = {}
    name = " ".join(settings.name.split())
    if not name or len(name) > 100:
        errors["name"] = "Give the team a name (at most 100 characters)."
    elif Team.objects.filter(name__iexact=name).exclude(pk=team.pk if team else 0).exists():
        errors["name"] = f"A team called “{name}” exists already."
    if settings.time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = "Choose a time zone such as Europe/Berlin or America/New_York."
    if settings.opens_at >= settings.closes_at:
        errors["closes_at"] = "The team must close after it opens."
    if settings.assignment not in Team.Assignment.values:
        errors["assignment"] = "Choose manual, round robin or balanced."
    if errors:
        raise ActionError("The team cannot be saved", errors)


def _describe_team(team: Team) -> str:
    days = "every day" if team.weekend_open else "Monday to Friday"
    return (
        f"{team.name}: {team.time_zone}, {team.opens_at:%H:%M}–{team.closes_at:%H:%M} {days}, "
        f"assignment {team.get_assignment_display().lower()}"
    )


@transaction.atomic
def do_save_team(actor: User, team: Team | None, settings: TeamSettings) -> tuple[Team, str]:
    """Create a team (team None) or change one; leads change only their own teams."""
    _require_team(actor, team)
    _check_team(settings, team)
    before = _describe_team(team) if team is not None else ""
    team = team or Team()
    team.name = " ".join(settings.name.split())
    team.time_zone = settings.time_zone
    team.opens_at, team.closes_at = settings.opens_at, settings.closes_at
    team.weekend_open = settings.weekend_open
    team.assignment = settings.assignment
    team.save()
    after = _describe_team(team)
    return team, (f"Team changed from {before} to {after}" if before else f"Team created: {after}")


@transaction.atomic
def do_add_holiday(actor: User, team: Team, day: date, name: str = "") -> str:
    _require_team(actor, team)
    if Holiday.objects.filter(team=team, date=day).exists():
        raise ActionError("That day is a holiday already", {"date": f"{day:%d %B %Y} is already off."})
    Holiday.objects.create(team=team, date=day, name=name.strip()[:100])
    return f"Holiday {name.strip() or 'added'} on {day:%A %d %B %Y} for {team.name}"


@transaction.atomic
def do_remove_holiday(actor: User, holiday: Holiday) -> str:
    _require_team(actor, holiday.team)
    holiday.delete()
    return f"Holiday {holiday.name or ''} on {holiday.date:%A %d %B %Y} removed for {holiday.team.name}"


@transaction.atomic
def do_set_away(user: User, away: bool) -> User:
    """The availability switch: an away agent gets no conversations by automatic assignment."""
    if user.away != away:
        user.away = away
        user.save(update_fields=["away"])
    return user


# --- Two-factor login (accounts/twofactor.py reads; these write) ------------------------------------


@transaction.atomic
def do_start_two_factor(user: User) -> str:
    """Begin setting up (or start over): a new secret, returned to show once; nothing changes at login yet."""
    if twofactor.enabled_for(user) is not None:
        raise ActionError("Two-factor login is on already. Turn it off first to set up a new device.")
    secret = twofactor.new_secret()
    TwoFactor.objects.update_or_create(
        user=user,
        defaults={
            "secret_encrypted": twofactor.encrypt_secret(secret),
            "created_at": timezone.now(),
            "confirmed_at": None,
            "last_time_step": 0,
        },
    )
    return secret


@transaction.atomic
def do_confirm_two_factor(user: User, code: str) -> list[str]:
    """The first code from the app turns two-factor on; returns new recovery codes (only hashes are kept)."""
    pending = TwoFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    secret = twofactor.decrypt_secret(pending.secret_encrypted) if pending is not None else None
    if pending is None or secret is None:
        raise ActionError("Start the set-up again: scan the new code.")
    step = twofactor.matching_step(secret, code)
    if step is None:
        raise ActionError(
            "That code is not right", {"code": "Enter the 6 digits your app shows now for herodesk."}
        )
    pending.confirmed_at = timezone.now()
    pending.last_time_step = step
    pending.save(update_fields=["confirmed_at", "last_time_step"])
    return _new_recovery_codes(user)


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = twofactor.new_recovery_codes()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=twofactor.hash_recovery_code(code)) for code in codes
    )
    return codes


@transaction.atomic
def do_new_recovery_codes(user: User, code: str) -> list[str]:
    """Replace the recovery codes (the old ones stop working); needs a current code."""
    if not do_use_login_code(user, code):
        raise ActionError("That code is not right", {"code": "Enter a current code from your app."})
    return _new_recovery_codes(user)


@transaction.atomic
def do_use_login_code(user: User, code: str) -> bool:
    """Check a login code: a TOTP code newer than the last one accepted, or an unused recovery code.

    Accepting it is the write: the code's time step is stored (so it cannot be used again, nor an older
    one), or the recovery code is marked used. Both are single conditional UPDATEs, so two requests with
    the same code cannot both pass.
    """
    found = twofactor.enabled_for(user)
    if found is None:
        return False
    if twofactor.looks_like_recovery_code(code):
        used = RecoveryCode.objects.filter(
            user=user, code_hash=twofactor.hash_recovery_code(code), used_at__isnull=True
        ).update(used_at=timezone.now())
        return used == 1
    secret = twofactor.decrypt_secret(found.secret_encrypted)
    step = twofactor.matching_step(secret, code) if secret is not None else None
    if step is None:
        return False
    accepted = TwoFactor.objects.filter(pk=found.pk, last_time_step__lt=step).update(last_time_step=step)
    return accepted == 1


@transaction.atomic
def do_disable_two_factor(user: User, code_or_password: str) -> None:
    """Turn one's own two-factor off: needs a current code (or a recovery code) or the password."""
    proof = (code_or_password or "").strip()
    if not proof or not (user.check_password(proof) or do_use_login_code(user, proof)):
        raise ActionError(
            "Two-factor login stays on",
            {"proof": "Enter a current code from your app, a recovery code or your password."},
        )
    TwoFactor.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()


@transaction.atomic
def do_reset_two_factor(actor: User, user: User) -> str:
    """An admin turns another agent's two-factor off (a lost phone); they log in with the password alone."""
    if not actor.is_admin:
        raise ActionError("Only admins reset two-factor login.")
    if user.pk == actor.pk:
        raise ActionError(
            "Turn your own two-factor login off under Two-factor, with a code or your password."
        )
    deleted, _ = TwoFactor.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    if not deleted:
        raise ActionError(f"{user.display_name} has no two-factor login to reset.")
    return f"Two-factor login of {user.display_name} reset (turned off)"


@transaction.atomic
def do_set_security(actor: User, require_two_factor_for_admins: bool) -> str:
    """Admins only. Requiring two-factor for admins needs the acting admin to have it on already."""
    if not actor.is_admin:
        raise ActionError("Only admins change the desk's security settings.")
    if require_two_factor_for_admins and twofactor.enabled_for(actor) is None:
        raise ActionError(
            "Set up your own two-factor login first",
            {"require_two_factor_for_admins": "Turn it on for yourself under Two-factor, then require it."},
        )
    current, _ = SecuritySettings.objects.get_or_create(pk=1)
    if current.require_two_factor_for_admins == require_two_factor_for_admins:
        return "Security settings unchanged"
    current.require_two_factor_for_admins = require_two_factor_for_admins
    current.changed_at = timezone.now()
    current.save()
    if require_two_factor_for_admins:
        return "Two-factor login required for admins"
    return "Two-factor login no longer required for admins"
