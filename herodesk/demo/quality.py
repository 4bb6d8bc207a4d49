"""Demo quality data: Support's rubric and vision, last week's and this week's samples reviewed by two
reviewers (Lena, the lead, and Chen, a named reviewer), comments pinned to messages, a dispute waiting for
the lead, and a revealed calibration session, so scorecards, AutoQA agreement and alpha show real numbers."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from herodesk.accounts.models import Team, User
from herodesk.conversations.models import Conversation, Message
from herodesk.insights.actions import analyse_conversation, do_mark_broken_promises
from herodesk.quality import actions
from herodesk.quality.models import Behaviour, Review, SampleItem, Score

VISION = (
    "Every customer leaves knowing what happens next and who is on it. When it matters most, we relieve "
    "first and explain second."
)
COMMENTS = (
    "Good: you said sorry for the double charge before explaining anything.",
    "Here the customer had already given the order number: no need to ask again.",
    "Say when you will be back (“by 3 pm today”), not just “soon”.",
    "Nice plain wording: short sentences, no internal jargon.",
)
# Each agent's habits, so the scorecard shows a skill gap: the chance a reviewer gives a pass.
HABITS = {"agent": 0.9, "ben": 0.55, "chen": 0.8, "ivan": 0.7}


def _score(rng: random.Random, behaviour: Behaviour, suggested: int | None, habit: float) -> str:
    if suggested is not None and rng.random() < 0.8:
        return str(suggested)  # the reviewer mostly accepts AutoQA
    passed = rng.random() < habit
    if behaviour.scale == Behaviour.Scale.YES_NO:
        return "1" if passed else "0"
    return str(rng.choice([4, 5]) if passed else rng.choice([2, 3]))


def _review(
    rng: random.Random, conversation: Conversation, reviewer: User, habit: float, **kw: object
) -> Review:
    review = actions.do_start_review(conversation, reviewer, **kw)  # type: ignore[arg-type]
    scores = list(review.scores.select_related("behaviour"))
    values = {s.behaviour_id: _score(rng, s.behaviour, s.autoqa_value, habit) for s in scores}
    reply = conversation.messages.filter(kind=Message.Kind.REPLY).order_by("created_at").first()
    if reply is not None and rng.random() < 0.5 and not kw:
        actions.do_pin_comment(review, reviewer, reply.pk, rng.choice(COMMENTS))
    note = "" if kw else rng.choice(("Solid work.", "One thing to work on below.", "Thanks, a good one."))
    return actions.do_score_review(review, reviewer, values, note=note, submit=True)


def seed_quality(seed: int = 7) -> None:
    rng = random.Random(seed)
    team = Team.objects.filter(name="Support").first()
    lead = User.objects.filter(username="lead").first()
    chen = User.objects.filter(username="chen").first()
    if team is None or lead is None or chen is None:
        return
    actions.do_ensure_rubric(team, lead)
    actions.do_set_vision(team, lead, VISION)
    actions.do_set_sampling(team, lead, 2, 2, [chen.pk])
    now = timezone.now()
    recent = Conversation.objects.filter(team=team, last_activity_at__gte=now - timedelta(days=14))
    for pk in recent.values_list("pk", flat=True):
        analyse_conversation(pk)  # the sample reads the signals; the demo's full analysis runs later
    do_mark_broken_promises(now)
    today = timezone.localdate()
    for week in (today - timedelta(days=7), today):
        actions.do_draw_sample(team, lead, week)
    items = SampleItem.objects.filter(team=team, reviewer__isnull=False).select_related(
        "conversation", "agent"
    )
    reviews = []
    for item in items:
        reviewer = lead if item.reviewer_id == lead.pk else chen
        review = _review(rng, item.conversation, reviewer, HABITS.get(item.agent.username, 0.75))
        reviews.append(review)
        # Spread the reviews over the sampled week, as a team reviewing a few a day would.
        when = timezone.make_aware(datetime.combine(item.week, time.min)) + timedelta(
            days=rng.randint(0, 4), hours=rng.randint(9, 16)
        )
        Review.objects.filter(pk=review.pk).update(submitted_at=min(when, now), created_at=min(when, now))
    ada = User.objects.get(username="agent")
    for i, review in enumerate(r for r in reviews if r.agent_id == ada.pk):
        if i == 0:
            actions.do_acknowledge(review, ada)
        elif i == 1:
            actions.do_acknowledge(review, ada)
            score = Score.objects.filter(review=review, value__isnull=False).select_related(
                "review", "behaviour"
            )
            scored = score.order_by("value").first()
            if scored is not None:
                actions.do_dispute(scored, ada, "I asked for the order number because the customer gave two.")
    # Calibration: both reviewers score four of last week's conversations blind; the lead revealed it.
    picked = [r.conversation_id for r in reviews[:4]]
    if len(picked) >= 2:
        session = actions.do_start_calibration(
            team, lead, "Calibration: last week's sample", picked, [lead.pk, chen.pk]
        )
        for conversation in Conversation.objects.filter(pk__in=picked):
            for reviewer in (lead, chen):
                _review(rng, conversation, reviewer, 0.75, calibration=session)
        actions.do_reveal_calibration(session, lead)
