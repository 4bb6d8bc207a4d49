"""Reads of the accounts app."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from herodesk.accounts.models import ApiToken, Team, User, hash_token


def user_for_token(raw: str) -> User | None:
    """The active user behind a raw API token, or None. Updates last use at most once a minute."""
    if not raw:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def active_agents() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("first_name", "username")


def all_teams() -> QuerySet[Team]:
    return Team.objects.order_by("name")
