"""Demo SLA data: three policies, targets on every conversation of the last weeks (met, breached, running,
paused), a few open conversations about to miss their target, and the warnings the periodic job sends."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from herodesk.accounts.models import Team, User
from herodesk.conversations.models import Conversation, Message
from herodesk.insights.models import Promise
from herodesk.slas import actions as sla_actions
from herodesk.slas.clock import Calendars, add_business_seconds, business_seconds
from herodesk.slas.models import FollowUp, SlaPolicy, SlaTarget
from herodesk.slas.queries import match_policy

Kind = SlaTarget.Kind
# name, position, team name, priority, first reply, next reply, resolution (business minutes), warn before
POLICIES = (
    ("Urgent", 10, None, Conversation.Priority.URGENT, 30, 60, 240, 15),
    ("Billing", 20, "Billing", None, 240, 480, 1440, 60),
    ("Standard", 100, None, None, 120, 240, 960, 30),
)
NEAR = (10, 25)  # minutes left on the open conversations the demo puts close to their deadline
LATE = (25,)  # minutes past the deadline for one the job has just reported


def seed_slas(now: datetime | None = None, weeks: int = 6) -> int:
    """Policies and targets for the demo desk; returns the number of targets written."""
    now = now or timezone.now()
    teams = {team.name: team for team in Team.objects.all()}
    policies = [
        SlaPolicy.objects.get_or_create(
            name=name,
            defaults={
                "position": position, "team": teams.get(team) if team else None, "priority": priority,
                "first_reply_minutes": first, "next_reply_minutes": nxt, "resolution_minutes": resolution,
                "warn_before_minutes": warn, "updated_at": now,
            },
        )[0]
        for name, position, team, priority, first, nxt, resolution, warn in POLICIES
    ]  # fmt: skip
    calendars = Calendars()
    conversations = list(
        Conversation.objects.filter(created_at__gte=now - timedelta(weeks=weeks), merged_into__isnull=True)
        .select_related("customer")
        .order_by("created_at")
    )
    targets: list[SlaTarget] = []
    for conversation in conversations:
        policy, why = match_policy(conversation, policies)
        if policy is None:
            continue
        hours = calendars.get(conversation.team_id)
        plan = [
            (
                Kind.FIRST_REPLY,
                policy.first_reply_minutes,
                conversation.created_at,
                conversation.first_response_at,
            ),
            (Kind.RESOLUTION, policy.resolution_minutes, conversation.created_at, conversation.resolved_at),
        ]
        waiting = conversation.last_customer_message_at
        if (
            conversation.status in (Conversation.Status.NEW, Conversation.Status.OPEN)
            and conversation.first_response_at
            and waiting
            and waiting > conversation.first_response_at
        ):
            plan.append(
                (Kind.NEXT_REPLY, policy.next_reply_minutes, waiting, None)
            )  # the customer wrote again
        for kind, minutes, start, done_at in plan:
            if minutes is None:
                continue
            due = add_business_seconds(hours, start, minutes * 60)
            target = SlaTarget(
                conversation=conversation, kind=kind, policy=policy, policy_name=policy.name, why=why,
                team_id=conversation.team_id, target_seconds=minutes * 60,
                warn_before_seconds=policy.warn_before_minutes * 60, started_at=start,
                due_at=due, warn_at=due - timedelta(minutes=policy.warn_before_minutes),
            )  # fmt: skip
            if done_at is not None:
                target.met_at = done_at
                target.met_by_id = conversation.owner_id
                target.elapsed_seconds = business_seconds(hours, start, done_at)
                if done_at > due:
                    target.breached_at = due
            elif conversation.status in Conversation.DONE_STATUSES:
                target.stopped_at = conversation.resolved_at or now
            elif conversation.status == Conversation.Status.PENDING:
                target.paused_at = conversation.last_activity_at
            elif due <= now:
                target.breached_at = target.warned_at = due  # reported long ago
            elif target.warn_at and target.warn_at <= now:
                target.warned_at = target.warn_at
            targets.append(target)
    _put_some_near_their_deadline(targets, now)
    SlaTarget.objects.bulk_create(targets, batch_size=500)
    _cache_next_deadlines(targets)
    # The periodic job tells owners and leads about the few conversations placed near or past the deadline.
    sla_actions.do_check_targets(now)
    _follow_up_and_promise(now)
    sla_actions.do_promise_reminders(now)
    return len(targets)


def _follow_up_and_promise(now: datetime) -> None:
    """A follow-up waiting on a pending conversation of Ada's; a promise of hers due within the hour."""
    ada = User.objects.filter(username="agent").first()
    if ada is None:
        return
    mine = Conversation.objects.filter(owner=ada).order_by("-last_activity_at")
    # A pending one reads best (waiting on the customer); a small demo may have none of Ada's.
    waiting = mine.filter(status=Conversation.Status.PENDING).first() or mine.filter(is_open=1).first()
    if waiting is not None:
        follow_up = Message.objects.create(
            conversation=waiting, direction=Message.Direction.OUT, kind=Message.Kind.REPLY,
            channel=waiting.channel, author=ada, created_at=now - timedelta(minutes=5),
            text="Hi, just checking in: did that solve it? If I don't hear back I'll assume all is well.",
            send_status=Message.SendStatus.SCHEDULED, scheduled_for=now + timedelta(days=1),
        )  # fmt: skip
        follow_up.full_text = follow_up.text
        follow_up.save(update_fields=["full_text"])
        FollowUp.objects.create(message=follow_up, created_at=follow_up.created_at)
    reply = (
        Message.objects.filter(conversation__in=mine.filter(is_open=1), kind=Message.Kind.REPLY, author=ada)
        .order_by("-created_at")
        .first()
    )
    if reply is not None:
        Promise.objects.create(
            conversation_id=reply.conversation_id, message=reply, owner=ada, kind=Promise.Kind.SPECIFIC,
            text="I'll call you back within the hour with the courier's answer",
            due_at=now + timedelta(minutes=40), created_at=now - timedelta(minutes=20),
        )  # fmt: skip


def _put_some_near_their_deadline(targets: list[SlaTarget], now: datetime) -> None:
    """A live desk always has a few conversations about to miss (or just missing) their first reply."""
    ada = User.objects.filter(username="agent").first()
    running = [
        t for t in targets
        if t.met_at is None and t.stopped_at is None and t.paused_at is None and t.conversation.owner_id
    ]  # fmt: skip
    # Ada's first (the demo's agent login), first replies before resolutions, one target per conversation
    running.sort(
        key=lambda t: (t.conversation.owner_id != (ada.pk if ada else None), t.kind != Kind.FIRST_REPLY)
    )
    first_of: dict[int, SlaTarget] = {}
    for t in running:
        first_of.setdefault(t.conversation_id, t)
    candidates = list(first_of.values())
    offsets = [timedelta(minutes=m) for m in NEAR] + [-timedelta(minutes=m) for m in LATE]
    for target, offset in zip(candidates, offsets, strict=False):
        _move(target, now + offset, now)
        for other in running:  # the conversation's other targets come due later
            if other.conversation_id == target.conversation_id and other is not target:
                _move(other, max(other.due_at, now + offset + timedelta(hours=4)), now)


def _move(target: SlaTarget, due: datetime, now: datetime) -> None:
    target.due_at = due
    target.warn_at = due - timedelta(seconds=target.warn_before_seconds)
    target.started_at = min(target.started_at, now - timedelta(hours=1))
    target.breached_at = target.warned_at = None


def _cache_next_deadlines(targets: list[SlaTarget]) -> None:
    next_due: dict[int, datetime] = {}
    for t in targets:
        if t.met_at is None and t.stopped_at is None and t.paused_at is None:
            current = next_due.get(t.conversation_id)
            next_due[t.conversation_id] = t.due_at if current is None else min(current, t.due_at)
    rows = [Conversation(pk=pk, sla_due_at=due) for pk, due in next_due.items()]
    Conversation.objects.bulk_update(rows, ["sla_due_at"], batch_size=500)
