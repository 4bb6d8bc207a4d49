"""Writes of the accounts app: API tokens and admin creation."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from herodesk.accounts import throttle
from herodesk.accounts.models import ApiToken, LoginFailure, User, hash_token


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


@transaction.atomic
def do_set_away(user: User, away: bool) -> User:
    """The availability switch: an away agent gets no conversations by automatic assignment."""
    if user.away != away:
        user.away = away
        user.save(update_fields=["away"])
    return user
