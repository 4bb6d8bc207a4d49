"""Numbers for leads: calibration agreement (Krippendorff's alpha), AutoQA against people (precision,
recall, Cohen's kappa), and weekly scorecards."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone

from herodesk.accounts.models import Team, User
from herodesk.conversations.models import Conversation, Message
from herodesk.insights.models import Promise
from herodesk.quality.agreement import binary_agreement, krippendorff_alpha
from herodesk.quality.models import Behaviour, CalibrationSession, CoachingPlan, Kudos, Review, Score
from herodesk.signals import praise

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


@dataclass
class Gap:
    name: str
    agent: float
    team: float
    scored: int


def _behaviour_averages(reviews) -> dict[int | None, dict[str, list[float]]]:
    out: dict[int | None, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for review in reviews:
        for s in review.scores.all():
            if s.value is not None:
                out[review.agent_id][s.behaviour.name].append(100 * s.behaviour.fraction(s.value))
    return out


GAP_POINTS = 10  # "below the team's level": at least this many points under the team's average
GAP_MIN_SCORES = 3  # "consistently": on at least this many reviews


def skill_gaps(team: Team, weeks: int = 8) -> dict[int, list[Gap]]:
    """Per agent: behaviours where their average is well below the team's, on enough reviews."""
    since = timezone.now() - timedelta(weeks=weeks)
    reviews = Review.objects.filter(
        rubric__team=team, status=Review.Status.SUBMITTED, calibration__isnull=True, submitted_at__gte=since
    ).prefetch_related("scores__behaviour")
    per_agent = _behaviour_averages(reviews)
    team_values: dict[str, list[float]] = defaultdict(list)
    for values in per_agent.values():
        for name, found in values.items():
            team_values[name].extend(found)
    gaps: dict[int, list[Gap]] = {}
    for agent_id, values in per_agent.items():
        if agent_id is None:
            continue
        agent_gaps: list[Gap] = []
        for name, scores in values.items():
            mine, everyone = sum(scores) / len(scores), sum(team_values[name]) / len(team_values[name])
            if len(scores) >= GAP_MIN_SCORES and mine <= everyone - GAP_POINTS:
                agent_gaps.append(Gap(name, round(mine), round(everyone), len(scores)))
        if agent_gaps:
            gaps[agent_id] = sorted(agent_gaps, key=lambda g: g.agent - g.team)
    return gaps


# The signals flag that shows each AutoQA-judged behaviour on one reply (cached by the analysis job).
REPLY_FLAGS = {
    Behaviour.AutoQA.OWNERSHIP: "ownership_language",
    Behaviour.AutoQA.NEXT_STEP: "clear_next_step",
    Behaviour.AutoQA.TONE: "apology_or_empathy",
}


@dataclass
class Progress:
    name: str
    before: float | None
    after: float | None
    reviews_before: int
    reviews_after: int
    autoqa_before: float | None = None
    autoqa_after: float | None = None
    replies_before: int = 0
    replies_after: int = 0


def plan_progress(plan: CoachingPlan, window: int = 28) -> list[Progress]:
    """Each goal's average score (0–100) on reviews of the agent's conversations in the `window` days
    before the plan and since, and for behaviours AutoQA judges, the share of all the agent's replies
    showing it (from the cached signals), before and after."""
    start = plan.created_at
    reviews = Review.objects.filter(
        agent=plan.agent,
        rubric__team=plan.team,
        status=Review.Status.SUBMITTED,
        calibration__isnull=True,
        submitted_at__gte=start - timedelta(days=window),
    ).prefetch_related("scores__behaviour")
    before: dict[str, list[float]] = defaultdict(list)
    after: dict[str, list[float]] = defaultdict(list)
    judges: dict[str, str] = {}
    for review in reviews:
        assert review.submitted_at is not None
        side = after if review.submitted_at >= start else before
        for s in review.scores.all():
            judges[s.behaviour.name] = s.behaviour.autoqa
            if s.value is not None:
                side[s.behaviour.name].append(100 * s.behaviour.fraction(s.value))
    replies = list(
        Message.objects.filter(
            author=plan.agent, kind=Message.Kind.REPLY, created_at__gte=start - timedelta(days=window)
        ).values_list("created_at", "signals")
    )

    def avg(values: list[float]) -> float | None:
        return round(sum(values) / len(values)) if values else None

    out = []
    for goal in plan.goals:
        row = Progress(goal, avg(before[goal]), avg(after[goal]), len(before[goal]), len(after[goal]))
        flag = REPLY_FLAGS.get(judges.get(goal, ""))  # type: ignore[call-overload]
        if flag:
            old = [flag in (s or {}).get("behaviours", []) for at, s in replies if at < start]
            new = [flag in (s or {}).get("behaviours", []) for at, s in replies if at >= start]
            row.autoqa_before = round(100 * sum(old) / len(old)) if old else None
            row.autoqa_after = round(100 * sum(new) / len(new)) if new else None
            row.replies_before, row.replies_after = len(old), len(new)
        out.append(row)
    return out


# Kudos, customer praise, hero stories and the smile report ----------------------------------------------

PRAISE_HINTS = ("thank", "thx", "appreciat", "great", "excellent", "helpful", "well done", "kudos", "amazing",
                "brilliant", "fantastic", "wonderful", "lifesaver", "life saver", "sorted it", "fixed it",
                "rock", "star", "praising", "hats off", "awesome", "superb", "outstanding")  # fmt: skip


@dataclass
class Story:
    kind: str  # "kudos" | "praise"
    at: datetime
    agent: str
    agent_id: int | None
    by: str
    text: str
    evidence: list[str]
    conversation_id: int
    message_id: int
    subject: str


def praise_found(team: Team, since: datetime, until: datetime) -> list[Story]:
    """Customer messages in the team's conversations that praise the help, credited to the agent whose
    reply came last before it (or the conversation's owner). Found on demand by the signals engine's praise
    detector; a cheap word filter in SQL first."""
    hint = Q()
    for word in PRAISE_HINTS:
        hint |= Q(text__icontains=word)
    rows = list(
        Message.objects.filter(hint, conversation__team=team, kind=Message.Kind.CUSTOMER)
        .filter(created_at__gte=since, created_at__lt=until)
        .select_related("customer", "conversation__owner")
        .only(
            "text", "created_at", "conversation_id", "customer__name", "conversation__subject",
            "conversation__owner__first_name", "conversation__owner__last_name",
            "conversation__owner__username",
        )
        .order_by("-created_at", "-id")
    )  # fmt: skip
    found = [(m, praise.detect(m.text)) for m in rows]
    found = [(m, p) for m, p in found if p.present]
    if not found:
        return []
    replies: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for conversation_id, author_id, at in Message.objects.filter(
        conversation_id__in={m.conversation_id for m, _ in found},
        kind__in=[Message.Kind.REPLY, Message.Kind.PHONE],
        author__isnull=False,
    ).values_list("conversation_id", "author_id", "created_at"):
        replies[conversation_id].append((at, author_id))
    names = {
        u.pk: u.display_name for u in User.objects.filter(pk__in={a for r in replies.values() for _, a in r})
    }
    stories = []
    for message, found_praise in found:
        before = sorted(r for r in replies[message.conversation_id] if r[0] <= message.created_at)
        owner = message.conversation.owner
        agent_id = before[-1][1] if before else (owner.pk if owner else None)
        agent = names.get(agent_id or 0) or (owner.display_name if owner else "the team")
        customer = message.customer.name if message.customer and message.customer.name else "A customer"
        stories.append(
            Story("praise", message.created_at, agent, agent_id, customer, message.text,
                  found_praise.evidence, message.conversation_id, message.pk, message.conversation.subject)
        )  # fmt: skip
    return stories


def kudos_given(team: Team, since: datetime, until: datetime) -> list[Story]:
    rows = (
        Kudos.objects.filter(conversation__team=team, created_at__gte=since, created_at__lt=until)
        .select_related("giver", "agent", "conversation")
        .order_by("-created_at")
    )
    return [
        Story("kudos", k.created_at, k.agent.display_name, k.agent_id,
              k.giver.display_name if k.giver else "", k.text, [], k.conversation_id, k.message_id,
              k.conversation.subject)
        for k in rows
    ]  # fmt: skip


def hero_stories(team: Team, days: int = 30, limit: int = 60) -> list[Story]:
    until = timezone.now()
    since = until - timedelta(days=days)
    stories = kudos_given(team, since, until) + praise_found(team, since, until)
    return sorted(stories, key=lambda s: s.at, reverse=True)[:limit]


@dataclass
class SmileReport:
    month: date
    best: list[Story]
    per_agent: list[tuple[str, int, int]]  # (agent, praise, kudos)
    praise_count: int
    kudos_count: int


def smile_report(team: Team, month: date) -> SmileReport:
    """The month's customer praise, the best first (the most specific: more praising phrases, then more
    words), and praise and kudos per agent."""
    start = timezone.make_aware(datetime.combine(month.replace(day=1), datetime.min.time()))
    nxt = (month.replace(day=1) + timedelta(days=32)).replace(day=1)
    end = timezone.make_aware(datetime.combine(nxt, datetime.min.time()))
    praise_stories = praise_found(team, start, end)
    kudos = kudos_given(team, start, end)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s in praise_stories:
        counts[s.agent][0] += 1
    for s in kudos:
        counts[s.agent][1] += 1
    best = sorted(praise_stories, key=lambda s: (len(s.evidence), len(s.text.split())), reverse=True)[:10]
    per_agent = sorted(((a, c[0], c[1]) for a, c in counts.items()), key=lambda r: (-r[1], -r[2], r[0]))
    return SmileReport(month.replace(day=1), best, per_agent, len(praise_stories), len(kudos))
