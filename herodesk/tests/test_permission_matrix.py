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
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from herodesk.accounts.actions import do_create_token
from herodesk.accounts.models import ApiToken
from herodesk.api import api
from herodesk.channels.email.models import InboundMail, Mailbox
from herodesk.channels.webform.actions import do_issue_link
from herodesk.conversations import actions as conversation_actions
from herodesk.notifications.actions import do_notify
from herodesk.quality import actions as quality_actions
from herodesk.tests.factories import ConversationFactory, CustomerFactory

pytestmark = pytest.mark.django_db

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
    # A team's lead page: 404 for another team (it is not theirs to know of), 403 for the team's agents.
    "team_lead": {
        "anonymous": LOGIN,
        "agent": FORBIDDEN,
        "other_team": HIDDEN,
        "lead": ALLOWED,
        "admin": ALLOWED,
    },
    # The agent's own notification or token: nobody else's, not even an admin's, to open.
    "own": {"anonymous": LOGIN, "agent": ALLOWED, **dict.fromkeys(ROLES[2:], HIDDEN)},
    # A webhook with no token: refused for everyone (a 4xx), never served.
    "token": dict.fromkeys(ROLES, REFUSED),
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
    message_id: int
    review_id: int
    score_id: int
    dispute_id: int
    calibration_id: int
    coaching_plan_id: int
    scenario_id: int
    attempt_id: int


@dataclass
class Case:
    rule: str
    methods: tuple[str, ...] = ("get",)
    args: Callable[[World], dict[str, Any]] = lambda world: {}
    data: Callable[[World], dict[str, Any]] = lambda world: {}
    query: str = ""
    # The rule for POST where it differs from the page's (e.g. everyone reads, only leads change).
    post_rule: str = ""
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
    "phone:new_call": Case("desk", ("get", "post")),
    "conversations:home": Case("desk"),
    "conversations:inbox": Case("desk", args=lambda w: {"view": "mine"}),
    "conversations:detail": Case("team", args=conversation),
    **{f"conversations:{name}": Case("team", ("post",), args=conversation) for name in CONVERSATION_ACTIONS},
    "conversations:customer": Case("team", ("post",), args=conversation),
    "conversations:attachment": Case("team", args=lambda w: {"pk": w.attachment_id}),
    "conversations:search": Case("desk", query="q"),
    # The API's own pages; its endpoints are checked from the OpenAPI document below.
    # Quality (docs/quality.md "Who may do what"). A refused write (an agent resolving a dispute) answers
    # with a message on the page it came from: access to the page was granted, the action was not.
    "quality:overview": Case("desk"),
    "quality:rubric": Case("team", ("get", "post"), args=team, post_rule="team_lead"),
    "quality:sample": Case("team_lead", ("get", "post"), args=team),
    "quality:calibrations": Case("team_lead", ("get", "post"), args=team),
    "quality:autoqa": Case("team_lead", args=team),
    "quality:coaching": Case("team_lead", ("get", "post"), args=team),
    "quality:scorecards": Case("team", args=team),
    "quality:stories": Case("team", args=team),
    "quality:smiles": Case("team", args=team),
    "quality:practice": Case("team", args=team),
    "quality:start_review": Case("team", ("post",), args=lambda w: {"conversation_id": w.conversation_id}),
    "quality:create_scenario": Case("team", ("post",), args=lambda w: {"conversation_id": w.conversation_id}),
    "quality:review": Case("team", ("get",), args=lambda w: {"pk": w.review_id}),
    "quality:pin_comment": Case("team", ("post",), args=lambda w: {"pk": w.review_id}),
    "quality:acknowledge": Case("team", ("post",), args=lambda w: {"pk": w.review_id}),
    "quality:dispute": Case("team", ("post",), args=lambda w: {"pk": w.score_id}),
    "quality:resolve_dispute": Case("team", ("post",), args=lambda w: {"pk": w.dispute_id}),
    "quality:calibration": Case("team", ("get",), args=lambda w: {"pk": w.calibration_id}),
    "quality:coaching_plan": Case("team", args=lambda w: {"pk": w.coaching_plan_id}),
    "quality:give_kudos": Case("team", ("post",), args=lambda w: {"message_id": w.message_id}),
    "quality:scenario": Case("team", ("get", "post"), args=lambda w: {"pk": w.scenario_id}),
    # The agent's own attempt; only leads score it.
    "quality:practice_attempt": Case(
        "team", ("get", "post"), args=lambda w: {"pk": w.attempt_id}, post_rule="team_lead"
    ),
    "api-v1:openapi-json": Case("public"),
    "api-v1:openapi-view": Case("public"),
    "api-v1:api-root": Case("public", exceptions=dict.fromkeys(ROLES, HIDDEN)),  # no page at the root
}

# A valid body for each write, so access (not validation) decides the answer.
API_BODIES: dict[tuple[str, str], dict[str, Any]] = {
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
    ("post", "/api/v1/quality/scores/{score_id}/dispute"): {"reason": "I gave the next step, see my reply."},
    ("post", "/api/v1/quality/reviews/{review_id}/scores"): {"scores": {}, "note": ""},
    ("post", "/api/v1/quality/practice/{scenario_id}/attempts"): {
        "reply": "I am so sorry; I will resend it today and email you the tracking number."
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
    # Quality: reads filtered to what the user may see; a refused write is a 4xx with the reason.
    ("get", "/api/v1/quality/reviews"): "desk",
    ("get", "/api/v1/quality/reviews/{review_id}"): "team",
    ("post", "/api/v1/quality/conversations/{conversation_id}/reviews"): "team",
    ("post", "/api/v1/quality/reviews/{review_id}/scores"): "team",
    ("post", "/api/v1/quality/scores/{score_id}/dispute"): "team",
    # The team's scorecard is for its leads and reviewers; an agent passes agent_id=<own id>.
    ("get", "/api/v1/quality/teams/{team_id}/scorecard"): "team_lead",
    ("get", "/api/v1/quality/teams/{team_id}/practice"): "team",
    ("post", "/api/v1/quality/practice/{scenario_id}/attempts"): "team",
    ("get", "/api/v1/quality/practice/attempts/{attempt_id}"): "team",
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
def world(agent, other_agent, lead, admin_user, support_team, settings, monkeypatch) -> World:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    monkeypatch.setattr(conversation_actions, "delete_stored_files", lambda names: None)
    carla = CustomerFactory(name="Carla Customer", email="carla@example.com")
    duplicate = CustomerFactory(name="Carla C.", email="carla.c@example.com")
    thread = ConversationFactory(customer=carla, team=support_team, subject="My order never arrived")
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
    reply = conversation_actions.do_add_reply(thread, agent, "I will refund it today and email you by 5pm.")
    review = quality_actions.do_start_review(thread, lead)
    values = {s.behaviour_id: "1" if s.behaviour.scale == "yes_no" else "4" for s in review.scores.all()}
    quality_actions.do_score_review(review, lead, values, submit=True)
    score, other_score = list(review.scores.all())[:2]
    dispute = quality_actions.do_dispute(other_score, agent, "I did give the next step, see my reply.")
    session = quality_actions.do_start_calibration(
        support_team, lead, "Week 1", [thread.pk], [lead.pk, agent.pk]
    )
    plan = quality_actions.do_create_coaching_plan(
        support_team, lead, agent.pk, ["Ownership"], "", timezone.localdate() + timedelta(days=14)
    )
    scenario = quality_actions.do_create_scenario(thread, lead)
    attempt = quality_actions.do_practise(
        scenario, agent, "I am sorry it never arrived; I will resend it today."
    )
    token, _ = do_create_token(agent, "matrix")
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
        message_id=reply.pk,
        review_id=review.pk,
        score_id=score.pk,
        dispute_id=dispute.pk,
        calibration_id=session.pk,
        coaching_plan_id=plan.pk,
        scenario_id=scenario.pk,
        attempt_id=attempt.pk,
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
            for role in ROLES:
                rule = case.post_rule if method == "post" and case.post_rule else case.rule
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
        "team_id": world.team_id,
        "review_id": world.review_id,
        "score_id": world.score_id,
        "scenario_id": world.scenario_id,
        "attempt_id": world.attempt_id,
    }
    wrong = []
    for (method, path), rule in API.items():
        url = path.format(**ids)
        for role in ROLES:
            expected = RULES[rule][role]
            body = API_BODIES.get((method, path), {})
            response = _request(clients[role], method, url, body, api_call=True)
            outcome = _outcome(response, api_call=True)
            if not _matches(expected, outcome, response.status_code):
                wrong.append(f"{method.upper()} {url} as {role}: {response.status_code}, expected {expected}")
    assert not wrong, "\n".join(wrong)
