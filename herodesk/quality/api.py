"""API endpoints for quality: reviews (read, start, score, dispute), weekly scorecards and practice."""

from __future__ import annotations

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from herodesk.accounts.models import User
from herodesk.accounts.requests import AuthedRequest
from herodesk.api_schema import WRITE_ERRORS
from herodesk.conversations.queries import conversation_for_agent
from herodesk.params import MAX_ID
from herodesk.quality import actions, queries, stats
from herodesk.quality.models import PracticeAttempt, PracticeScenario, Review, Score

router = Router(tags=["quality"])


class EvidenceOut(Schema):
    message: int
    text: str


class ScoreOut(Schema):
    id: int
    behaviour_id: int
    behaviour: str
    scale: str
    weight: int
    critical: bool
    value: int | None = Field(
        ..., description="Yes/no: 1 or 0; 1–5 scale: 1..5; null when not scored or N/A."
    )
    not_applicable: bool
    autoqa_value: int | None
    autoqa_evidence: list[EvidenceOut]


class CommentOut(Schema):
    message_id: int
    author: str
    text: str
    created_at: datetime


class ReviewOut(Schema):
    id: int
    conversation_id: int
    agent_id: int | None
    reviewer_id: int | None
    rubric_version: int
    status: str
    score: float | None = Field(..., description="0–100, weighted; 0 when a critical behaviour failed.")
    failed_critical: bool
    note: str
    submitted_at: datetime | None
    acknowledged_at: datetime | None


class ReviewDetail(ReviewOut):
    scores: list[ScoreOut]
    comments: list[CommentOut]


def _review_out(review: Review) -> dict[str, object]:
    return {
        "id": review.pk,
        "conversation_id": review.conversation_id,
        "agent_id": review.agent_id,
        "reviewer_id": review.reviewer_id,
        "rubric_version": review.rubric.version,
        "status": review.status,
        "score": review.score,
        "failed_critical": review.failed_critical,
        "note": review.note,
        "submitted_at": review.submitted_at,
        "acknowledged_at": review.acknowledged_at,
    }


def _detail(review: Review) -> dict[str, object]:
    scores = [
        {
            "id": s.pk,
            "behaviour_id": s.behaviour_id,
            "behaviour": s.behaviour.name,
            "scale": s.behaviour.scale,
            "weight": s.behaviour.weight,
            "critical": s.behaviour.critical,
            "value": s.value,
            "not_applicable": s.not_applicable,
            "autoqa_value": None if review.calibration_id else s.autoqa_value,
            "autoqa_evidence": [] if review.calibration_id else s.autoqa_evidence,
        }
        for s in review.scores.select_related("behaviour")
    ]
    comments = [
        {"message_id": c.message_id, "author": c.author.display_name if c.author else "", "text": c.text,
         "created_at": c.created_at}
        for c in review.comments.select_related("author")
    ]  # fmt: skip
    return {**_review_out(review), "scores": scores, "comments": comments}


class ReviewFilters(Schema):
    agent_id: int | None = Field(None, ge=1, le=MAX_ID)
    conversation_id: int | None = Field(None, ge=1, le=MAX_ID)
    limit: int = Field(50, ge=1, le=200)


@router.get(
    "/reviews", response={200: list[ReviewOut], **WRITE_ERRORS}, summary="Submitted reviews I may read"
)
def list_reviews(request: AuthedRequest, filters: Query[ReviewFilters]):
    rows = queries.reviews_visible(request.user)
    if filters.agent_id:
        rows = rows.filter(agent_id=filters.agent_id)
    if filters.conversation_id:
        rows = rows.filter(conversation_id=filters.conversation_id)
    return [_review_out(r) for r in rows[: filters.limit]]


@router.get(
    "/reviews/{review_id}", response={200: ReviewDetail, **WRITE_ERRORS}, summary="A review with scores"
)
def get_review(request: AuthedRequest, review_id: int):
    return _detail(queries.review_for(request.user, review_id))


@router.post(
    "/conversations/{conversation_id}/reviews",
    response={200: ReviewDetail, **WRITE_ERRORS},
    summary="Start (or continue) my review of a conversation, pre-filled by AutoQA",
)
def start_review(request: AuthedRequest, conversation_id: int):
    conversation = conversation_for_agent(request.user, conversation_id)
    return _detail(actions.do_start_review(conversation, request.user))


class ScoresIn(Schema):
    scores: dict[int, str] = Field(
        default_factory=dict, description='Behaviour id -> "1"/"0" (yes/no), "1".."5", or "na".'
    )
    note: str = Field("", max_length=5000)
    submit: bool = False


@router.post(
    "/reviews/{review_id}/scores", response={200: ReviewDetail, **WRITE_ERRORS}, summary="Score a review"
)
def score_review(request: AuthedRequest, payload: ScoresIn, review_id: int):
    review = queries.review_for(request.user, review_id)
    actions.do_score_review(review, request.user, payload.scores, payload.note, submit=payload.submit)
    return _detail(review)


class DisputeIn(Schema):
    reason: str = Field(..., max_length=5000)


class DisputeOut(Schema):
    id: int
    state: str


@router.post(
    "/scores/{score_id}/dispute", response={200: DisputeOut, **WRITE_ERRORS}, summary="Dispute a score"
)
def dispute_score(request: AuthedRequest, payload: DisputeIn, score_id: int):
    score = get_object_or_404(Score.objects.select_related("behaviour"), pk=min(score_id, MAX_ID + 1))
    score.review = queries.review_for(request.user, score.review_id)
    dispute = actions.do_dispute(score, request.user, payload.reason)
    return {"id": dispute.pk, "state": dispute.state}


class WeekOut(Schema):
    week: date
    reviews: int
    score: float | None
    kept_promise_rate: float | None
    effort: float | None
    behaviours: dict[str, float | None]


class ScorecardFilters(Schema):
    agent_id: int | None = Field(None, ge=1, le=MAX_ID)
    weeks: int = Field(6, ge=1, le=52)


@router.get(
    "/teams/{team_id}/scorecard",
    response={200: list[WeekOut], **WRITE_ERRORS},
    summary="A team's or an agent's weekly scorecard, newest week first",
)
def scorecard(request: AuthedRequest, filters: Query[ScorecardFilters], team_id: int):
    team = queries.team_for(request.user, team_id)
    agent = None
    if filters.agent_id:
        agent = User.objects.filter(pk=filters.agent_id, teams=team).first()
        if agent is None:
            raise HttpError(404, "No such agent on this team.")
    if not queries.can_review(request.user, team) and (agent is None or agent.pk != request.user.pk):
        raise HttpError(403, "Agents see their own scorecard only: pass agent_id with your own id.")
    rows = stats.scorecard(team, agent, weeks=filters.weeks)
    return [
        {"week": r.week, "reviews": r.reviews, "score": r.score, "kept_promise_rate": r.kept_rate,
         "effort": r.effort, "behaviours": r.behaviours}
        for r in rows
    ]  # fmt: skip


# Practice -----------------------------------------------------------------------------------------------


class ScenarioMessageOut(Schema):
    text: str


class ScenarioOut(Schema):
    id: int
    title: str
    customer_name: str = Field(..., description="Made up: the real customer's details are never shown.")
    thread: list[ScenarioMessageOut]
    created_at: datetime


class PracticeScoreOut(Schema):
    behaviour_id: int
    behaviour: str
    autoqa_value: int | None
    autoqa_evidence: list[str]
    value: int | str | None = Field(..., description='The lead\'s score: a number, "na", or null.')


class AttemptOut(Schema):
    id: int
    scenario_id: int
    agent_id: int
    reply: str
    rubric_version: int
    autoqa_score: float | None = Field(..., description="0–100 over the behaviours AutoQA could judge.")
    score: float | None = Field(..., description="The lead's total, 0–100; null until a lead scores it.")
    failed_critical: bool
    note: str
    scores: list[PracticeScoreOut]
    created_at: datetime


def _scenario_out(item: PracticeScenario) -> dict[str, object]:
    return {
        "id": item.pk,
        "title": item.title,
        "customer_name": item.customer_name,
        "thread": [{"text": m.get("text", "")} for m in item.thread],
        "created_at": item.created_at,
    }


def _attempt_out(item: PracticeAttempt) -> dict[str, object]:
    scores = []
    for b in item.rubric.behaviours.all():
        auto = item.autoqa.get(str(b.pk)) or {}
        scores.append(
            {
                "behaviour_id": b.pk,
                "behaviour": b.name,
                "autoqa_value": auto.get("value"),
                "autoqa_evidence": [e.get("text", "") for e in auto.get("evidence", [])],
                "value": item.scores.get(str(b.pk)),
            }
        )
    return {
        "id": item.pk,
        "scenario_id": item.scenario_id,
        "agent_id": item.agent_id,
        "reply": item.reply,
        "rubric_version": item.rubric.version,
        "autoqa_score": item.autoqa_score,
        "score": item.score if item.scored_at else None,
        "failed_critical": item.failed_critical,
        "note": item.note,
        "scores": scores,
        "created_at": item.created_at,
    }


@router.get(
    "/teams/{team_id}/practice",
    response={200: list[ScenarioOut], **WRITE_ERRORS},
    summary="A team's practice scenarios, newest first",
)
def list_scenarios(request: AuthedRequest, team_id: int):
    team = queries.team_for(request.user, team_id)
    return [_scenario_out(s) for s in PracticeScenario.objects.filter(team=team)[:200]]


class PractiseIn(Schema):
    reply: str = Field(..., max_length=10000)


@router.post(
    "/practice/{scenario_id}/attempts",
    response={200: AttemptOut, **WRITE_ERRORS},
    summary="Write my reply to a practice scenario; AutoQA scores it at once",
)
def practise(request: AuthedRequest, payload: PractiseIn, scenario_id: int):
    scenario = queries.scenario_for(request.user, scenario_id)
    return _attempt_out(actions.do_practise(scenario, request.user, payload.reply))


@router.get(
    "/practice/attempts/{attempt_id}",
    response={200: AttemptOut, **WRITE_ERRORS},
    summary="A practice attempt (the agent's own, or any of the team's for its leads)",
)
def get_attempt(request: AuthedRequest, attempt_id: int):
    return _attempt_out(queries.attempt_for(request.user, attempt_id))
