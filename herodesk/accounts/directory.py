"""The desk's agents and teams as the pickers show them, read once per process (see ``herodesk.memo``).

Pickers only: who may open what is always decided on the database (``conversations.queries``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models.signals import m2m_changed, post_delete, post_save

from herodesk import memo
from herodesk.accounts.models import Team, User

KEEP_SECONDS = 30.0
KEYS = ("accounts.agents", "accounts.teams")


@dataclass(frozen=True)
class Agent:
    pk: int
    username: str
    display_name: str
    sees_everything: bool  # admins and superusers may open every conversation
    team_ids: frozenset[int]


def _load_agents() -> list[Agent]:
    members: dict[int, set[int]] = {}
    for user_id, team_id in User.teams.through.objects.values_list("user_id", "team_id"):
        members.setdefault(user_id, set()).add(team_id)
    users = User.objects.filter(is_active=True).order_by("first_name", "username")
    fields = ("pk", "username", "first_name", "last_name", "role", "is_superuser")
    return [
        Agent(
            pk=u.pk,
            username=u.username,
            display_name=u.display_name,
            sees_everything=u.is_superuser or u.role == User.Role.ADMIN,
            team_ids=frozenset(members.get(u.pk, ())),
        )
        for u in users.only(*fields)
    ]


def agents() -> list[Agent]:
    """Active agents, by first name."""
    return memo.remembered("accounts.agents", KEEP_SECONDS, _load_agents)


def teams() -> list[Team]:
    """Every team, by name (shared between requests: read, never change, these instances)."""
    return memo.remembered("accounts.teams", KEEP_SECONDS, lambda: list(Team.objects.order_by("name")))


def _forget(**kwargs: object) -> None:
    memo.forget(*KEYS)


def connect() -> None:
    """Drop the lists in this process whenever a user, a team or a membership changes."""
    for model in (User, Team):
        post_save.connect(_forget, sender=model, dispatch_uid=f"directory-save-{model.__name__}")
        post_delete.connect(_forget, sender=model, dispatch_uid=f"directory-delete-{model.__name__}")
    m2m_changed.connect(_forget, sender=User.teams.through, dispatch_uid="directory-membership")
