"""Reads of the accounts app."""

from __future__ import annotations

from django.db.models import QuerySet

from herodesk.accounts.actions import do_note_token_use
from herodesk.accounts.models import ApiToken, Team, User, hash_token


def user_for_token(raw: str) -> User | None:
    """The active user behind a raw API token, or None. Updates last use at most once a minute."""
    if not raw:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        return None
    do_note_token_use(token)
    return token.user


def default_team(user: User | None = None) -> Team | None:
    """Where new work lands when nobody chose a team: the user's first team, else the desk's first team."""
    team = user.teams.order_by("pk").first() if user is not None else None
    return team or Team.objects.order_by("pk").first()


def active_agents() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("first_name", "username")


def all_teams() -> QuerySet[Team]:
    return Team.objects.order_by("name")
