"""Every page and API endpoint × anonymous / agent of the own team / agent of another team / lead / admin.

The list of routes comes from the URL configuration (and the OpenAPI document for the API), so a new page
or endpoint fails this test until it is given its access rule below. Every request runs in a transaction
that is rolled back, so one role's POST never changes what the next role sees. Expected outcomes:
- ``LOGIN``: anonymous gets the login redirect (pages) or 401 (API);
- ``HIDDEN``: 404, for another team's conversation (never a hint that it exists);
- ``FORBIDDEN``: 403, for pages of a higher role;
- ``ALLOWED``: anything below 500 except 401, 403, 404, 405 and the login redirect (a POST without data
  may be a 400 or a form with errors: access was granted);
and no request, of any role, is a 5xx.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from herodesk.accounts.actions import do_add_holiday, do_create_token, do_set_teams
from herodesk.accounts.models import ApiToken
from herodesk.api import api
from herodesk.channels.email.models import InboundMail, Mailbox
from herodesk.channels.webform.actions import do_issue_link
from herodesk.channels.webform.models import AddressClaim, hash_link_token
from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.models import Tag
from herodesk.insights import actions as insight_actions
from herodesk.insights.models import Promise
from herodesk.macros.actions import SavedReplyDraft, do_create_saved_reply
from herodesk.notifications.actions import do_notify
from herodesk.quality import actions as quality_actions
from herodesk.quality.models import Behaviour
from herodesk.slas import actions as sla_actions
from herodesk.tests.factories import ConversationFactory, CustomerFactory

pytestmark = pytest.mark.django_db

CLAIM_TOKEN = "claim-token-for-the-matrix"
ROLES = ("anonymous", "agent", "other_team", "lead", "admin")
ALLOWED, LOGIN, HIDDEN, FORBIDDEN, REFUSED = "allowed", "login", "404", "403", "refused"

# Who may do what, by role.
RULES: dict[str, dict[str, str]] = {
    "public": dict.fromkeys(ROLES, ALLOWED),
    "desk": {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], ALLOWED)},
    "team": {"anonymous": LOGIN, "agent": ALLOWED, "other_team": HIDDEN, "lead": ALLOWED, "admin": ALLOWED},
    "lead": {
        "anonymous": LOGIN,
        "agent": FORBIDDEN,
        "other_team": FORBIDDEN,
        "lead": ALLOWED,
        "admin": ALLOWED,
    },
    "admin": {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:4], FORBIDDEN), "admin": ALLOWED},
    # The agent's own notification or token: nobody else's, not even an admin's, to open.
    "own": {"anonymous": LOGIN, "agent": ALLOWED, **dict.fromkeys(ROLES[2:], HIDDEN)},
    # A webhook with no token: refused for everyone (a 4xx), never served.
    "token": dict.fromkeys(ROLES, REFUSED),
    # A lead page of one team (its quality rubric changes, sample, calibration, AutoQA agreement): the
    # team's agents may not (403), another team's agent does not learn the team exists (404).
    "team_lead": {
        "anonymous": LOGIN,
        "agent": FORBIDDEN,
        "other_team": HIDDEN,
        "lead": ALLOWED,
        "admin": ALLOWED,
    },
}


@dataclass
class World:
    """What the routes point at: all in the Support team, Ada's where it is someone's."""

    conversation_id: int
    attachment_id: int
    customer_id: int
    other_customer_id: int
    mailbox_id: int
    inbound_id: int
    notification_id: int
    token_id: int
    status_token: str
    team_id: int
    review_id: int
    score_id: int
    dispute_id: int
    calibration_id: int
    team_reply_id: int
    personal_reply_id: int
    agent_id: int
    holiday_id: int
    reason_id: int
    other_reason_id: int
    tag_id: int
    other_tag_id: int
    coaching_plan_id: int
    reply_message_id: int
    scenario_id: int
    attempt_id: int
    policy_id: int
    scheduled_id: int
    promise_id: int


@dataclass
class Case:
    rule: str
    methods: tuple[str, ...] = ("get",)
    args: Callable[[World], dict[str, Any]] = lambda world: {}
    data: Callable[[World], dict[str, Any]] = lambda world: {}
    query: str = ""
    # A rule per method where a write needs more than reading (a team's rubric: its agents read it).
    method_rules: dict[str, str] = field(default_factory=dict)
    # The outcome for a role where it differs from the rule, with the reason.
    exceptions: dict[str, str] = field(default_factory=dict)


def conversation(world: World) -> dict[str, Any]:
    return {"pk": world.conversation_id}


def customer(world: World) -> dict[str, Any]:
    return {"pk": world.customer_id}


def mailbox(world: World) -> dict[str, Any]:
    return {"mailbox_id": world.mailbox_id}


def other_customer(world: World) -> dict[str, Any]:
    return {"other": world.other_customer_id}


def team(world: World) -> dict[str, Any]:
    return {"team_id": world.team_id}


def review(world: World) -> dict[str, Any]:
    return {"pk": world.review_id}


def personal_reply(world: World) -> dict[str, Any]:
    return {"pk": world.personal_reply_id}


def reason(world: World) -> dict[str, Any]:
    return {"pk": world.reason_id}


def tag(world: World) -> dict[str, Any]:
    return {"pk": world.tag_id}


def scheduled(world: World) -> dict[str, Any]:
    return {"pk": world.conversation_id, "item": world.scheduled_id}


def promise(world: World) -> dict[str, Any]:
    return {"pk": world.conversation_id, "item": world.promise_id}


CONVERSATION_ACTIONS = (
    "reply",
    "note",
    "status",
    "snooze",
    "assign",
    "transfer",
    "tags",
    "priority",
    "reason",
)

PAGES: dict[str, Case] = {
    "accounts:login": Case("public", ("get", "post")),
    "accounts:logout": Case("public", ("post",), exceptions=dict.fromkeys(ROLES, LOGIN)),  # back to login
    "accounts:password_change": Case("desk", ("get", "post")),
    "accounts:tokens": Case("desk", ("get", "post")),
    # Revokes only the user's own tokens: someone else's id changes nothing (test_revoking_...).
    "accounts:revoke_token": Case("desk", ("post",), args=lambda w: {"token_id": w.token_id}),
    "accounts:availability": Case("desk", ("post",)),  # one's own availability switch
    # The code step after the password: without a password step just done, everyone is sent to log in.
    "accounts:login_code": Case("public", ("get", "post"), exceptions=dict.fromkeys(ROLES, LOGIN)),
    "accounts:two_factor": Case("desk", ("get", "post")),  # one's own two-factor login
    # The set-up QR code exists only while one's own set-up is in progress: none here, so 404 for all.
    "accounts:two_factor_qr": Case("desk", exceptions=dict.fromkeys(ROLES[1:], HIDDEN)),
    "accounts:two_factor_confirm": Case("desk", ("post",), data=lambda w: {"code": "000000"}),
    "accounts:two_factor_disable": Case("desk", ("post",), data=lambda w: {"proof": "wrong"}),
    "accounts:two_factor_recovery": Case("desk", ("post",), data=lambda w: {"code": "000000"}),
    "customers:list": Case("desk"),
    "customers:detail": Case("desk", args=customer),  # customer records are shared by the desk
    "customers:merge": Case("lead", ("get", "post"), args=customer, query="other"),
    "customers:export": Case("desk", args=customer),  # filtered to what the agent may open
    "customers:delete": Case("admin", ("post",), args=customer),
    "insights:hero_moments": Case("desk"),
    "insights:promises": Case("desk"),
    "insights:reasons": Case("lead"),
    "insights:create_reason": Case("lead", ("post",), data=lambda w: {"name": "Refunds"}),
    "insights:retrain_reasons": Case("lead", ("post",)),
    "notifications:list": Case("desk"),
    "notifications:open": Case("own", args=lambda w: {"pk": w.notification_id}),
    "notifications:mark_all_read": Case("desk", ("post",)),
    "notifications:email_preference": Case("desk", ("post",)),  # one's own setting
    "presence:poll": Case("team", ("post",), args=conversation),
    "presence:leave": Case("team", ("post",), args=conversation),
    "presence:inbox": Case("desk"),  # lists only conversations the agent may open (test_presence)
    "email_channel:mailboxes": Case("admin"),
    "email_channel:mailbox_new": Case("admin", ("get", "post")),
    "email_channel:mailbox_edit": Case("admin", ("get", "post"), args=mailbox),
    "email_channel:mailbox_test": Case("admin", ("post",), args=mailbox),
    "email_channel:mailbox_poll": Case("admin", ("post",), args=mailbox),
    "email_channel:mailbox_webhook_token": Case("admin", ("post",), args=mailbox),
    "email_channel:inbound_reprocess": Case("admin", ("post",), args=lambda w: {"inbound_id": w.inbound_id}),
    "email_channel:inbound": Case("token", ("post",), args=mailbox),
    "webform:contact": Case("public", ("get", "post")),
    "webform:status": Case("public", ("get", "post"), args=lambda w: {"token": w.status_token}),
    "webform:confirm": Case("public", ("get", "post"), args=lambda w: {"token": CLAIM_TOKEN}),
    "phone:new_call": Case("desk", ("get", "post")),
    "conversations:home": Case("desk"),
    "conversations:inbox": Case("desk", args=lambda w: {"view": "mine"}),
    "conversations:detail": Case("team", args=conversation),
    **{f"conversations:{name}": Case("team", ("post",), args=conversation) for name in CONVERSATION_ACTIONS},
    "conversations:customer": Case("team", ("post",), args=conversation),
    "conversations:handoff_seen": Case("team", ("post",), args=conversation),
    "conversations:merge": Case("team", ("post",), args=conversation),
    "conversations:split": Case("team", ("post",), args=conversation),
    # Changes only the selected conversations the agent may open (test_bulk_ignores_...).
    "conversations:bulk": Case("desk", ("post",)),
    "conversations:attachment": Case("team", args=lambda w: {"pk": w.attachment_id}),
    "conversations:search": Case("desk", query="q"),
    # The API's own pages; its endpoints are checked from the OpenAPI document below.
    "api-v1:openapi-json": Case("public"),
    "api-v1:openapi-view": Case("public"),
    "api-v1:api-root": Case("public", exceptions=dict.fromkeys(ROLES, HIDDEN)),  # no page at the root
    # Quality: a team's pages for its members (agents read the rubric and their own scorecard), the lead
    # pages for its leads; a review for its agent, its reviewer and the team's leads.
    "quality:overview": Case("desk"),
    "quality:rubric": Case("team", ("get", "post"), args=team, method_rules={"post": "team_lead"}),
    "quality:sample": Case("team_lead", ("get", "post"), args=team),
    "quality:calibrations": Case("team_lead", ("get", "post"), args=team),
    "quality:autoqa": Case("team_lead", args=team),
    "quality:scorecards": Case("team", args=team),
    "quality:start_review": Case("team", ("post",), args=lambda w: {"conversation_id": w.conversation_id}),
    "quality:review": Case("team", ("get", "post"), args=review),
    "quality:pin_comment": Case("team", ("post",), args=review),
    "quality:acknowledge": Case("team", ("post",), args=review),
    "quality:dispute": Case("team", ("post",), args=lambda w: {"pk": w.score_id}),
    "quality:resolve_dispute": Case("team", ("post",), args=lambda w: {"pk": w.dispute_id}),
    # Ada is one of the session's two reviewers.
    "quality:calibration": Case(
        "team",
        ("get", "post"),
        args=lambda w: {"pk": w.calibration_id},
        data=lambda w: {"conversation": w.conversation_id},
    ),
    # Coaching: the team's leads plan; a plan opens for its agent and the team's leads.
    "quality:coaching": Case("team_lead", ("get", "post"), args=team),
    "quality:coaching_plan": Case("team", args=lambda w: {"pk": w.coaching_plan_id}),  # Ada's plan
    "quality:give_kudos": Case(
        "team", ("post",), args=lambda w: {"message_id": w.reply_message_id}, data=lambda w: {"text": "Great"}
    ),
    "quality:stories": Case("team", args=team),
    "quality:smiles": Case("team", args=team),
    # Practice: the team's scenarios for its members; an attempt for its agent and the team's leads, who
    # alone score it.
    "quality:practice": Case("team", args=team),
    # Agents reach it; the action refuses anyone but a lead of the team (nothing changes, test_practice).
    "quality:create_scenario": Case(
        "team",
        ("post",),
        args=lambda w: {"conversation_id": w.conversation_id},
        data=lambda w: {"title": "T"},
    ),
    "quality:scenario": Case(
        "team", ("get", "post"), args=lambda w: {"pk": w.scenario_id}, data=lambda w: {"reply": "Sorry!"}
    ),
    "quality:practice_attempt": Case(
        "team", ("get", "post"), args=lambda w: {"pk": w.attempt_id}, method_rules={"post": "team_lead"}
    ),
    # SLAs: policies and the report are lead pages; the rest acts on the conversation.
    "slas:report": Case("lead"),
    "slas:policies": Case("lead", ("get", "post")),
    "slas:edit_policy": Case("lead", ("get", "post"), args=lambda w: {"pk": w.policy_id}),
    "slas:delete_policy": Case("lead", ("post",), args=lambda w: {"pk": w.policy_id}),
    "slas:schedule": Case(
        "team",
        ("post",),
        args=conversation,
        data=lambda w: {"text": "Any news?", "send_at": "2031-01-06 10:00"},
    ),
    "slas:edit_scheduled": Case(
        "team", ("post",), args=scheduled, data=lambda w: {"text": "Any news?", "send_at": "2031-01-06 11:00"}
    ),
    "slas:cancel_scheduled": Case("team", ("post",), args=scheduled),
    "slas:promise_kept": Case("team", ("post",), args=promise),
    "slas:promise_renegotiate": Case(
        "team",
        ("post",),
        args=promise,
        data=lambda w: {"due_at": "2031-01-06 12:00", "message": "Tomorrow at noon."},
    ),
    "slas:promise_hand_over": Case("team", ("post",), args=promise, data=lambda w: {"owner": w.agent_id}),
    # Saved replies: a personal one is its owner's alone; a team's is sent by its agents.
    "macros:list": Case("desk"),
    "macros:create": Case("desk", ("get", "post")),
    "macros:edit": Case("own", ("get", "post"), args=personal_reply),
    "macros:delete": Case("own", ("post",), args=personal_reply),
    "macros:send": Case(
        "team",
        ("post",),
        args=lambda w: {"conversation_pk": w.conversation_id},
        data=lambda w: {"saved_reply": w.team_reply_id, "text": "Your refund is on its way."},
    ),
    # Settings: leads and admins (docs/administration.md).
    "administration:overview": Case("lead"),
    "administration:agents": Case("lead"),
    "administration:invite": Case(
        "lead", ("post",), data=lambda w: {"username": "nina", "first_name": "Nina", "role": "agent"}
    ),
    "administration:agent": Case("lead", args=lambda w: {"pk": w.agent_id}),
    "administration:agent_teams": Case(
        "lead", ("post",), args=lambda w: {"pk": w.agent_id}, data=lambda w: {"teams": [w.team_id]}
    ),
    # Leads reach the page; the action refuses them a role change or a deactivation (nothing changes).
    "administration:agent_role": Case(
        "lead", ("post",), args=lambda w: {"pk": w.agent_id}, data=lambda w: {"role": "lead"}
    ),
    "administration:agent_active": Case("lead", ("post",), args=lambda w: {"pk": w.agent_id}),
    # Resetting someone's two-factor and the security settings: admins only (403 for leads too).
    "administration:agent_two_factor_reset": Case("admin", ("post",), args=lambda w: {"pk": w.agent_id}),
    "administration:security": Case("admin", ("get", "post")),
    "administration:teams": Case("lead"),
    "administration:team_new": Case("lead", ("get", "post")),
    "administration:team": Case("lead", ("get", "post"), args=lambda w: {"pk": w.team_id}),
    "administration:add_holiday": Case(
        "lead", ("post",), args=lambda w: {"pk": w.team_id}, data=lambda w: {"date": "2031-01-02"}
    ),
    "administration:remove_holiday": Case(
        "lead", ("post",), args=lambda w: {"pk": w.team_id, "holiday_pk": w.holiday_id}
    ),
    "administration:reasons": Case("lead"),
    "administration:reason_new": Case("lead", ("post",), data=lambda w: {"name": "Returns"}),
    "administration:reason_rename": Case("lead", ("post",), args=reason, data=lambda w: {"name": "Late"}),
    "administration:reason_active": Case("lead", ("post",), args=reason),
    "administration:reason_merge": Case(
        "lead", ("post",), args=reason, data=lambda w: {"target": w.other_reason_id}
    ),
    "administration:tags": Case("lead"),
    "administration:tag_rename": Case("lead", ("post",), args=tag, data=lambda w: {"name": "important"}),
    "administration:tag_merge": Case("lead", ("post",), args=tag, data=lambda w: {"target": w.other_tag_id}),
    "administration:tag_delete": Case("lead", ("post",), args=tag),
}

# A valid body for each write, so access (not validation) decides the answer.
API_BODIES: dict[tuple[str, str], dict[str, Any] | Callable[[World], dict[str, Any]]] = {
    ("post", "/api/v1/conversations"): {
        "subject": "Hi",
        "text": "Hello",
        "customer_email": "new@example.com",
    },
    ("patch", "/api/v1/conversations/{conversation_id}"): {"priority": 3},
    ("post", "/api/v1/conversations/{conversation_id}/messages"): {"kind": "note", "text": "Noted"},
    ("post", "/api/v1/customers"): {"name": "New", "email": "new@example.com"},
    ("patch", "/api/v1/customers/{customer_id}"): {"notes": "Prefers mail"},
    ("post", "/api/v1/signals/promises"): {"text": "I will call you back tomorrow"},
    ("post", "/api/v1/notifications/read"): {},
    # Ids from the world, never literals: PostgreSQL does not restart its sequences for each test.
    # Merging a conversation into itself is refused (422) after the access check passed.
    ("post", "/api/v1/conversations/{conversation_id}/merge"): lambda w: {"into_id": w.conversation_id},
    ("post", "/api/v1/conversations/{conversation_id}/split"): lambda w: {"message_id": w.reply_message_id},
    ("post", "/api/v1/quality/conversations/{conversation_id}/reviews"): {},
    ("post", "/api/v1/quality/reviews/{review_id}/scores"): {"note": "Well done"},
    ("post", "/api/v1/quality/scores/{score_id}/dispute"): {"reason": "The customer asked for this."},
    ("post", "/api/v1/saved-replies/{reply_id}/render"): lambda w: {"conversation_id": w.conversation_id},
    ("post", "/api/v1/quality/practice/{scenario_id}/attempts"): {"reply": "Sorry, I will fix it today."},
    ("post", "/api/v1/slas/deescalation"): lambda w: {
        "conversation_id": w.conversation_id,
        "text": "I understand. I will call you by 15:00.",
    },
}
# (method, path) -> rule
API: dict[tuple[str, str], str] = {
    ("get", "/api/v1/conversations"): "desk",
    ("post", "/api/v1/conversations"): "desk",
    ("get", "/api/v1/conversations/{conversation_id}"): "team",
    ("patch", "/api/v1/conversations/{conversation_id}"): "team",
    ("get", "/api/v1/conversations/{conversation_id}/messages"): "team",
    ("post", "/api/v1/conversations/{conversation_id}/messages"): "team",
    ("post", "/api/v1/conversations/{conversation_id}/merge"): "team",
    ("post", "/api/v1/conversations/{conversation_id}/split"): "team",
    ("get", "/api/v1/customers"): "desk",
    ("post", "/api/v1/customers"): "desk",
    ("get", "/api/v1/customers/{customer_id}"): "desk",
    ("patch", "/api/v1/customers/{customer_id}"): "desk",
    ("delete", "/api/v1/customers/{customer_id}"): "admin",
    ("post", "/api/v1/signals/promises"): "desk",
    ("get", "/api/v1/signals/conversations/{conversation_id}"): "team",
    ("get", "/api/v1/signals/hero-moments"): "desk",
    ("get", "/api/v1/signals/promise-stats"): "desk",
    ("get", "/api/v1/signals/proposed-reasons"): "lead",
    ("get", "/api/v1/notifications"): "desk",
    ("post", "/api/v1/notifications/read"): "desk",
    ("get", "/api/v1/quality/reviews"): "desk",  # filtered to the reviews the caller may read
    ("get", "/api/v1/quality/reviews/{review_id}"): "team",
    ("post", "/api/v1/quality/conversations/{conversation_id}/reviews"): "team",
    ("post", "/api/v1/quality/reviews/{review_id}/scores"): "team",
    ("post", "/api/v1/quality/scores/{score_id}/dispute"): "team",
    # The team's scorecard; an agent asks for their own with agent_id (tested in quality's tests).
    ("get", "/api/v1/quality/teams/{team_id}/scorecard"): "team_lead",
    ("get", "/api/v1/saved-replies"): "desk",
    ("post", "/api/v1/saved-replies/{reply_id}/render"): "own",  # Ada's personal saved reply
    ("get", "/api/v1/quality/teams/{team_id}/practice"): "team",
    ("post", "/api/v1/quality/practice/{scenario_id}/attempts"): "team",
    ("get", "/api/v1/quality/practice/attempts/{attempt_id}"): "team",  # Ada's attempt
    ("get", "/api/v1/slas/conversations/{conversation_id}"): "team",
    ("get", "/api/v1/slas/policies"): "lead",
    ("post", "/api/v1/slas/deescalation"): "team",
}


def _route_names(patterns: list[Any], namespace: str = "") -> list[str]:
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            )
            names.extend(_route_names(pattern.url_patterns, inner or namespace))
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}:{pattern.name}" if namespace else str(pattern.name))
    return names


def _api_operations() -> dict[tuple[str, str], str]:
    """(method, path) -> operationId, from the OpenAPI document."""
    schema = api.get_openapi_schema()
    return {
        (method, path): operation["operationId"]
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }


def test_every_route_has_an_access_rule():
    """A page needs a Case in PAGES; an API route is covered through its operation in the OpenAPI document,
    and every documented operation needs a rule in API."""
    names = _route_names(get_resolver().url_patterns)
    operations = _api_operations()

    def documented(name: str) -> bool:
        route = name.removeprefix("api-v1:")
        return name.startswith("api-v1:") and any(op.endswith(f"_{route}") for op in operations.values())

    assert [name for name in names if name not in PAGES and not documented(name)] == [], "add them to PAGES"
    assert sorted(set(PAGES) - set(names)) == [], "PAGES names routes that are gone"
    assert sorted(set(operations) - set(API)) == [], "give these endpoints a rule in API"
    assert sorted(set(API) - set(operations)) == [], "API names endpoints that are gone"


@pytest.fixture
def world(agent, other_agent, lead, admin_user, support_team, billing_team, settings, monkeypatch) -> World:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    monkeypatch.setattr(conversation_actions, "delete_stored_files", lambda names: None)
    carla = CustomerFactory(name="Carla Customer", email="carla@example.com")
    duplicate = CustomerFactory(name="Carla C.", email="carla.c@example.com")
    thread = ConversationFactory(
        customer=carla, team=support_team, owner=agent, subject="My order never arrived"
    )
    message = conversation_actions.do_add_customer_message(
        thread,
        conversation_actions.IncomingMessage(
            text="Here is the receipt",
            channel="email",
            attachments=[conversation_actions.AttachmentUpload("receipt.png", "image/png", b"\x89PNG...")],
        ),
    )
    box = Mailbox.objects.create(name="Support", address="support@desk.example", team=support_team)
    inbound = InboundMail.objects.create(
        mailbox=box,
        source="pipe",
        raw=b"Subject: x\r\n\r\nx",
        size=14,
        sha256="0" * 64,
        received_at=thread.created_at,
    )
    (notification,) = do_notify([agent], "mention", "Look at this", conversation=thread)
    token, _ = do_create_token(agent, "matrix")
    AddressClaim.objects.create(
        customer=duplicate,
        conversation=thread,
        email="carla@example.com",
        token_hash=hash_link_token(CLAIM_TOKEN),
        created_at=thread.created_at,
    )
    # Quality: Lena reviews Ada's conversation and submits; Ada disputes the first score; Lena and Ada
    # calibrate on the same conversation. Otto was on Support as a named reviewer and a calibration
    # reviewer, then moved to Billing: what he may open now is what Billing's agents may open.
    other_agent.teams.add(support_team)
    quality_actions.do_set_sampling(support_team, lead, 1, 1, [other_agent.pk])
    reviewed = quality_actions.do_start_review(thread, lead)
    scores = list(reviewed.scores.select_related("behaviour").order_by("pk"))
    values = {s.behaviour_id: "1" if s.behaviour.scale == Behaviour.Scale.YES_NO else "4" for s in scores}
    quality_actions.do_score_review(reviewed, lead, values, "Kind and clear", submit=True)
    scores[0].review = reviewed
    disputed = quality_actions.do_dispute(scores[0], agent, "The customer asked for exactly this.")
    session = quality_actions.do_start_calibration(
        support_team, lead, "Week 1", [thread.pk], [lead.pk, agent.pk, other_agent.pk]
    )
    goal = quality_actions.do_ensure_rubric(support_team, lead).behaviours.values_list("name", flat=True)[0]
    plan = quality_actions.do_create_coaching_plan(
        support_team, lead, agent.pk, [goal], "Name the feeling first.", date(2031, 1, 1)
    )
    # Ada promises a call back; the analysis finds the promise. Lena makes a practice scenario of the
    # conversation and Ada practises on it.
    reply = conversation_actions.do_add_reply(thread, agent, "I will call you back by 15:00 today.")
    insight_actions.analyse_conversation(thread.pk)
    scenario = quality_actions.do_create_scenario(thread, lead, "The lost parcel")
    attempt = quality_actions.do_practise(scenario, agent, "I am sorry, I will find your parcel today.")
    do_set_teams(admin_user, other_agent, [billing_team])
    policy = sla_actions.do_save_policy(
        lead, sla_actions.PolicyFields(name="Standard", first_reply_minutes=60)
    )
    follow_up = sla_actions.do_schedule_reply(
        thread, agent, "Did the parcel arrive?", timezone.now() + timedelta(days=2), follow_up=True
    )
    team_reply = do_create_saved_reply(
        lead, SavedReplyDraft(title="Refund sent", body="Your refund is on its way.", team=support_team)
    )
    personal_reply = do_create_saved_reply(
        agent, SavedReplyDraft(title="Mine", body="Thanks, {customer_name}!")
    )
    do_add_holiday(lead, support_team, date(2031, 1, 1), "New Year")
    late = conversation_actions.do_create_contact_reason(lead, "Late parcel")
    slow = conversation_actions.do_create_contact_reason(lead, "Slow delivery")
    conversation_actions.do_set_tags(thread, agent, ["vip", "urgent"])
    return World(
        conversation_id=thread.pk,
        attachment_id=message.attachments.get().pk,
        customer_id=carla.pk,
        other_customer_id=duplicate.pk,
        mailbox_id=box.pk,
        inbound_id=inbound.pk,
        notification_id=notification.pk,
        token_id=token.pk,
        status_token=do_issue_link(thread),
        team_id=support_team.pk,
        review_id=reviewed.pk,
        score_id=scores[1].pk,
        dispute_id=disputed.pk,
        calibration_id=session.pk,
        team_reply_id=team_reply.pk,
        personal_reply_id=personal_reply.pk,
        agent_id=agent.pk,
        holiday_id=support_team.holidays.get().pk,
        reason_id=late.pk,
        other_reason_id=slow.pk,
        tag_id=Tag.objects.get(name="vip").pk,
        other_tag_id=Tag.objects.get(name="urgent").pk,
        coaching_plan_id=plan.pk,
        reply_message_id=reply.pk,
        scenario_id=scenario.pk,
        attempt_id=attempt.pk,
        policy_id=policy.pk,
        scheduled_id=follow_up.pk,
        promise_id=Promise.objects.get(message=reply).pk,
    )


def test_revoking_someone_elses_token_changes_nothing(client, agent, other_agent):
    token, _ = do_create_token(agent, "mine")
    client.force_login(other_agent)
    client.post(reverse("accounts:revoke_token", args=[token.pk]))
    assert ApiToken.objects.filter(pk=token.pk).exists()


def _outcome(response: Any, api_call: bool) -> str:
    status = response.status_code
    if status >= 500:
        return f"{status} server error"
    if api_call and status == 401:
        return LOGIN
    if status in (301, 302) and "/accounts/login/" in response.get("Location", "") and not api_call:
        return LOGIN
    if status == 404:
        return HIDDEN
    if status == 403:
        return FORBIDDEN
    if status in (401, 405):
        return str(status)
    return ALLOWED


def _matches(expected: str, outcome: str, status: int) -> bool:
    if expected == REFUSED:
        return 400 <= status < 500
    return expected == outcome


def _request(client: Client, method: str, url: str, data: dict[str, Any], api_call: bool) -> Any:
    with transaction.atomic():
        if api_call and method != "get":
            response = getattr(client, method)(url, data=data, content_type="application/json")
        else:
            response = getattr(client, method)(url, data=data)
        transaction.set_rollback(True)  # the next role sees the world as it was
    return response


class Clients:
    """A client per role, logged in again before each request (a logout must not end the next one's)."""

    def __init__(self, agent, other_agent, lead, admin_user) -> None:
        self.users = {"agent": agent, "other_team": other_agent, "lead": lead, "admin": admin_user}

    def __getitem__(self, role: str) -> Client:
        client = Client()
        if role in self.users:
            client.force_login(self.users[role])
        return client


def test_every_page_answers_each_role_as_its_rule_says(world, agent, other_agent, lead, admin_user):
    clients = Clients(agent, other_agent, lead, admin_user)
    wrong = []
    for name, case in PAGES.items():
        url = reverse(name, kwargs=case.args(world))
        if case.query == "other":
            url += f"?other={world.other_customer_id}"
        elif case.query == "q":
            url += "?q=order"
        for method in case.methods:
            rule = case.method_rules.get(method, case.rule)
            for role in ROLES:
                expected = case.exceptions.get(role, RULES[rule][role])
                response = _request(clients[role], method, url, case.data(world), api_call=False)
                outcome = _outcome(response, api_call=False)
                if not _matches(expected, outcome, response.status_code):
                    wrong.append(
                        f"{method.upper()} {url} as {role}: {response.status_code}, expected {expected}"
                    )
    assert not wrong, "\n".join(wrong)


def test_every_api_endpoint_answers_each_role_as_its_rule_says(world, agent, other_agent, lead, admin_user):
    clients = Clients(agent, other_agent, lead, admin_user)
    ids = {
        "conversation_id": world.conversation_id,
        "customer_id": world.customer_id,
        "review_id": world.review_id,
        "score_id": world.score_id,
        "team_id": world.team_id,
        "reply_id": world.personal_reply_id,
        "scenario_id": world.scenario_id,
        "attempt_id": world.attempt_id,
    }
    wrong = []
    for (method, path), rule in API.items():
        url = path.format(**ids)
        for role in ROLES:
            expected = RULES[rule][role]
            body = API_BODIES.get((method, path), {})
            if callable(body):
                body = body(world)
            response = _request(clients[role], method, url, body, api_call=True)
            outcome = _outcome(response, api_call=True)
            if not _matches(expected, outcome, response.status_code):
                wrong.append(f"{method.upper()} {url} as {role}: {response.status_code}, expected {expected}")
    assert not wrong, "\n".join(wrong)
