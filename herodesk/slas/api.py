"""API endpoints of the SLA app: a conversation's SLA state (policy, why, targets) with its open promises,
and the policies in the order they are tried."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from herodesk.accounts.requests import AuthedRequest
from herodesk.api_schema import WRITE_ERRORS
from herodesk.conversations.queries import conversation_for_agent
from herodesk.insights.models import Promise
from herodesk.insights.schemas import TrackedPromiseOut
from herodesk.params import MAX_ID
from herodesk.slas import deescalation, queries
from herodesk.slas.clock import calendar_for

router = Router(tags=["slas"])

TargetKind = Literal["first_reply", "next_reply", "resolution"]
TargetStateName = Literal["running", "due soon", "overdue", "paused", "met", "met late", "not needed"]


class SlaTargetOut(Schema):
    kind: TargetKind
    state: TargetStateName
    detail: str = Field(..., description="The state in words, as the conversation screen shows it")
    policy: str
    started_at: datetime
    due_at: datetime = Field(..., description="Deadline; moves only when a pause ends")
    target_minutes: int = Field(..., description="Business minutes the policy allowed")
    paused: bool
    paused_minutes: int = Field(
        ..., description="Business minutes the clock stood still (waiting on customer)"
    )
    met_at: datetime | None
    breached_at: datetime | None
    business_minutes_taken: int | None = Field(None, description="Business time to meet it, pauses left out")


class ConversationSlaOut(Schema):
    conversation_id: int
    next_due_at: datetime | None = Field(None, description="The next running deadline (as the inbox sorts)")
    policy: str | None = Field(None, description="The policy that applied; null when none matched")
    why: str | None
    targets: list[SlaTargetOut]
    promises: list[TrackedPromiseOut]


class SlaPolicyOut(Schema):
    id: int
    name: str
    position: int
    active: bool
    conditions: list[str] = Field(..., description="Every condition that must match; empty = always")
    first_reply_minutes: int | None
    next_reply_minutes: int | None
    resolution_minutes: int | None
    warn_before_minutes: int


@router.get(
    "/conversations/{conversation_id}",
    response={200: ConversationSlaOut, **WRITE_ERRORS},
    summary="SLA targets and promises of a conversation",
)
def conversation_sla(request: AuthedRequest, conversation_id: int):
    conversation = conversation_for_agent(request.user, conversation_id)
    now = timezone.now()
    sla = queries.conversation_sla(conversation.pk, now)
    states = sla.states if sla else []
    return {
        "conversation_id": conversation.pk,
        "next_due_at": conversation.sla_due_at,
        "policy": sla.policy_name if sla else None,
        "why": sla.why if sla else None,
        "targets": [
            {
                "kind": s.target.kind,
                "state": s.state,
                "detail": s.detail,
                "policy": s.target.policy_name,
                "started_at": s.target.started_at,
                "due_at": s.target.due_at,
                "target_minutes": s.target.target_seconds // 60,
                "paused": s.target.paused_at is not None,
                "paused_minutes": s.target.paused_seconds // 60,
                "met_at": s.target.met_at,
                "breached_at": s.target.breached_at,
                "business_minutes_taken": None
                if s.target.elapsed_seconds is None
                else s.target.elapsed_seconds // 60,
            }
            for s in states
        ],
        "promises": list(Promise.objects.filter(conversation=conversation).order_by("due_at", "id")),
    }


@router.get(
    "/policies", response={200: list[SlaPolicyOut], **WRITE_ERRORS}, summary="SLA policies, in order (leads)"
)
def policies(request: AuthedRequest):
    if not request.user.is_lead:  # as on the policies page
        raise HttpError(403, "Only team leads and admins see SLA policies.")
    return [
        {
            "id": p.pk,
            "name": p.name,
            "position": p.position,
            "active": p.active,
            "conditions": queries.policy_conditions(p),
            "first_reply_minutes": p.first_reply_minutes,
            "next_reply_minutes": p.next_reply_minutes,
            "resolution_minutes": p.resolution_minutes,
            "warn_before_minutes": p.warn_before_minutes,
        }
        for p in queries.policies()
    ]


class DeescalationDraftIn(Schema):
    conversation_id: int = Field(..., ge=1, le=MAX_ID)
    text: str = Field(..., max_length=100_000)


class DeescalationPointOut(Schema):
    key: Literal["acknowledge", "next_step", "closed_questions", "no_blame", "can_do"]
    label: str
    ok: bool = Field(..., description="The draft already does this")
    explanation: str
    evidence: list[str] = Field(..., description="The words of the draft the check is based on")


class DeescalationOut(Schema):
    intense: bool = Field(..., description="The customer's last message is high-intensity")
    intensity: float | None
    points: list[DeescalationPointOut]


@router.post(
    "/deescalation",
    response={200: DeescalationOut, **WRITE_ERRORS},
    summary="Check a draft reply against what helps with an upset customer (never blocks sending)",
)
def check_deescalation(request: AuthedRequest, payload: DeescalationDraftIn):
    conversation = conversation_for_agent(request.user, payload.conversation_id)
    level = queries.last_customer_intensity(conversation.pk)
    hours = calendar_for(conversation.team)
    points = deescalation.check_draft(payload.text, timezone.now(), hours) if payload.text.strip() else []
    return {"intense": deescalation.customer_is_intense(level), "intensity": level, "points": points}
