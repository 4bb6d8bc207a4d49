"""The demo desk's cast (ORM, small enough for bulk_create): teams, agents, reasons, tags, customers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import time

from django.contrib.auth.hashers import make_password

from herodesk.accounts.models import Team, User
from herodesk.conversations.models import ContactReason, Tag
from herodesk.customers.models import Customer, Identity, Organization
from herodesk.demo.texts import DOMAINS, FIRST_NAMES, LAST_NAMES, ORG_SUFFIXES, REASONS, TAGS

DEMO_PASSWORD = "herodesk-demo"  # noqa: S105 - a published demo login, printed by the CLI

TEAMS = (
    ("Support", "Europe/Berlin", time(8, 0), time(18, 0), False),
    ("Billing", "Europe/London", time(9, 0), time(17, 0), False),
    ("Technical", "America/New_York", time(9, 0), time(17, 0), True),
    ("Returns", "Europe/Amsterdam", time(9, 0), time(17, 30), False),
)
# username, first name, last name, role, teams
AGENTS = (
    ("admin", "Alex", "Admin", "admin", ()),
    ("lead", "Lena", "Lindqvist", "lead", ("Support", "Returns")),
    ("maria", "Maria", "Costa", "lead", ("Billing", "Technical")),
    ("agent", "Ada", "Okafor", "agent", ("Support",)),
    ("ben", "Ben", "Becker", "agent", ("Support",)),
    ("chen", "Chen", "Zhang", "agent", ("Support", "Returns")),
    ("dara", "Dara", "Quinn", "agent", ("Billing",)),
    ("emil", "Emil", "Eriksen", "agent", ("Billing",)),
    ("fatima", "Fatima", "Haddad", "agent", ("Technical",)),
    ("gus", "Gus", "Grant", "agent", ("Technical",)),
    ("hana", "Hana", "Nakamura", "agent", ("Returns",)),
    ("ivan", "Ivan", "Petrov", "agent", ("Returns", "Support")),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


@dataclass
class DemoSummary:
    teams: int = 0
    agents: int = 0
    customers: int = 0
    conversations: int = 0
    messages: int = 0
    events: int = 0
    logins: list[DemoLogin] = field(default_factory=list)
    teamwork: dict[str, int] = field(default_factory=dict)  # conversations the teamwork demo acted on


def ensure_teams() -> list[Team]:
    return [
        Team.objects.get_or_create(
            name=name,
            defaults={"time_zone": tz, "opens_at": opens, "closes_at": closes, "weekend_open": weekend},
        )[0]
        for name, tz, opens, closes, weekend in TEAMS
    ]


def ensure_agents(teams: list[Team], summary: DemoSummary) -> list[User]:
    by_name = {team.name: team for team in teams}
    password = make_password(DEMO_PASSWORD)  # hash once: PBKDF2 is slow on purpose
    users = []
    for username, first, last, role, team_names in AGENTS:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "role": role,
                      "email": f"{username}@desk.example",
                      "password": password, "is_staff": role == "admin", "is_superuser": role == "admin"},
        )
        user.teams.set([by_name[name] for name in team_names])
        users.append(user)
        summary.logins.append(DemoLogin(username, DEMO_PASSWORD, role))
    summary.agents = len(users)
    return users


def agents_by_team(users: list[User], teams: list[Team]) -> dict[int, list[int]]:
    members: dict[int, list[int]] = {team.pk: [] for team in teams}
    for user in users:
        for team in user.teams.all():
            if user.role == User.Role.AGENT or not members[team.pk]:
                members[team.pk].append(user.pk)
    return members


def ensure_reasons_and_tags() -> tuple[dict[str, ContactReason], list[Tag]]:
    reasons = {
        reason.name: ContactReason.objects.get_or_create(
            name=reason.name, defaults={"description": reason.subjects[0]}
        )[0]
        for reason in REASONS
    }
    tags = [Tag.objects.get_or_create(name=name)[0] for name in TAGS]
    return reasons, tags


def _create_customers(rng: random.Random, count: int) -> dict[int, tuple[str, str]]:
    orgs = _ensure_organizations(rng, max(1, count // 50))
    start = (Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    people, identities, names = [], [], {}
    for pk in range(start, start + count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        org = rng.choice(orgs) if rng.random() < 0.15 else None
        people.append(Customer(pk=pk, name=f"{first} {last}", organization=org, value=rng.randrange(0, 5000),
                               notes="VIP: prefers phone calls." if rng.random() < 0.03 else ""))
        identities.extend(_identities_for(rng, pk, first, last, org))
        names[pk] = (first, last)
    Customer.objects.bulk_create(people, batch_size=500)
    Identity.objects.bulk_create(identities, batch_size=500)
    return names


def _ensure_organizations(rng: random.Random, count: int) -> list[Organization]:
    wanted = [Organization(name=f"{rng.choice(LAST_NAMES)} {suffix} {i}", domain=f"org{i}.example.com")
              for i, suffix in enumerate(rng.choices(ORG_SUFFIXES, k=count))]
    Organization.objects.bulk_create(wanted, ignore_conflicts=True)  # a second demo run reuses them
    stored = Organization.objects.in_bulk([org.name for org in wanted], field_name="name")
    return [stored[org.name] for org in wanted]


def _identities_for(
    rng: random.Random, pk: int, first: str, last: str, org: Organization | None
) -> list[Identity]:
    domain = org.domain if org else rng.choice(DOMAINS)
    found = []
    if rng.random() < 0.9:
        found.append(Identity(customer_id=pk, kind="email", value=f"{first}.{last}{pk}@{domain}".lower()))
    if not found or rng.random() < 0.3:
        found.append(Identity(customer_id=pk, kind="phone", value=f"49170{pk:07d}"))
    return found
