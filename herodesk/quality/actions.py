"""Writes of the quality app: rubric versions, reviews and their scores, pinned comments, disputes, the
weekly sample and calibration sessions. Each is one atomic ``do_*``; what matters to a person is an Event
on the conversation and, where someone must act, a notification."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from herodesk.accounts.models import Team, User
from herodesk.conversations.actions import do_record_event
from herodesk.conversations.hooks import ErasedCustomer
from herodesk.conversations.models import Conversation, Event, Message
from herodesk.errors import ActionError
from herodesk.insights.models import Promise
from herodesk.notifications.actions import do_notify
from herodesk.notifications.models import Notification
from herodesk.quality import autoqa, digest, practice, queries
from herodesk.quality.models import (
    Behaviour,
    CalibrationSession,
    CoachingPlan,
    DigestSent,
    Dispute,
    Kudos,
    PracticeAttempt,
    PracticeScenario,
    Review,
    ReviewComment,
    Rubric,
    SampleItem,
    Score,
    ScoreChange,
    TeamQuality,
)
from herodesk.quality.rubric import DEFAULT_BEHAVIOURS, DEFAULT_VISION, BehaviourDraft

NA = "na"  # a score form's value for "not applicable"
HIGH_EFFORT = 70


def _settings(team: Team) -> TeamQuality:
    row, _ = TeamQuality.objects.get_or_create(team=team, defaults={"vision": DEFAULT_VISION})
    return row


@transaction.atomic
def do_ensure_rubric(team: Team, actor: User | None = None) -> Rubric:
    """The team's current rubric; on first use, the default eight behaviours as version 1."""
    rubric = queries.current_rubric(team)
    if rubric is not None:
        return rubric
    _settings(team)
    return _new_version(team, actor, DEFAULT_BEHAVIOURS, version=1)


def _new_version(team: Team, actor: User | None, drafts: Sequence[BehaviourDraft], version: int) -> Rubric:
    rubric = Rubric.objects.create(team=team, version=version, created_at=timezone.now(), created_by=actor)
    Behaviour.objects.bulk_create(
        Behaviour(
            rubric=rubric,
            position=i,
            name=d.name,
            description=d.description,
            weight=d.weight,
            scale=d.scale,
            allow_na=d.allow_na,
            critical=d.critical,
            autoqa=d.autoqa,
        )
        for i, d in enumerate(drafts)
    )
    return rubric


def _check_lead(actor: User, team: Team | int) -> None:
    if not queries.can_lead(actor, team):
        raise ActionError("Only a lead of the team can change this.")


@transaction.atomic
def do_save_rubric(team: Team, actor: User, drafts: Sequence[BehaviourDraft]) -> Rubric:
    """Save the rubric as a new version; reviews already scored keep the version they used."""
    _check_lead(actor, team)
    errors: dict[str, str] = {}
    if not drafts:
        errors["behaviours"] = "A rubric needs at least one behaviour."
    for i, d in enumerate(drafts):
        if not d.name.strip():
            errors[f"name_{i}"] = "Give the behaviour a name."
        elif len(d.name) > 100:
            errors[f"name_{i}"] = "At most 100 characters."
        if not 1 <= d.weight <= 10:
            errors[f"weight_{i}"] = "A weight is a whole number from 1 to 10."
        if d.scale not in Behaviour.Scale.values:
            errors[f"scale_{i}"] = "Choose yes/no or 1–5."
        if d.autoqa not in Behaviour.AutoQA.values:
            errors[f"autoqa_{i}"] = "Unknown AutoQA judge."
    names = [d.name.strip().lower() for d in drafts]
    if len(set(names)) != len(names):
        errors["behaviours"] = "Two behaviours have the same name."
    if errors:
        raise ActionError("The rubric was not saved", errors)
    current = do_ensure_rubric(team, actor)
    cleaned = [
        BehaviourDraft(
            d.name.strip(), d.description.strip(), d.weight, d.scale, d.allow_na, d.critical, d.autoqa
        )
        for d in drafts
    ]
    return _new_version(team, actor, cleaned, version=current.version + 1)


@transaction.atomic
def do_set_vision(team: Team, actor: User, vision: str) -> TeamQuality:
    _check_lead(actor, team)
    vision = " ".join(vision.split())
    if len(vision) > 500:
        raise ActionError(
            "The service vision is too long", {"vision": "A sentence or two: at most 500 characters."}
        )
    row = _settings(team)
    row.vision = vision
    row.save(update_fields=["vision"])
    return row


@transaction.atomic
def do_set_sampling(
    team: Team, actor: User, random_per_agent: int, risk_per_agent: int, reviewer_ids: Iterable[int]
) -> TeamQuality:
    _check_lead(actor, team)
    errors = {}
    for name, value in (("random_per_agent", random_per_agent), ("risk_per_agent", risk_per_agent)):
        if not 0 <= value <= 20:
            errors[name] = "From 0 to 20 conversations per agent a week."
    if errors:
        raise ActionError("The sample sizes were not saved", errors)
    row = _settings(team)
    row.random_per_agent, row.risk_per_agent = random_per_agent, risk_per_agent
    row.save(update_fields=["random_per_agent", "risk_per_agent"])
    row.reviewers.set(User.objects.filter(pk__in=list(reviewer_ids), teams=team, is_active=True))
    return row


@transaction.atomic
def do_set_digest(team: Team, actor: User, enabled: bool) -> TeamQuality:
    """Turn the weekly digest email to the team's agents on or off."""
    _check_lead(actor, team)
    row = _settings(team)
    row.digest = enabled
    row.save(update_fields=["digest"])
    return row


# Reviews ------------------------------------------------------------------------------------------------


def _agent_of(conversation: Conversation, thread: Sequence[Message]) -> int | None:
    if conversation.owner_id:
        return conversation.owner_id
    authors = [m.author_id for m in thread if m.kind in autoqa.AGENT_KINDS and m.author_id]
    return authors[-1] if authors else None


@transaction.atomic
def do_start_review(
    conversation: Conversation, reviewer: User, calibration: CalibrationSession | None = None
) -> Review:
    """Open (or reopen) the reviewer's draft of a conversation, pre-filled with AutoQA's suggestions."""
    team = conversation.team
    if calibration is not None:
        if not calibration.reviewers.filter(pk=reviewer.pk).exists():
            raise ActionError("You are not a reviewer in this calibration session.")
        team = calibration.team
    elif team is None or not queries.can_review(reviewer, team):
        raise ActionError("You cannot review conversations of this team.")
    existing = Review.objects.filter(
        conversation=conversation, reviewer=reviewer, calibration=calibration, status=Review.Status.DRAFT
    ).first()
    if existing is not None:
        return existing
    rubric = do_ensure_rubric(team, reviewer)
    thread = list(conversation.messages.order_by("created_at", "id"))
    promises = list(Promise.objects.filter(conversation=conversation))
    suggestions = autoqa.suggest(thread, promises)
    now = timezone.now()
    review = Review.objects.create(
        conversation=conversation,
        agent_id=_agent_of(conversation, thread),
        reviewer=reviewer,
        rubric=rubric,
        calibration=calibration,
        created_at=now,
    )
    scores = []
    for behaviour in rubric.behaviours.all():
        suggestion = suggestions.get(behaviour.autoqa) if behaviour.autoqa else None
        value = suggestion.value_for(behaviour) if suggestion else None
        scores.append(
            Score(
                review=review,
                behaviour=behaviour,
                # A calibration is scored blind: AutoQA must not lead the reviewers to the same answer.
                value=None if calibration else value,
                autoqa_value=value,
                autoqa_evidence=suggestion.evidence if suggestion else [],
            )
        )
    created = Score.objects.bulk_create(scores)
    ScoreChange.objects.bulk_create(
        ScoreChange(score=s, old=None, new=s.value, by=None, why="AutoQA suggestion", at=now)
        for s in created
        if s.value is not None
    )
    SampleItem.objects.filter(conversation=conversation, reviewer=reviewer, review__isnull=True).update(
        review=review
    )
    return review


def _parse_value(behaviour: Behaviour, raw: object) -> tuple[int | None, bool, str | None]:
    """(value, not applicable, error) from a form's raw value."""
    if raw in (None, ""):
        return None, False, None
    if raw == NA:
        if not behaviour.allow_na:
            return None, False, "Not applicable is not allowed for this behaviour."
        return None, True, None
    try:
        value = int(str(raw))
    except ValueError:
        return None, False, "Choose a score."
    low, high = (0, 1) if behaviour.scale == Behaviour.Scale.YES_NO else (1, 5)
    if not low <= value <= high:
        return None, False, f"A score from {low} to {high}."
    return value, False, None


def total(scores: Sequence[Score]) -> tuple[float | None, bool]:
    """The weighted score 0–100 over the scored behaviours (N/A left out), and whether a critical failed.

    A failed critical behaviour fails the review: its total is 0."""
    weight = points = 0.0
    failed = False
    for s in scores:
        if s.value is None:
            continue
        b = s.behaviour
        weight += b.weight
        points += b.weight * b.fraction(s.value)
        failed = failed or (b.critical and b.fails(s.value))
    if failed:
        return 0.0, True
    return (round(100 * points / weight, 1) if weight else None), False


@transaction.atomic
def do_score_review(
    review: Review, reviewer: User, values: Mapping[int, object], note: str = "", submit: bool = False
) -> Review:
    """Set scores (by behaviour id; "na" for not applicable) and the note; submitting checks every behaviour
    is scored, computes the total, records an Event and tells the agent. Every change is recorded."""
    if review.reviewer_id != reviewer.pk:
        raise ActionError("Only the reviewer can change this review.")
    if review.status == Review.Status.SUBMITTED:
        raise ActionError("This review is submitted; a dispute can still change a score.")
    scores = list(review.scores.select_related("behaviour"))
    errors: dict[str, str] = {}
    now = timezone.now()
    changes = []
    for score in scores:
        key = score.behaviour_id
        if key not in values:
            continue
        value, na, error = _parse_value(score.behaviour, values[key])
        if error:
            errors[f"b{key}"] = error
            continue
        if (value, na) != (score.value, score.not_applicable):
            why = "Accepted AutoQA" if value is not None and value == score.autoqa_value else "Reviewer"
            changes.append(ScoreChange(score=score, old=score.value, new=value, by=reviewer, why=why, at=now))
            score.value, score.not_applicable = value, na
    if submit:
        for score in scores:
            if score.value is None and not score.not_applicable:
                errors.setdefault(
                    f"b{score.behaviour_id}", "Score this behaviour (or mark it not applicable)."
                )
    if errors:
        raise ActionError("Some scores need attention", errors)
    Score.objects.bulk_update(scores, ["value", "not_applicable"])
    ScoreChange.objects.bulk_create(changes)
    review.note = note.strip()[:5000]
    fields = ["note"]
    if submit:
        review.score, review.failed_critical = total(scores)
        review.status, review.submitted_at = Review.Status.SUBMITTED, now
        fields += ["score", "failed_critical", "status", "submitted_at"]
    review.save(update_fields=fields)
    if submit and review.calibration_id is None:
        do_record_event(
            review.conversation,
            reviewer,
            Event.Kind.REVIEW_SUBMITTED,
            review=review.pk,
            score=review.score,
            failed_critical=review.failed_critical,
        )
        do_notify(
            [review.agent_id],
            Notification.Kind.REVIEW,
            f"{reviewer.display_name} reviewed your conversation “{review.conversation.subject}”: "
            f"{_score_words(review)}",
            conversation=review.conversation,
            url=reverse("quality:review", args=[review.pk]),
            actor=reviewer,
        )
    return review


def _score_words(review: Review) -> str:
    if review.failed_critical:
        return "a critical behaviour failed."
    return f"{review.score:.0f}%." if review.score is not None else "no score."


@transaction.atomic
def do_pin_comment(review: Review, author: User, message_id: int, text: str) -> ReviewComment:
    if author.pk != review.reviewer_id:
        raise ActionError("Only the reviewer comments on this review.")
    text = text.strip()
    if not text:
        raise ActionError("The comment is empty", {"text": "Write what you noticed in this message."})
    if len(text) > 5000:
        raise ActionError("The comment is too long", {"text": "At most 5,000 characters."})
    message = Message.objects.filter(pk=message_id, conversation_id=review.conversation_id).first()
    if message is None:
        raise ActionError(
            "Pin the comment to a message of this conversation", {"message": "Choose a message."}
        )
    return ReviewComment.objects.create(
        review=review, message=message, author=author, text=text, created_at=timezone.now()
    )


@transaction.atomic
def do_acknowledge(review: Review, agent: User) -> Review:
    if review.agent_id != agent.pk:
        raise ActionError("Only the agent reviewed can acknowledge this review.")
    if review.status != Review.Status.SUBMITTED:
        raise ActionError("This review is not submitted yet.")
    if review.acknowledged_at is None:
        review.acknowledged_at = timezone.now()
        review.save(update_fields=["acknowledged_at"])
        do_record_event(review.conversation, agent, Event.Kind.REVIEW_ACKNOWLEDGED, review=review.pk)
    return review


@transaction.atomic
def do_dispute(score: Score, agent: User, reason: str) -> Dispute:
    review = score.review
    if review.agent_id != agent.pk or review.calibration_id:
        raise ActionError("Only the agent reviewed can dispute a score.")
    if review.status != Review.Status.SUBMITTED:
        raise ActionError("This review is not submitted yet.")
    reason = reason.strip()
    if len(reason) < 10:
        raise ActionError("Say why you disagree", {"reason": "Give a reason of at least a few words."})
    if score.disputes.filter(state=Dispute.State.OPEN).exists():
        raise ActionError("This score is already disputed; a lead will resolve it.")
    dispute = Dispute.objects.create(
        score=score, raised_by=agent, reason=reason[:5000], created_at=timezone.now()
    )
    do_record_event(
        review.conversation,
        agent,
        Event.Kind.REVIEW_DISPUTED,
        review=review.pk,
        behaviour=score.behaviour.name,
        note=reason[:5000],
    )
    leads = User.objects.filter(teams=review.rubric.team_id, role__in=[User.Role.LEAD], is_active=True)
    do_notify(
        list(leads.values_list("pk", flat=True)),
        Notification.Kind.REVIEW,
        f"{agent.display_name} disputes “{score.behaviour.name}” "
        f"on a review of “{review.conversation.subject}”",
        conversation=review.conversation,
        url=reverse("quality:review", args=[review.pk]),
        actor=agent,
    )
    return dispute


@transaction.atomic
def do_resolve_dispute(dispute: Dispute, lead: User, new_value: object, resolution: str) -> Dispute:
    """Keep the score (new_value empty) or change it; the review's total is computed again."""
    score = dispute.score
    review = score.review
    _check_lead(lead, review.rubric.team_id)
    if dispute.state != Dispute.State.OPEN:
        raise ActionError("This dispute is already resolved.")
    resolution = resolution.strip()
    if not resolution:
        raise ActionError("Explain the decision", {"resolution": "The agent reads why."})
    now = timezone.now()
    dispute.state = Dispute.State.UPHELD
    if new_value not in (None, ""):
        value, na, error = _parse_value(score.behaviour, new_value)
        if error:
            raise ActionError("The new score is not valid", {"value": error})
        if (value, na) != (score.value, score.not_applicable):
            ScoreChange.objects.create(
                score=score, old=score.value, new=value, by=lead, why="Dispute", at=now
            )
            score.value, score.not_applicable = value, na
            score.save(update_fields=["value", "not_applicable"])
            review.score, review.failed_critical = total(list(review.scores.select_related("behaviour")))
            review.save(update_fields=["score", "failed_critical"])
            dispute.state = Dispute.State.CHANGED
    dispute.resolution, dispute.resolved_by, dispute.resolved_at = resolution[:5000], lead, now
    dispute.save(update_fields=["state", "resolution", "resolved_by", "resolved_at"])
    do_record_event(
        review.conversation,
        lead,
        Event.Kind.DISPUTE_RESOLVED,
        review=review.pk,
        behaviour=score.behaviour.name,
        outcome=dispute.get_state_display(),
        note=resolution[:5000],
    )
    do_notify(
        [dispute.raised_by_id],
        Notification.Kind.REVIEW,
        f"{lead.display_name} resolved your dispute on “{score.behaviour.name}”: "
        f"{dispute.get_state_display()}",
        conversation=review.conversation,
        url=reverse("quality:review", args=[review.pk]),
        actor=lead,
    )
    return dispute


# The weekly sample ---------------------------------------------------------------------------------------

RISKS = {
    "high_effort": "High customer effort",
    "not_relieved": "Intense moment not relieved",
    "broken_promise": "A broken promise",
    "reopened": "Reopened",
    "bounced": "Bounced back after a transfer",
    "low_autoqa": "Low AutoQA score",
}
LOW_AUTOQA = 0.25  # below this AutoQA summary (0..1) of the agent's replies, a conversation is a risk


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def sample_candidates(team: Team, week: date) -> dict[int, list[tuple[int, list[str]]]]:
    """Per agent: (conversation id, risks) of the team's conversations they owned with activity in the week.

    One query for the whole team; the risks come from the cached signals."""
    start = timezone.make_aware(datetime.combine(week, datetime.min.time()))
    broken = Promise.objects.filter(conversation=OuterRef("pk"), state=Promise.State.BROKEN)
    base = Conversation.objects.filter(
        team=team,
        owner__isnull=False,
        merged_into__isnull=True,
        last_activity_at__gte=start,
        last_activity_at__lt=start + timedelta(days=7),
    )
    rows = base.annotate(broken=Exists(broken)).values_list(
        "pk", "owner_id", "effort", "awaiting_relief", "reopen_count", "bounce_back_count", "broken"
    )
    flags: dict[int, list[list[str]]] = defaultdict(list)
    replies = Message.objects.filter(
        conversation__in=base.values("pk"), kind__in=autoqa.AGENT_KINDS, signals__has_key="behaviours"
    ).values_list("conversation_id", "signals")
    for conversation_id, found in replies.iterator(chunk_size=5000):
        flags[conversation_id].append(list((found or {}).get("behaviours") or []))
    per_agent: dict[int, list[tuple[int, list[str]]]] = defaultdict(list)
    for pk, owner, effort, waiting, reopens, bounces, has_broken in rows.iterator(chunk_size=5000):
        risks = []
        if effort is not None and effort >= HIGH_EFFORT:
            risks.append("high_effort")
        if waiting:
            risks.append("not_relieved")
        if has_broken:
            risks.append("broken_promise")
        if reopens:
            risks.append("reopened")
        if bounces:
            risks.append("bounced")
        summary = autoqa.summary_score(flags.get(pk, []))
        if summary is not None and summary < LOW_AUTOQA:
            risks.append("low_autoqa")
        per_agent[owner].append((pk, risks))
    return per_agent


@transaction.atomic
def do_draw_sample(team: Team, actor: User | None, week: date) -> list[SampleItem]:
    """Draw the week's sample for every agent of the team who has none yet (drawing again adds only agents
    new to the week) and assign reviewers in turn (never the agent themself)."""
    if actor is not None:
        _check_lead(actor, team)
    week = week_start(week)
    config = _settings(team)
    reviewers = sorted(
        {u.pk for u in User.objects.filter(teams=team, role=User.Role.LEAD, is_active=True)}
        | set(config.reviewers.values_list("pk", flat=True))
    )
    existing = set(SampleItem.objects.filter(team=team, week=week).values_list("agent_id", "conversation_id"))
    have: dict[int, int] = defaultdict(int)
    for agent_id, _ in existing:
        have[agent_id] += 1
    items = []
    turn = 0
    for agent_id, candidates in sorted(sample_candidates(team, week).items()):
        rng = random.Random(f"{team.pk}-{week.isoformat()}-{agent_id}")
        if have[agent_id]:
            continue
        rng.shuffle(candidates)
        risky = sorted((c for c in candidates if c[1]), key=lambda c: -len(c[1]))[: config.risk_per_agent]
        chosen = {pk for pk, _ in risky}
        rest = [c for c in candidates if c[0] not in chosen][: config.random_per_agent]
        for pk, risks in [*risky, *[(pk, ["random"]) for pk, _ in rest]]:
            options = [r for r in reviewers if r != agent_id]
            reviewer = options[turn % len(options)] if options else None
            turn += 1
            items.append(
                SampleItem(
                    team=team,
                    week=week,
                    agent_id=agent_id,
                    conversation_id=pk,
                    why=risks,
                    reviewer_id=reviewer,
                )
            )
    created = SampleItem.objects.bulk_create(items)
    by_reviewer: dict[int, int] = defaultdict(int)
    for item in created:
        if item.reviewer_id:
            by_reviewer[item.reviewer_id] += 1
    for reviewer_id, count in by_reviewer.items():
        do_notify(
            [reviewer_id],
            Notification.Kind.REVIEW,
            f"{count} conversations of {team.name} to review for the week of {week:%b %-d}",
            url=reverse("quality:sample", args=[team.pk]) + f"?week={week.isoformat()}",
            actor=actor,
        )
    return created


# Calibration ---------------------------------------------------------------------------------------------


@transaction.atomic
def do_start_calibration(
    team: Team, lead: User, name: str, conversation_ids: Sequence[int], reviewer_ids: Sequence[int]
) -> CalibrationSession:
    _check_lead(lead, team)
    errors = {}
    name = name.strip()
    if not name:
        errors["name"] = "Name the session, e.g. “Week 23 calibration”."
    conversations = list(Conversation.objects.filter(pk__in=list(conversation_ids), team=team))
    if not conversations or len(conversations) != len(set(conversation_ids)):
        errors["conversations"] = "Choose one or more conversations of this team."
    reviewers = list(User.objects.filter(pk__in=list(reviewer_ids), teams=team, is_active=True))
    if len(reviewers) < 2:
        errors["reviewers"] = "Choose at least two reviewers of this team."
    if errors:
        raise ActionError("The calibration session was not started", errors)
    session = CalibrationSession.objects.create(
        team=team, name=name[:200], created_by=lead, created_at=timezone.now()
    )
    session.conversations.set(conversations)
    session.reviewers.set(reviewers)
    do_ensure_rubric(team, lead)
    do_notify(
        [r.pk for r in reviewers],
        Notification.Kind.REVIEW,
        f"Calibration “{session.name}”: score {len(conversations)} conversations blind",
        url=reverse("quality:calibration", args=[session.pk]),
        actor=lead,
    )
    return session


@transaction.atomic
def do_reveal_calibration(session: CalibrationSession, lead: User) -> CalibrationSession:
    _check_lead(lead, session.team_id)
    if session.revealed_at is None:
        session.revealed_at = timezone.now()
        session.save(update_fields=["revealed_at"])
    return session


# Coaching -----------------------------------------------------------------------------------------------


@transaction.atomic
def do_create_coaching_plan(
    team: Team, lead: User, agent_id: int, goals: Sequence[str], note: str, follow_up: date | None
) -> CoachingPlan:
    _check_lead(lead, team)
    errors = {}
    agent = User.objects.filter(pk=agent_id, teams=team, is_active=True).first()
    if agent is None:
        errors["agent"] = "Choose an agent of this team."
    rubric = do_ensure_rubric(team, lead)
    known = set(rubric.behaviours.values_list("name", flat=True))
    goals = [g for g in dict.fromkeys(goals) if g]
    if not goals or not set(goals) <= known:
        errors["goals"] = "Choose one or more behaviours of the current rubric."
    if follow_up is None or follow_up <= timezone.localdate():
        errors["follow_up"] = "Pick a follow-up date after today."
    if errors:
        raise ActionError("The coaching plan was not saved", errors)
    assert agent is not None and follow_up is not None
    plan = CoachingPlan.objects.create(
        team=team,
        agent=agent,
        goals=list(goals),
        note=note.strip()[:5000],
        follow_up=follow_up,
        created_by=lead,
        created_at=timezone.now(),
    )
    do_notify(
        [agent.pk],
        Notification.Kind.REVIEW,
        f"{lead.display_name} set up a coaching plan with you: {', '.join(goals)}",
        url=reverse("quality:coaching_plan", args=[plan.pk]),
        actor=lead,
    )
    return plan


# Kudos --------------------------------------------------------------------------------------------------

GENERIC_WORDS = {
    "great", "good", "nice", "awesome", "amazing", "excellent", "super", "brilliant", "fantastic", "perfect",
    "job", "work", "well", "done", "thanks", "thank", "you", "keep", "it", "up", "the", "a", "so", "very",
    "really", "as", "always", "again", "stuff", "one", "wow", "cool", "yay", "top", "lovely", "this", "that",
    "was", "is", "and", "kudos", "hero", "star", "legend", "team", "for", "on", "of", "to", "your", "my",
}  # fmt: skip


def kudos_problem(text: str) -> str | None:
    """Why a kudos text would not help anyone repeat what was good, or None when it is specific."""
    words = re.findall(r"[a-zA-Z']+", text.lower())
    specific = [w for w in words if w not in GENERIC_WORDS and len(w) > 2]
    if not text.strip():
        return "Say what was good in this message."
    if len(specific) < 3:
        return (
            "Say what exactly was good, e.g. “you gave the refund date before she asked”: "
            "a bare “great job” does not help anyone repeat it."
        )
    return None


@transaction.atomic
def do_give_kudos(giver: User, message: Message, text: str) -> Kudos:
    if message.kind not in autoqa.AGENT_KINDS or message.author_id is None:
        raise ActionError("Kudos go on an agent's reply or call note.")
    if message.author_id == giver.pk:
        raise ActionError("Kudos are for a colleague's message, not your own.")
    text = " ".join(text.split())
    problem = kudos_problem(text)
    if problem:
        raise ActionError("Make the kudos specific", {"text": problem})
    if len(text) > 1000:
        raise ActionError("The kudos are too long", {"text": "At most 1,000 characters."})
    kudos = Kudos.objects.create(
        message=message,
        conversation_id=message.conversation_id,
        giver=giver,
        agent_id=message.author_id,
        text=text,
        created_at=timezone.now(),
    )
    do_notify(
        [message.author_id],
        Notification.Kind.KUDOS,
        f"{giver.display_name} gave you kudos: “{text[:200]}”",
        conversation=message.conversation_id,
        url=reverse("conversations:detail", args=[message.conversation_id]) + f"#m{message.pk}",
        actor=giver,
    )
    return kudos


# Practice -----------------------------------------------------------------------------------------------


@transaction.atomic
def do_create_scenario(conversation: Conversation, lead: User, title: str = "") -> PracticeScenario:
    """Turn a conversation of the team into a practice scenario: the customer's messages only, their name,
    addresses, phone numbers and long digit runs replaced by made-up ones."""
    team = conversation.team
    if team is None or not queries.can_lead(lead, team):
        raise ActionError("Only a lead of the conversation's team can turn it into practice.")
    customer = conversation.customer
    identities = list(customer.identities.values_list("value", flat=True)) if customer else []
    hide = practice.Anonymiser(
        f"conversation-{conversation.pk}", customer.name if customer else "", identities
    )
    rows = conversation.messages.filter(kind=Message.Kind.CUSTOMER).order_by("created_at", "id")
    thread = [{"text": hide(m.text), "intensity": m.intensity} for m in rows if m.text.strip()]
    if not thread:
        raise ActionError("This conversation has no customer message to practise on.")
    title = " ".join(title.split()) or hide(conversation.subject) or f"Scenario from #{conversation.pk}"
    if len(title) > 200:
        raise ActionError("The title is too long", {"title": "At most 200 characters."})
    do_ensure_rubric(team, lead)
    return PracticeScenario.objects.create(
        team=team,
        source=conversation,
        title=title,
        customer_name=hide.fake,
        thread=thread,
        created_by=lead,
        created_at=timezone.now(),
    )


def _practice_total(rubric: Rubric, values: Mapping[str, object]) -> tuple[float | None, bool]:
    scores = []
    for b in rubric.behaviours.all():
        raw = values.get(str(b.pk))
        scores.append(Score(behaviour=b, value=raw if isinstance(raw, int) else None))
    return total(scores)


@transaction.atomic
def do_practise(scenario: PracticeScenario, agent: User, reply: str) -> PracticeAttempt:
    """An agent's written reply to a scenario, scored at once by AutoQA with the team's current rubric."""
    if not (agent.is_admin or agent.teams.filter(pk=scenario.team_id).exists()):
        raise ActionError("Only agents of the team practise its scenarios.")
    reply = reply.strip()
    if len(reply) < 20:
        raise ActionError("Write your reply", {"reply": "Write the reply you would send (a few sentences)."})
    if len(reply) > 10000:
        raise ActionError("The reply is too long", {"reply": "At most 10,000 characters."})
    rubric = do_ensure_rubric(scenario.team, agent)
    behaviours = list(rubric.behaviours.all())
    found = practice.suggest(behaviours, scenario.thread, reply)
    score, failed = _practice_total(rubric, {k: v["value"] for k, v in found.items()})
    return PracticeAttempt.objects.create(
        scenario=scenario,
        agent=agent,
        reply=reply,
        rubric=rubric,
        autoqa=found,
        autoqa_score=score,
        failed_critical=failed,
        created_at=timezone.now(),
    )


@transaction.atomic
def do_score_practice(
    attempt: PracticeAttempt, lead: User, values: Mapping[int, object], note: str = ""
) -> PracticeAttempt:
    """A lead scores a practice reply with the rubric it was written under (the review form's rules: every
    behaviour scored or N/A, critical failures fail it); the agent is told."""
    _check_lead(lead, attempt.scenario.team_id)
    errors: dict[str, str] = {}
    scores: dict[str, object] = {}
    for b in attempt.rubric.behaviours.all():
        value, na, error = _parse_value(b, values.get(b.pk))
        if error:
            errors[f"b{b.pk}"] = error
        elif value is None and not na:
            errors[f"b{b.pk}"] = "Score this behaviour (or mark it not applicable)."
        else:
            scores[str(b.pk)] = NA if na else value
    if errors:
        raise ActionError("Some scores need attention", errors)
    attempt.scores = scores
    attempt.score, attempt.failed_critical = _practice_total(attempt.rubric, scores)
    attempt.note = note.strip()[:5000]
    attempt.scored_by, attempt.scored_at = lead, timezone.now()
    attempt.save(update_fields=["scores", "score", "failed_critical", "note", "scored_by", "scored_at"])
    do_notify(
        [attempt.agent_id],
        Notification.Kind.REVIEW,
        f"{lead.display_name} scored your practice reply to “{attempt.scenario.title}”",
        url=reverse("quality:practice_attempt", args=[attempt.pk]),
        actor=lead,
    )
    return attempt


# The weekly digest ---------------------------------------------------------------------------------------


@transaction.atomic
def do_claim_digest(agent: User, week: date) -> DigestSent | None:
    """Record that the agent's digest for the week is being sent; None when it already was. The row is
    committed before the mail goes out, so a worker restarted mid-run never sends it twice."""
    if DigestSent.objects.filter(agent=agent, week=week).exists():
        return None
    return DigestSent.objects.create(agent=agent, week=week, sent_at=timezone.now())


@transaction.atomic
def do_release_digest(claim: DigestSent) -> None:
    """The mail could not be sent: forget the claim so the next run tries again."""
    DigestSent.objects.filter(pk=claim.pk).delete()


DIGEST_HOUR = 7  # Monday 07:00 in the team's time zone


def digest_teams(now: datetime) -> dict[int, tuple[Team, date]]:
    """Teams with the digest on (the default) where it is Monday 07:00 or later, local time, and the week
    each is due for (the one that ended on Sunday)."""
    off = set(TeamQuality.objects.filter(digest=False).values_list("team_id", flat=True))
    due: dict[int, tuple[Team, date]] = {}
    for team in Team.objects.order_by("pk"):
        local = now.astimezone(team.tzinfo)
        if team.pk in off or local.weekday() != 0 or local.hour < DIGEST_HOUR:
            continue
        due[team.pk] = (team, week_start(local.date()) - timedelta(days=7))
    return due


def digest_agents(team_ids: Iterable[int], week: date) -> list[User]:
    """Active agents and leads of these teams with an address and no digest for the week yet."""
    return list(
        User.objects.filter(
            teams__in=list(team_ids), is_active=True, role__in=[User.Role.AGENT, User.Role.LEAD]
        )
        .exclude(email="")
        .exclude(pk__in=DigestSent.objects.filter(week=week).values("agent_id"))
        .distinct()
        .order_by("pk")
    )


def send_weekly_digests(week: date | None = None, now: datetime | None = None) -> int:
    """Send each agent their digest: with ``week``, that week's to every team with the digest on; without,
    last week's to the teams where it is now Monday 07:00 or later (the job runs hourly). Each agent gets one
    digest per week, whatever the job's reruns. Returns how many were sent."""
    if week is not None:
        week = week_start(week)
        off = set(TeamQuality.objects.filter(digest=False).values_list("team_id", flat=True))
        groups = {week: [t for t in Team.objects.order_by("pk") if t.pk not in off]}
    else:
        groups = defaultdict(list)
        for team, due in digest_teams(now or timezone.now()).values():
            groups[due].append(team)
    sent = 0
    for due, teams in groups.items():
        praise = digest.praise_by_agent(teams, due)
        for agent in digest_agents([t.pk for t in teams], due):
            claim = do_claim_digest(agent, due)
            if claim is None:
                continue
            try:
                digest.message(digest.build(agent, due, praise.get(agent.pk, []))).send()
            except Exception:
                do_release_digest(claim)
                raise
            sent += 1
    return sent


@transaction.atomic
def do_erase_customer_scenarios(erased: ErasedCustomer) -> int:
    """Registered in ``conversations.hooks`` as a customer eraser: a practice scenario made of an erased
    customer's conversation goes with it, its attempts too. Its thread is the customer's own words,
    anonymised only as far as patterns reach (a surname in the text, an address's parts). Returns how many."""
    deleted, _ = PracticeScenario.objects.filter(source_id__in=erased.conversation_ids).delete()
    return deleted
