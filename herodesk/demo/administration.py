"""Demo settings: upcoming team holidays (in the audit trail like a lead's change) and an away agent."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from herodesk.accounts import actions as accounts
from herodesk.accounts.models import Team, User
from herodesk.conversations.actions import do_audited

# team, month, day, name: public holidays of each team's country
HOLIDAYS = (
    ("Support", 12, 25, "Christmas Day"),
    ("Support", 12, 26, "Second Christmas Day"),
    ("Support", 1, 1, "New Year's Day"),
    ("Billing", 12, 25, "Christmas Day"),
    ("Billing", 12, 26, "Boxing Day"),
    ("Billing", 1, 1, "New Year's Day"),
    ("Technical", 12, 25, "Christmas Day"),
    ("Technical", 1, 1, "New Year's Day"),
    ("Technical", 1, 19, "Martin Luther King Jr. Day"),
    ("Returns", 12, 25, "Christmas Day"),
    ("Returns", 4, 27, "King's Day"),
)
AWAY = ("ben",)  # on leave: automatic assignment skips him


def seed_settings() -> None:
    admin = User.objects.filter(role=User.Role.ADMIN).order_by("pk").first()
    if admin is None:
        return
    teams = {team.name: team for team in Team.objects.all()}
    today = timezone.localdate()
    for name, month, day, title in HOLIDAYS:
        team = teams.get(name)
        if team is None or team.holidays.filter(date__month=month, date__day=day).exists():
            continue
        _add_holiday(admin, team, _next(today, month, day), title)
    User.objects.filter(username__in=AWAY).update(away=True)


def _add_holiday(admin: User, team: Team, day: date, name: str) -> None:
    do_audited(admin, "teams", lambda: accounts.do_add_holiday(admin, team, day, name), str)


def _next(today: date, month: int, day: int) -> date:
    """The next time this day comes round (this year or next)."""
    this_year = date(today.year, month, day)
    return this_year if this_year >= today else date(today.year + 1, month, day)
