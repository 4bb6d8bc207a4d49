"""Numbers for leads: calibration agreement (Krippendorff's alpha), AutoQA against people (precision,
recall, Cohen's kappa), and weekly scorecards."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone

from herodesk.accounts.models import Team, User
from herodesk.conversations.models import Conversation
from herodesk.insights.models import Promise
from herodesk.quality.agreement import binary_agreement, krippendorff_alpha
from herodesk.quality.models import Behaviour, CalibrationSession, Review, Score

ADVISORY_KAPPA = 0.6  # below this (or with too few reviews), AutoQA is shown as advisory only
MIN_PAIRS = 10


@dataclass
class BehaviourAgreement:
    name: str
    level: str
    alpha: float | None
    # (conversation subject, {reviewer name: score label})
    rows: list[tuple[str, dict[str, str]]] = field(default_factory=list)


@dataclass
class CalibrationResult:
    reviewers: list[str]
    behaviours: list[BehaviourAgreement]
    overall: float | None
    submitted: int
    expected: int

    @property
    def most_disagreed(self) -> list[BehaviourAgreement]:
        rated = [b for b in self.behaviours if b.alpha is not None]
        return sorted(rated, key=lambda b: b.alpha or 0)[:3]


def _label(score: Score) -> str:
    if score.not_applicable:
        return "N/A"
    if score.value is None:
        return "—"
    if score.behaviour.scale == Behaviour.Scale.YES_NO:
        return "Yes" if score.value else "No"
    return str(score.value)


def calibration_result(session: CalibrationSession) -> CalibrationResult:
    """Alpha per behaviour (ordinal for 1–5, nominal for yes/no; N/A counts as no value) and overall
    (interval, every behaviour's score as 0..1), from the session's submitted reviews."""
    reviews = list(
        session.reviews.filter(status=Review.Status.SUBMITTED)
        .select_related("reviewer", "conversation")
        .prefetch_related("scores__behaviour")
    )
    reviewers = sorted({r.reviewer.display_name for r in reviews if r.reviewer})
    by_behaviour: dict[str, dict[int, dict[str, Score]]] = defaultdict(lambda: defaultdict(dict))
    scales: dict[str, str] = {}
    subjects = {}
    for review in reviews:
        subjects[review.conversation_id] = review.conversation.subject
        name = review.reviewer.display_name if review.reviewer else "?"
        for score in review.scores.all():
            by_behaviour[score.behaviour.name][review.conversation_id][name] = score
            scales[score.behaviour.name] = score.behaviour.scale
    result = []
    overall_units = []
    for behaviour_name, per_conversation in by_behaviour.items():
        level = "ordinal" if scales[behaviour_name] == Behaviour.Scale.FIVE else "nominal"
        units = []
        rows = []
        for conversation_id, per_reviewer in per_conversation.items():
            units.append([s.value for s in per_reviewer.values()])
            overall_units.append(
                [
                    s.behaviour.fraction(s.value) if s.value is not None else None
                    for s in per_reviewer.values()
                ]
            )
            rows.append((subjects[conversation_id], {r: _label(s) for r, s in per_reviewer.items()}))
        result.append(BehaviourAgreement(behaviour_name, level, krippendorff_alpha(units, level), rows))  # type: ignore[arg-type]
    return CalibrationResult(
        reviewers,
        result,
        krippendorff_alpha(overall_units, "interval"),
        len(reviews),
        session.conversations.count() * session.reviewers.count(),
    )


@dataclass
class AutoQAAgreement:
    name: str
    pairs: int
    precision: float | None
    recall: float | None
    kappa: float | None

    @property
    def advisory(self) -> bool:
        return self.pairs < MIN_PAIRS or self.kappa is None or self.kappa < ADVISORY_KAPPA


def autoqa_agreement(team: Team) -> list[AutoQAAgreement]:
    """Per AutoQA-judged behaviour: AutoQA's suggestion against the reviewer's final score (passed or not)
    on the same submitted reviews of the team (calibration reviews included, scored blind)."""
    scores = Score.objects.filter(
        review__rubric__team=team,
        review__status=Review.Status.SUBMITTED,
        autoqa_value__isnull=False,
        value__isnull=False,
    ).select_related("behaviour")
    pairs: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for s in scores:
        b = s.behaviour
        pairs[b.name].append((int(not b.fails(s.autoqa_value)), int(not b.fails(s.value))))  # type: ignore[arg-type]
    out = []
    for name, found in sorted(pairs.items()):
        a = binary_agreement(found)
        out.append(AutoQAAgreement(name, a.pairs, a.precision, a.recall, a.kappa))
    return out


@dataclass
class WeekRow:
    week: date
    reviews: int
    score: float | None
    kept_rate: float | None
    effort: float | None
    behaviours: dict[str, float | None]

    @property
    def bar(self) -> int:
        """The score rounded to a step of 10, for a CSS bar class (q0..q100)."""
        return int(round((self.score or 0) / 10) * 10)


def scorecard(team: Team, agent: User | None, weeks: int = 6, today: date | None = None) -> list[WeekRow]:
    """Per week (newest first): reviews, average score, per-behaviour average (0–100), kept-promise rate and
    average effort of the agent's (or the whole team's) conversations."""
    today = today or timezone.localdate()
    first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    reviews = Review.objects.filter(
        rubric__team=team,
        status=Review.Status.SUBMITTED,
        calibration__isnull=True,
        submitted_at__date__gte=first,
    )
    promises = Promise.objects.filter(conversation__team=team, created_at__date__gte=first)
    conversations = Conversation.objects.filter(
        team=team, last_activity_at__date__gte=first, effort__isnull=False
    )
    if agent is not None:
        reviews = reviews.filter(agent=agent)
        promises = promises.filter(owner=agent)
        conversations = conversations.filter(owner=agent)
    per_week: dict[date, list[Review]] = defaultdict(list)
    for review in reviews.prefetch_related("scores__behaviour"):
        assert review.submitted_at is not None
        day = review.submitted_at.date()
        per_week[day - timedelta(days=day.weekday())].append(review)
    rows = []
    for i in range(weeks):
        start = first + timedelta(days=7 * i)
        end = start + timedelta(days=7)
        in_week = per_week.get(start, [])
        values = [r.score for r in in_week if r.score is not None]
        behaviours: dict[str, list[float]] = defaultdict(list)
        for review in in_week:
            for s in review.scores.all():
                if s.value is not None:
                    behaviours[s.behaviour.name].append(100 * s.behaviour.fraction(s.value))
        kept = promises.filter(created_at__date__gte=start, created_at__date__lt=end).aggregate(
            kept=Count("pk", filter=Q(state=Promise.State.KEPT)),
            done=Count("pk", filter=Q(state__in=[Promise.State.KEPT, Promise.State.BROKEN])),
        )
        effort = conversations.filter(
            last_activity_at__date__gte=start, last_activity_at__date__lt=end
        ).aggregate(avg=Avg("effort"))["avg"]
        rows.append(
            WeekRow(
                start,
                len(in_week),
                round(sum(values) / len(values), 1) if values else None,
                kept["kept"] / kept["done"] if kept["done"] else None,
                round(effort) if effort is not None else None,
                {k: round(sum(v) / len(v)) for k, v in behaviours.items()},
            )
        )
    return rows[::-1]
