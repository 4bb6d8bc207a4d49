"""API endpoints for the hero signals: a conversation's signals, and a promise check for drafts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from herodesk.accounts.requests import AuthedRequest
from herodesk.api_schema import WRITE_ERRORS
from herodesk.conversations.queries import conversation_for_agent, visible_conversations
from herodesk.insights import reasons, signals_bridge
from herodesk.insights.queries import HeroSection, hero_moment_fields, hero_moments_page, promise_stats
from herodesk.insights.schemas import TrackedPromiseOut
from herodesk.params import MAX_ID, MAX_PAGE
from herodesk.signals import effort_bands, promises

router = Router(tags=["signals"])


class PromiseOut(Schema):
    text: str
    kind: Literal["specific", "vague"]
    due: datetime | None
    suggestion: str | None


class DraftIn(Schema):
    text: str = Field(..., max_length=100_000)
    conversation_id: int | None = Field(None, ge=1, le=MAX_ID)


class DraftPromises(Schema):
    promises: list[PromiseOut]


class DriverOut(Schema):
    name: str
    points: float
    detail: str


class ConversationSignals(Schema):
    conversation_id: int
    intensity: float | None
    awaiting_relief: bool
    effort: int = Field(
        ...,
        description="Effort of this conversation now, 0–100 (0–39 low, 40–59 moderate, 60–79 high, "
        "80–100 very high)",
    )
    effort_band: str = Field(..., description="The band of `effort` in words: low, moderate, high, very high")
    effort_drivers: list[DriverOut]
    promises: list[TrackedPromiseOut]


class HeroMoment(Schema):
    id: int = Field(..., description="The conversation's id")
    subject: str
    intensity: float | None
    owner_id: int | None
    team_id: int | None
    last_customer_message_at: datetime | None
    missed: bool = Field(
        ..., description="True when the deadline the customer gave passed, or the wait passed the limit"
    )
    urgency: float = Field(
        ..., description="0–3, higher needs relief sooner (intensity + deadline + waiting); 0 when missed"
    )
    standing: str = Field(..., description="Why, in words: the deadline and the time left, or mood and wait")
    deadline_at: datetime | None = Field(None, description="The deadline the customer stated, if any")
    deadline_words: str = Field("", description="The customer's words that state the deadline")
    why: list[str] = Field(default_factory=list, description="Reasons of the most intense customer message")


class ProposedReasonOut(Schema):
    name: str
    top_terms: list[str]
    size: int
    example_conversation_ids: list[int]


class AgentPromiseStats(Schema):
    owner_id: int
    name: str
    open: int
    overdue: int
    kept: int
    broken: int
    rate: float | None = Field(None, description="kept / (kept + broken + overdue); null before any is due")


@router.post(
    "/promises", response={200: DraftPromises, **WRITE_ERRORS}, summary="Find promises in a draft reply"
)
def check_draft(request: AuthedRequest, payload: DraftIn):
    """Used by the compose box to flag vague promises before the reply is sent."""
    team, urgent = None, None
    if payload.conversation_id:
        conversation = conversation_for_agent(request.user, payload.conversation_id)
        team = conversation.team
        # The customer's own deadline ("my flight leaves in 40 minutes") makes a suggestion of minutes.
        last = conversation.messages.filter(kind="customer").order_by("-created_at").values_list("text")
        urgent = promises.customer_deadline((last.first() or ("",))[0])
    hours = signals_bridge.business_hours_for(team or request.user.teams.first())
    found = promises.detect(payload.text, sent_at=timezone.now(), business_hours=hours, urgent_within=urgent)
    return {
        "promises": [
            {"text": p.text, "kind": p.kind, "due": p.due, "suggestion": p.suggestion} for p in found
        ]
    }


@router.get(
    "/conversations/{conversation_id}",
    response={200: ConversationSignals, **WRITE_ERRORS},
    summary="Intensity, effort with drivers, and promises of a conversation",
)
def conversation_signals(request: AuthedRequest, conversation_id: int):
    conversation = conversation_for_agent(request.user, conversation_id)
    result = signals_bridge.effort_for(conversation, timezone.now())
    return {
        "conversation_id": conversation.pk,
        "intensity": conversation.intensity,
        "awaiting_relief": conversation.awaiting_relief,
        "effort": result.score,
        "effort_band": effort_bands.band(result.score),
        "effort_drivers": result.drivers,
        "promises": list(conversation.promises.order_by("due_at", "id")),
    }


@router.get(
    "/hero-moments",
    response={200: list[HeroMoment], **WRITE_ERRORS},
    summary="Hero moments: customers needing relief now, or missed ones (paged, most urgent first)",
)
def list_hero_moments(
    request: AuthedRequest,
    response: HttpResponse,
    section: Literal["now", "missed"] = "now",
    mine: bool = False,
    team: int | None = Query(None, ge=1, le=MAX_ID, description="Only this team's conversations"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
):
    """``now``: needs relief now, most urgent first. ``missed``: the deadline passed or the wait exceeded the
    limit (HERODESK_HERO_MISSED_AFTER_BUSINESS_HOURS) without relief, most recent first. 20 per page; the
    ``X-Total-Count`` header gives the number in the section."""
    result = hero_moments_page(
        request.user,
        mine=mine,
        team_id=team,
        page=page if section == "now" else 1,
        missed_page=page if section == "missed" else 1,
    )
    found = result["now_section" if section == "now" else "missed_section"]
    assert isinstance(found, HeroSection)
    if found.page != page:
        return []  # past the last page
    response["X-Total-Count"] = str(found.total)
    return [hero_moment_fields(c) for c in found.rows]


@router.get(
    "/promise-stats",
    response={200: list[AgentPromiseStats], **WRITE_ERRORS},
    summary="Promises per agent: open, overdue, kept, broken and the kept rate",
)
def list_promise_stats(request: AuthedRequest):
    return promise_stats(request.user)


@router.get(
    "/proposed-reasons",
    response={200: list[ProposedReasonOut], **WRITE_ERRORS},
    summary="Clusters of untagged conversations that might need a new contact reason (leads)",
)
def list_proposed_reasons(request: AuthedRequest):
    user = request.user
    if not user.is_lead:
        raise HttpError(403, "Only team leads and admins see proposed contact reasons.")
    return [
        {
            "name": p.name,
            "top_terms": p.top_terms,
            "size": p.size,
            "example_conversation_ids": [c.pk for c in p.examples],
        }
        for p in reasons.propose_new_reasons(visible_conversations(user))
    ]
