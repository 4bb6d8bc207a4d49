"""The weekly digest email per agent: their best moments of the week and one tip.

Best moments: kudos from colleagues, customer praise credited to them (the smile report's detector), promises
they kept, and hero moments they relieved (the first reply after an intense customer message was theirs).
The tip is tied to their weakest behaviour: the lowest average in their reviews of the last eight weeks, or,
with no reviews, the AutoQA-judged behaviour their replies of the last four weeks show least."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from herodesk.accounts.models import User
from herodesk.conversations.models import Message
from herodesk.insights.actions import RELIEF_THRESHOLD
from herodesk.insights.models import Promise
from herodesk.quality import autoqa, stats
from herodesk.quality.models import Behaviour, Kudos, Review

A = Behaviour.AutoQA
TIPS: dict[str, str] = {
    A.RELIEF: "When a customer is upset, make your first sentence about them: acknowledge what went "
    "wrong and say you are on it, before explaining anything.",
    A.OWNERSHIP: "Take it on in the first person: “I will check with billing and write back by 3pm” instead "
    "of “you need to contact billing”.",
    A.PROMISE: "Make every promise specific (what and by when) and put the follow-up in your calendar the "
    "moment you write it.",
    A.NEXT_STEP: "End every reply with the next step: what happens, who does it, and when.",
    A.TONE: "Name the customer's feeling once (“I can see how frustrating this is”) and never point at who "
    "is to blame.",
}
NAME_TIPS = {
    "no repeated questions": "Before you ask, read the thread and the customer's page: ask only what we "
    "cannot look up.",
    "correct resolution": "Before sending, check the answer against the customer's exact question: does it "
    "solve all of it?",
    "plain language": "Short sentences, no internal terms: read your reply as if you had never worked here.",
}
FLAG_KEYS = {flag: key for key, flag in stats.REPLY_FLAGS.items()}


@dataclass
class Moment:
    kind: str  # "kudos" | "praise" | "promise" | "relief"
    text: str
    subject: str
    conversation_id: int
    by: str = ""


@dataclass
class Tip:
    behaviour: str
    text: str
    source: str  # "reviews" | "AutoQA"


@dataclass
class Digest:
    agent: User
    week: date
    moments: list[Moment] = field(default_factory=list)
    tip: Tip | None = None

    def of(self, kind: str) -> list[Moment]:
        return [m for m in self.moments if m.kind == kind]


def week_bounds(week: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(week, datetime.min.time()))
    return start, start + timedelta(days=7)


def praise_by_agent(teams: Sequence, week: date) -> dict[int, list[stats.Story]]:
    """Customer praise of the week in these teams, per credited agent (one pass per team)."""
    start, end = week_bounds(week)
    out: dict[int, list[stats.Story]] = defaultdict(list)
    for team in teams:
        for story in stats.praise_found(team, start, end):
            if story.agent_id:
                out[story.agent_id].append(story)
    return out


def _relieved(agent: User, start: datetime, end: datetime) -> list[Moment]:
    replies = Message.objects.filter(
        author=agent, kind__in=autoqa.AGENT_KINDS, created_at__gte=start, created_at__lt=end
    )
    conversation_ids = set(replies.values_list("conversation_id", flat=True))
    if not conversation_ids:
        return []
    thread: dict[int, list[Message]] = defaultdict(list)
    for m in (
        Message.objects.filter(
            conversation_id__in=conversation_ids, kind__in=[Message.Kind.CUSTOMER, *autoqa.AGENT_KINDS]
        )
        .select_related("conversation")
        .only(
            "conversation_id", "kind", "author_id", "intensity", "created_at", "text", "conversation__subject"
        )
        .order_by("created_at", "id")
    ):
        thread[m.conversation_id].append(m)
    out = []
    for messages in thread.values():
        for i, m in enumerate(messages):
            if m.kind != Message.Kind.CUSTOMER or (m.intensity or 0) < RELIEF_THRESHOLD:
                continue
            reply = next((r for r in messages[i + 1 :] if r.kind in autoqa.AGENT_KINDS), None)
            if reply is not None and reply.author_id == agent.pk and start <= reply.created_at < end:
                out.append(Moment("relief", reply.text[:300], m.conversation.subject, m.conversation_id))
                break
    return out


def weakest_tip(agent: User, today: date) -> Tip | None:
    since = timezone.make_aware(datetime.combine(today - timedelta(weeks=8), datetime.min.time()))
    reviews = Review.objects.filter(
        agent=agent, status=Review.Status.SUBMITTED, calibration__isnull=True, submitted_at__gte=since
    ).prefetch_related("scores__behaviour")
    values: dict[str, list[float]] = defaultdict(list)
    judges: dict[str, Behaviour] = {}
    for review in reviews:
        for s in review.scores.all():
            if s.value is not None:
                values[s.behaviour.name].append(s.behaviour.fraction(s.value))
                judges[s.behaviour.name] = s.behaviour
    if values:
        name = min(values, key=lambda n: (sum(values[n]) / len(values[n]), n))
        b = judges[name]
        text = TIPS.get(b.autoqa) or NAME_TIPS.get(name.lower()) or (b.description or f"Work on “{name}”.")
        return Tip(name, text, "reviews")
    recent = timezone.make_aware(datetime.combine(today - timedelta(weeks=4), datetime.min.time()))
    flags = [
        (s or {}).get("behaviours") or []
        for s in Message.objects.filter(
            author=agent, kind__in=autoqa.AGENT_KINDS, created_at__gte=recent, signals__has_key="behaviours"
        ).values_list("signals", flat=True)
    ]
    if not flags:
        return None
    share = {flag: sum(flag in f for f in flags) / len(flags) for flag in FLAG_KEYS}
    flag = min(share, key=lambda f: (share[f], f))
    key = FLAG_KEYS[flag]
    return Tip(A(key).label, TIPS[key], "AutoQA")


def build(agent: User, week: date, praise: Sequence[stats.Story] = ()) -> Digest:
    start, end = week_bounds(week)
    digest = Digest(agent, week)
    for k in Kudos.objects.filter(agent=agent, created_at__gte=start, created_at__lt=end).select_related(
        "giver", "conversation"
    ):
        digest.moments.append(
            Moment(
                "kudos",
                k.text,
                k.conversation.subject,
                k.conversation_id,
                k.giver.display_name if k.giver else "",
            )
        )
    for story in praise:
        digest.moments.append(
            Moment("praise", story.text[:300], story.subject, story.conversation_id, story.by)
        )
    for p in Promise.objects.filter(
        owner=agent, state=Promise.State.KEPT, kept_at__gte=start, kept_at__lt=end
    ).select_related("conversation"):
        digest.moments.append(Moment("promise", p.text[:300], p.conversation.subject, p.conversation_id))
    digest.moments += _relieved(agent, start, end)
    digest.tip = weakest_tip(agent, week + timedelta(days=7))
    return digest


def message(digest: Digest) -> EmailMultiAlternatives:
    """The digest as a mail: plain text and simple HTML (escaped by the templates)."""
    context = {
        "digest": digest,
        "agent": digest.agent,
        "kudos": digest.of("kudos"),
        "praise": digest.of("praise"),
        "promises": digest.of("promise"),
        "relief": digest.of("relief"),
        "base": settings.BASE_URL,
        "quality_url": settings.BASE_URL + reverse("quality:overview"),
    }
    subject = f"Your week in support: {len(digest.moments)} moments to be proud of ({digest.week:%b %-d})"
    mail = EmailMultiAlternatives(
        subject,
        render_to_string("quality/digest.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [digest.agent.email],
    )
    mail.attach_alternative(render_to_string("quality/digest.html", context), "text/html")
    return mail
