"""Demo data: a lively desk with teams, agents, customers and ~5,000 realistic conversations.

The stories come from per-reason templates (`texts.py`), planned as plain values (`plans.py`) by the story
planner (`stories.py`), around the desk's cast of teams, agents, reasons, tags and customers (`cast.py`),
and stored in bulk with their search entries (`writer.py`). `herodesk.bench.seed` reuses the same story
planner for its millions of rows, so demo and benchmark data read alike and search the same way.
"""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from herodesk.demo.administration import seed_settings
from herodesk.demo.cast import (
    AGENTS,
    DEMO_PASSWORD,
    TEAMS,
    DemoLogin,
    DemoSummary,
    _create_customers,
    agents_by_team,
    ensure_agents,
    ensure_reasons_and_tags,
    ensure_teams,
)
from herodesk.demo.hero import MOMENTS as HERO_MOMENTS
from herodesk.demo.hero import seed_hero_moments
from herodesk.demo.macros import seed_saved_replies
from herodesk.demo.plans import (
    DeskCast,
    PlannedConversation,
    PlannedEvent,
    PlannedMessage,
    aware,
    iso,
    moment,
)
from herodesk.demo.proposals import TOPICS, seed_emerging_topics
from herodesk.demo.quality import seed_quality
from herodesk.demo.sla import seed_slas
from herodesk.demo.stories import StoryPlanner
from herodesk.demo.teamwork import seed_teamwork
from herodesk.demo.texts import DOMAINS, FIRST_NAMES, LAST_NAMES, REASONS, TAGS, ReasonText
from herodesk.demo.writer import _write_conversations, search_body

__all__ = [
    "AGENTS",
    "DEMO_PASSWORD",
    "DOMAINS",
    "FIRST_NAMES",
    "LAST_NAMES",
    "REASONS",
    "TAGS",
    "TEAMS",
    "DemoLogin",
    "DemoSummary",
    "DeskCast",
    "PlannedConversation",
    "PlannedEvent",
    "PlannedMessage",
    "ReasonText",
    "StoryPlanner",
    "agents_by_team",
    "aware",
    "ensure_agents",
    "ensure_reasons_and_tags",
    "ensure_teams",
    "iso",
    "moment",
    "search_body",
    "seed_demo",
]


def seed_demo_logins() -> DemoSummary:
    """The demo's teams and logins only (a second or two): the demo serves and people can log in while
    ``seed_demo`` fills in the rest in the background (it finds these and keeps them)."""
    summary = DemoSummary()
    with transaction.atomic():
        ensure_agents(ensure_teams(), summary)
    return summary


def seed_demo(conversations: int = 5000, customers: int = 2000, seed: int = 7) -> DemoSummary:
    """Fill a freshly migrated database with a realistic desk; deterministic for a given seed."""
    rng = random.Random(seed)
    summary = DemoSummary()
    with transaction.atomic():
        teams = ensure_teams()
        users = ensure_agents(teams, summary)
        reasons, tags = ensure_reasons_and_tags()
        names = _create_customers(rng, customers)
    cast = DeskCast(
        team_ids={team.name: team.pk for team in teams},
        agents_by_team=agents_by_team(users, teams),
        agent_names={user.pk: user.first_name for user in users},
        reason_ids=[reasons[r.name].pk for r in REASONS],
        tag_ids={tag.name: tag.pk for tag in tags},
        customer_ids=list(names),
        customer_names=names,
        now=timezone.now().timestamp(),
        # A small demo spans fewer days so that it still looks like a live desk with recent work.
        days=max(10, min(90, conversations // 55)),
    )
    heroes = min(len(HERO_MOMENTS), conversations // 8)  # part of the count asked for
    per_topic = min(18, conversations // 30)  # new topics with no reason yet: see demo/proposals.py
    stories = conversations - heroes - per_topic * len(TOPICS)
    _write_conversations(StoryPlanner(cast, seed), stories, summary)
    seed_hero_moments(cast, summary, heroes)  # herodesk/demo/hero.py: near deadlines and missed ones
    seed_emerging_topics(cast, summary, per_topic, seed)
    seed_quality(seed)  # herodesk/demo/quality.py: rubric, a week of reviews, calibration
    seed_saved_replies()
    seed_settings()
    seed_slas()  # SLA policies and targets, some near or past their deadline (herodesk/demo/sla.py)
    summary.teamwork = seed_teamwork()
    summary.teams, summary.customers = len(teams), len(names)
    return summary
