"""Every write of the SLA app: policies, the targets they set on conversations, warnings and breaches.

``do_sync_targets`` brings one conversation's targets up to date with what happened to it (it runs after
every committed change, through the conversations change listener). ``do_check_targets`` is the periodic
pass: it reads only running targets near or past their deadline and stamps each warning and breach once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from herodesk.accounts.models import User
from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.models import Conversation, Event, Message
from herodesk.errors import ActionError
from herodesk.insights import actions as insight_actions
from herodesk.insights.models import Promise
from herodesk.notifications.actions import do_notify
from herodesk.notifications.models import Notification
from herodesk.slas.clock import Calendars, add_business_seconds, business_seconds
from herodesk.slas.models import FollowUp, PromiseNotice, SlaPolicy, SlaTarget
from herodesk.slas.queries import describe_due, match_policy

Kind = SlaTarget.Kind
Status = Conversation.Status
MAX_TARGET_MINUTES = 60 * 24 * 365
REPLY_KINDS = (Message.Kind.REPLY, Message.Kind.PHONE)
NOT_SENT = (Message.SendStatus.SCHEDULED, Message.SendStatus.CANCELLED)


# --- Policies --------------------------------------------------------------------------------------


@dataclass
class PolicyFields:
    name: str
    position: int = 100
    active: bool = True
    team_id: int | None = None
    priority: int | None = None
    channel: str = ""
    contact_reason_id: int | None = None
    organization_id: int | None = None
    first_reply_minutes: int | None = None
    next_reply_minutes: int | None = None
    resolution_minutes: int | None = None
    warn_before_minutes: int = 30


def _check_policy(fields: PolicyFields) -> dict[str, str]:
    errors = {}
    if not fields.name.strip():
        errors["name"] = "Give the policy a name."
    targets = [fields.first_reply_minutes, fields.next_reply_minutes, fields.resolution_minutes]
    if not any(targets):
        errors["first_reply_minutes"] = "Set at least one target."
    for key in ("first_reply_minutes", "next_reply_minutes", "resolution_minutes", "warn_before_minutes"):
        value = getattr(fields, key)
        if value is not None and not 0 <= value <= MAX_TARGET_MINUTES:
            errors[key] = f"Between 0 and {MAX_TARGET_MINUTES} minutes."
    if fields.priority is not None and fields.priority not in Conversation.Priority.values:
        errors["priority"] = "Unknown priority."
    if not 0 <= fields.position <= 1_000_000:
        errors["position"] = "Between 0 and 1000000."
    return errors


@transaction.atomic
def do_save_policy(actor: User, fields: PolicyFields, policy: SlaPolicy | None = None) -> SlaPolicy:
    """Create or change a policy. Targets already set keep their deadlines; new targets use the change."""
    if not actor.is_lead:
        raise ActionError("Only team leads and admins change SLA policies")
    errors = _check_policy(fields)
    if errors:
        raise ActionError("The policy is not complete", errors)
    policy = policy or SlaPolicy()
    for key, value in vars(fields).items():
        setattr(policy, key, value.strip() if isinstance(value, str) else value)
    policy.updated_at = timezone.now()
    policy.save()
    return policy


@transaction.atomic
def do_delete_policy(actor: User, policy: SlaPolicy) -> None:
    if not actor.is_lead:
        raise ActionError("Only team leads and admins change SLA policies")
    policy.delete()  # targets keep the policy's name and their deadlines (policy becomes NULL)


# --- Targets of one conversation -------------------------------------------------------------------


def _new_target(
    conversation: Conversation, kind: str, policy: SlaPolicy, why: str, start: datetime, calendars: Calendars
) -> SlaTarget | None:
    minutes: int | None = {
        Kind.FIRST_REPLY: policy.first_reply_minutes,
        Kind.NEXT_REPLY: policy.next_reply_minutes,
        Kind.RESOLUTION: policy.resolution_minutes,
    }.get(kind)  # type: ignore[call-overload]
    if minutes is None:
        return None
    hours = calendars.get(conversation.team_id)
    due = add_business_seconds(hours, start, minutes * 60)
    return SlaTarget(
        conversation=conversation,
        kind=kind,
        policy=policy,
        policy_name=policy.name,
        why=why[:300],
        team_id=conversation.team_id,
        target_seconds=minutes * 60,
        warn_before_seconds=policy.warn_before_minutes * 60,
        started_at=start,
        due_at=due,
        warn_at=due - timedelta(minutes=policy.warn_before_minutes),
    )


def _last_reply(conversation_id: int) -> tuple[datetime, int | None] | None:
    row = (
        Message.objects.filter(conversation_id=conversation_id, kind__in=REPLY_KINDS)
        .exclude(send_status__in=NOT_SENT)
        .order_by("-created_at", "-id")
        .values_list("created_at", "author_id")
        .first()
    )
    return (row[0], row[1]) if row else None


def _meet(target: SlaTarget, at: datetime, by: int | None, calendars: Calendars) -> None:
    hours = calendars.get(target.team_id)
    target.met_at = at
    target.met_by_id = by
    target.elapsed_seconds = max(business_seconds(hours, target.started_at, at) - target.paused_seconds, 0)
    if at > target.due_at and target.breached_at is None and target.paused_at is None:
        target.breached_at = target.due_at  # late, though the periodic job had not noticed yet


def _snoozed_for_customer(conversation_id: int) -> bool:
    """Whether the latest snooze was at the customer's request (recorded on its event)."""
    data = (
        Event.objects.filter(conversation_id=conversation_id, kind=Event.Kind.SNOOZED)
        .order_by("-created_at", "-id")
        .values_list("data", flat=True)
        .first()
    )
    return bool(isinstance(data, dict) and data.get("for_customer"))


@transaction.atomic
def do_sync_targets(
    conversation_id: int, now: datetime | None = None, calendars: Calendars | None = None
) -> None:
    """Start, meet, stop, pause and resume this conversation's targets; cache the next deadline."""
    now = now or timezone.now()
    calendars = calendars or Calendars()
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        return
    targets = list(SlaTarget.objects.filter(conversation_id=conversation_id).select_related("policy"))
    changed: list[SlaTarget] = []
    created: list[SlaTarget] = []
    done = conversation.status in Conversation.DONE_STATUSES

    if not targets and not done and conversation.merged_into_id is None:
        policy, why = match_policy(conversation, list(SlaPolicy.objects.filter(active=True)))
        if policy is not None:
            for kind in (Kind.FIRST_REPLY, Kind.RESOLUTION):
                if kind == Kind.FIRST_REPLY and conversation.first_response_at is not None:
                    continue
                target = _new_target(conversation, kind, policy, why, conversation.created_at, calendars)
                if target is not None:
                    created.append(target)

    running = [t for t in targets + created if t.is_open]
    last_reply = _last_reply(conversation_id) if running or conversation.last_customer_message_at else None

    for target in running:
        if target.kind == Kind.FIRST_REPLY and conversation.first_response_at is not None:
            by = last_reply[1] if last_reply else None
            _meet(target, conversation.first_response_at, by, calendars)
        elif target.kind == Kind.NEXT_REPLY and last_reply and last_reply[0] >= target.started_at:
            _meet(target, last_reply[0], last_reply[1], calendars)
        elif target.kind == Kind.RESOLUTION and done:
            _meet(target, conversation.resolved_at or now, conversation.owner_id, calendars)
        elif done:
            target.stopped_at = now  # resolved without that reply: nothing left to answer
        if not target.is_open and target not in created:
            changed.append(target)

    # A customer who writes after our last reply starts the next-reply clock (once the first reply is done).
    waiting_since = conversation.last_customer_message_at
    if (
        not done
        and waiting_since is not None
        and conversation.first_response_at is not None
        and (last_reply is None or last_reply[0] < waiting_since)
        and not any(t.kind == Kind.NEXT_REPLY and t.is_open for t in targets + created)
        and not any(t.kind == Kind.NEXT_REPLY and t.started_at >= waiting_since for t in targets)
    ):
        source = next((t for t in targets + created if t.policy_id), None)
        policy = source.policy if source else None
        if policy is not None and source is not None:
            target = _new_target(conversation, Kind.NEXT_REPLY, policy, source.why, waiting_since, calendars)
            if target is not None:
                created.append(target)

    # Pending = waiting on the customer: the clocks stop, and run on from where they were when it ends.
    pending = conversation.status == Status.PENDING or (
        conversation.status == Status.SNOOZED and _snoozed_for_customer(conversation_id)
    )
    for target in [t for t in targets + created if t.is_open]:
        hours = calendars.get(target.team_id)
        if pending and target.paused_at is None:
            target.paused_at = now
        elif not pending and target.paused_at is not None:
            left = business_seconds(hours, target.paused_at, target.due_at)
            target.paused_seconds += business_seconds(hours, target.paused_at, now)
            if left > 0:
                target.due_at = add_business_seconds(hours, now, left)
                target.warn_at = target.due_at - timedelta(seconds=target.warn_before_seconds)
            target.paused_at = None
        else:
            continue
        if target not in created and target not in changed:
            changed.append(target)

    if created:
        SlaTarget.objects.bulk_create(created)
    if changed:
        SlaTarget.objects.bulk_update(
            changed,
            ["due_at", "warn_at", "paused_at", "paused_seconds", "met_at", "met_by", "elapsed_seconds",
             "stopped_at",
             "breached_at"],
        )  # fmt: skip
    due = min((t.due_at for t in targets + created if t.is_open and t.paused_at is None), default=None)
    if due != conversation.sla_due_at:
        conversation_actions.do_cache_sla_due(conversation_id, due)


# --- The periodic pass -----------------------------------------------------------------------------


@dataclass
class CheckResult:
    warned: int = 0
    breached: int = 0


def _leads_of(team_id: int | None, cache: dict[int | None, list[int]]) -> list[int]:
    if team_id not in cache:
        leads = User.objects.filter(is_active=True, role__in=[User.Role.LEAD, User.Role.ADMIN])
        if team_id is not None:
            leads = leads.filter(teams=team_id)
        cache[team_id] = list(leads.values_list("pk", flat=True))
    return cache[team_id]


def do_check_targets(now: datetime | None = None, batch: int = 1000) -> CheckResult:
    """Warn owners before a deadline and tell the team's leads at a breach; each exactly once.

    Each stamp is claimed with a conditional UPDATE inside the transaction that writes the notification,
    so two workers, or one restarted halfway, never notify twice. Both reads use partial indexes that hold
    only the targets still to warn or to breach, so a pass reads what changes, not every conversation.
    """
    now = now or timezone.now()
    result = CheckResult()
    running = SlaTarget.objects.filter(met_at__isnull=True, stopped_at__isnull=True, paused_at__isnull=True)
    leads: dict[int | None, list[int]] = {}

    due = list(
        running.filter(breached_at__isnull=True, due_at__lte=now)
        .select_related("conversation")
        .order_by("due_at")[:batch]
    )
    for target in due:
        with transaction.atomic():
            claimed = SlaTarget.objects.filter(pk=target.pk, breached_at__isnull=True).update(breached_at=now)
            if not claimed:
                continue
            # past the deadline there is nothing left to warn about
            SlaTarget.objects.filter(pk=target.pk, warned_at__isnull=True).update(warned_at=now)
            conversation = target.conversation
            do_notify(
                [*_leads_of(conversation.team_id, leads), conversation.owner_id],
                Notification.Kind.SLA_BREACH,
                f"{target.get_kind_display()} target missed on “{conversation.subject}” "
                f"({target.policy_name})",
                conversation=conversation,
                url=f"/c/{conversation.pk}/",
                at=now,
            )
            result.breached += 1

    soon = list(
        running.filter(warned_at__isnull=True, warn_at__lte=now)
        .select_related("conversation")
        .order_by("warn_at")[:batch]
    )
    for target in soon:
        with transaction.atomic():
            if not SlaTarget.objects.filter(pk=target.pk, warned_at__isnull=True).update(warned_at=now):
                continue
            conversation = target.conversation
            owner = (
                [conversation.owner_id] if conversation.owner_id else _leads_of(conversation.team_id, leads)
            )
            do_notify(
                owner,
                Notification.Kind.SLA_WARNING,
                f"{target.get_kind_display()} due {describe_due(target.due_at, now)} "
                f"on “{conversation.subject}”",
                conversation=conversation,
                url=f"/c/{conversation.pk}/",
                at=now,
            )
            result.warned += 1
    return result


# --- Scheduled replies and follow-ups --------------------------------------------------------------


@transaction.atomic
def do_schedule_reply(
    conversation: Conversation, author: User, text: str, send_at: datetime, follow_up: bool = False
) -> Message:
    """Write now, send at ``send_at``. A follow-up is cancelled, visibly, if the customer writes first."""
    message = conversation_actions.do_schedule_reply(conversation, author, text, send_at)
    if follow_up:
        FollowUp.objects.create(message=message, created_at=message.created_at)
    return message


def do_cancel_answered_follow_ups(conversation_id: int) -> int:
    """Follow-ups still waiting on a conversation where the customer wrote after they were scheduled."""
    last = (
        Conversation.objects.filter(pk=conversation_id)
        .values_list("last_customer_message_at", flat=True)
        .first()
    )
    if last is None:
        return 0
    waiting = FollowUp.objects.filter(
        message__conversation_id=conversation_id,
        message__send_status=Message.SendStatus.SCHEDULED,
        created_at__lt=last,
    ).select_related("message")
    cancelled = 0
    for follow_up in waiting:
        reason = f"the customer wrote on {timezone.localtime(last):%b %-d at %H:%M}, so it was not sent"
        try:
            conversation_actions.do_cancel_scheduled_reply(
                follow_up.message, None, reason, kind=Event.Kind.FOLLOW_UP_CANCELLED
            )
        except ActionError:
            continue  # sent or cancelled meanwhile
        cancelled += 1
    return cancelled


def do_send_due(now: datetime | None = None) -> int:
    """The periodic pass: follow-ups the customer answered are cancelled first, then what is due is sent."""
    now = now or timezone.now()
    answered = FollowUp.objects.filter(
        message__send_status=Message.SendStatus.SCHEDULED,
        message__scheduled_for__lte=now,
        message__conversation__last_customer_message_at__gt=F("created_at"),
    ).values_list("message__conversation_id", flat=True)
    for conversation_id in set(answered):
        do_cancel_answered_follow_ups(conversation_id)
    return conversation_actions.do_send_due_replies(now)


def do_hand_over_with_conversation(conversation_id: int) -> int:
    """Open promises follow the conversation: when it has a new owner (a transfer or an assignment), the new
    owner keeps its promises and gets their reminders. Each hand-over is recorded in the history."""
    conversation = Conversation.objects.select_related("owner").filter(pk=conversation_id).first()
    if conversation is None or conversation.owner is None:
        return 0
    moved = 0
    waiting = Promise.objects.filter(conversation_id=conversation_id, state=Promise.State.OPEN).exclude(
        owner_id=conversation.owner_id
    )
    for promise in waiting:
        insight_actions.do_hand_over_promise(promise, None, conversation.owner)
        moved += 1
    return moved


# --- Promise reminders -----------------------------------------------------------------------------

PROMISE_REMINDER_MINUTES = 60  # default lead time; settings.HERODESK_PROMISE_REMINDER_MINUTES overrides
OVERDUE_LOOKBACK = timedelta(days=2)  # promises older than this are not news any more


def promise_reminder_lead() -> timedelta:
    return timedelta(minutes=getattr(settings, "HERODESK_PROMISE_REMINDER_MINUTES", PROMISE_REMINDER_MINUTES))


def _claim(promise_id: int, stamp: str, now: datetime) -> bool:
    PromiseNotice.objects.get_or_create(promise_id=promise_id)
    return bool(
        PromiseNotice.objects.filter(promise_id=promise_id, **{f"{stamp}__isnull": True}).update(
            **{stamp: now}
        )
    )


@dataclass
class PromiseResult:
    reminded: int = 0
    overdue: int = 0


def do_promise_reminders(now: datetime | None = None, batch: int = 500) -> PromiseResult:
    """Remind owners before a promise is due; tell the team's leads when one is overdue. Each once."""
    now = now or timezone.now()
    result = PromiseResult()
    leads: dict[int | None, list[int]] = {}
    soon = (
        Promise.objects.filter(
            state=Promise.State.OPEN,
            owner__isnull=False,
            due_at__gt=now,
            due_at__lte=now + promise_reminder_lead(),
        )
        .exclude(notice__reminded_at__isnull=False)
        .select_related("conversation")
        .order_by("due_at")[:batch]
    )
    for promise in soon:
        with transaction.atomic():
            if not _claim(promise.pk, "reminded_at", now):
                continue
            conversation = promise.conversation
            assert promise.due_at is not None  # filtered above
            do_notify(
                [promise.owner_id],
                Notification.Kind.PROMISE_DUE,
                f"Your promise is due {describe_due(promise.due_at, now)} on “{conversation.subject}”: "
                f"“{promise.text[:120]}”",
                conversation=conversation,
                url=f"/c/{conversation.pk}/?draft=keep-promise-{promise.pk}",
                at=now,
            )
            result.reminded += 1
    overdue = (
        Promise.objects.filter(
            state__in=[Promise.State.OPEN, Promise.State.BROKEN],
            due_at__lte=now,
            due_at__gt=now - OVERDUE_LOOKBACK,
        )
        .exclude(notice__overdue_told_at__isnull=False)
        .select_related("conversation", "owner")
        .order_by("due_at")[:batch]
    )
    for promise in overdue:
        with transaction.atomic():
            if not _claim(promise.pk, "overdue_told_at", now):
                continue
            conversation = promise.conversation
            owner = promise.owner.display_name if promise.owner else "nobody"
            do_notify(
                _leads_of(conversation.team_id, leads),
                Notification.Kind.PROMISE_OVERDUE,
                f"Promise overdue ({owner}) on “{conversation.subject}”: “{promise.text[:120]}”",
                conversation=conversation,
                url=f"/c/{conversation.pk}/",
                at=now,
            )
            result.overdue += 1
    return result
