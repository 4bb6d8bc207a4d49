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
from herodesk.quality import actions, stats
from herodesk.quality.models import Behaviour, CoachingPlan, Review, SampleItem, Score

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
    # A coaching plan for Ben, started this week, on his weakest behaviours: last week is "before".
    ben = User.objects.get(username="ben")
    gaps = [g.name for g in stats.skill_gaps(team).get(ben.pk, [])][:2] or ["Clear next step"]
    plan = actions.do_create_coaching_plan(
        team,
        lead,
        ben.pk,
        gaps,
        "Walked through three of last week's replies together. Ben will end every reply with what happens "
        "next and when; we role-played two refund cases.",
        today + timedelta(days=14),
    )
    start = timezone.make_aware(datetime.combine(actions.week_start(today), time.min))
    CoachingPlan.objects.filter(pk=plan.pk).update(created_at=min(start, now))
    _kudos_and_praise(rng, team, lead, now)
    _practice(team, lead, ada, ben)
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


PRAISE = (
    "Thank you so much, {agent} sorted it in minutes! Really appreciate your help.",
    "Thanks a lot {agent}, you have been a huge help. Great service.",
    "I just wanted to say thank you for all your help, {agent} was so patient with me.",
    "Brilliant, it works now. Thank you for your quick reply!",
    "Many thanks, you guys rock. Five stars from me.",
    "Thank you very much, the refund arrived this morning.",
)
KUDOS = (
    "You said sorry and showed you understood how frustrating it was before explaining anything.",
    "A clear next step with a time, so the customer knew exactly when to expect us. Our vision in one line.",
    "You took it on yourself (“I have opened an investigation”) instead of sending her to the courier.",
    "You fixed the root cause and sent a new link in the same reply: no back and forth needed.",
)
KUDOS_WORDS = (
    ("sorry", "frustrating"),
    ("by ", "within", "tomorrow"),
    ("i have opened", "i have", "i've"),
    ("fixed",),
)


def _kudos_and_praise(rng: random.Random, team: Team, lead: User, now: datetime) -> None:
    """A few customers thank the agent who helped (written like customer messages, after the last reply, so
    the smile report has something to read out) and Lena gives kudos on specific replies."""
    replies = list(
        Message.objects.filter(
            conversation__team=team,
            kind=Message.Kind.REPLY,
            author__isnull=False,
            created_at__gte=now - timedelta(days=20),
        )
        .exclude(author=lead)
        .select_related("author", "conversation")
        .order_by("-created_at")[:300]
    )
    rng.shuffle(replies)
    seen: set[int] = set()
    praised = 0
    for reply in replies:
        if reply.conversation_id in seen or praised >= len(PRAISE):
            continue
        seen.add(reply.conversation_id)
        at = min(reply.created_at + timedelta(minutes=rng.randint(20, 300)), now)
        Message.objects.create(
            conversation=reply.conversation,
            direction=Message.Direction.IN,
            kind=Message.Kind.CUSTOMER,
            channel=reply.conversation.channel,
            customer_id=reply.conversation.customer_id,
            text=PRAISE[praised].format(agent=reply.author.first_name if reply.author else "you"),
            created_at=at,
        )
        praised += 1
    # Each kudos goes on a reply that shows what it praises.
    for words, text in zip(KUDOS_WORDS, KUDOS, strict=True):
        match = next((r for r in replies if any(w in r.text.lower() for w in words)), None)
        if match is not None:
            actions.do_give_kudos(lead, match, text)
            replies.remove(match)


PRACTICE_REPLIES = (
    # (agent, reply): one that relieves and owns it, one that passes the customer on.
    ("agent", "I am so sorry about this, I can see how frustrating it is. I will sort it out myself: I have "
              "asked the warehouse to check today and I'll email you by 4pm with what happens next."),
    ("ben", "You need to contact the courier about this, they handle deliveries. Thanks for your patience."),
)  # fmt: skip


def _practice(team: Team, lead: User, ada: User, ben: User) -> None:
    """Two practice scenarios from the most intense conversations; Ada and Ben practise, the lead scores
    Ben's attempt."""
    sources = (
        Conversation.objects.filter(team=team, intensity__isnull=False)
        .exclude(customer__isnull=True)
        .order_by("-intensity", "pk")[:2]
    )
    users = {"agent": ada, "ben": ben}
    for source in sources:
        scenario = actions.do_create_scenario(source, lead)
        for username, text in PRACTICE_REPLIES:
            attempt = actions.do_practise(scenario, users[username], text)
            if username == "ben":
                values: dict[int, object] = {}
                for b in attempt.rubric.behaviours.all():
                    auto = attempt.autoqa.get(str(b.pk))
                    if auto is not None:
                        values[b.pk] = str(auto["value"])
                    else:
                        values[b.pk] = "na" if b.allow_na else ("1" if b.scale == "yes_no" else "3")
                actions.do_score_practice(
                    attempt,
                    lead,
                    values,
                    note="Take it on yourself: check with the courier for the customer.",
                )
