"""Reads of the SLA app: which policy applies and why, a conversation's targets, the report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from herodesk.conversations.models import Channel, Conversation
from herodesk.slas.models import SlaPolicy, SlaTarget

CHANNELS = dict(Channel.choices)
PRIORITIES = dict(Conversation.Priority.choices)


def policy_conditions(policy: SlaPolicy) -> list[str]:
    """The policy's conditions in words ("Team is Billing"); empty for a policy that matches everything."""
    words = []
    if policy.team_id:
        words.append(f"team is {policy.team}")
    if policy.priority:
        words.append(f"priority is {PRIORITIES.get(policy.priority, policy.priority)}")
    if policy.channel:
        words.append(f"channel is {CHANNELS.get(policy.channel, policy.channel)}")
    if policy.contact_reason_id:
        words.append(f"contact reason is {policy.contact_reason}")
    if policy.organization_id:
        words.append(f"organization is {policy.organization}")
    return words


def matches(policy: SlaPolicy, conversation: Conversation) -> bool:
    organization_id = conversation.customer.organization_id if conversation.customer else None
    return (
        (policy.team_id is None or policy.team_id == conversation.team_id)
        and (policy.priority is None or policy.priority == conversation.priority)
        and (not policy.channel or policy.channel == conversation.channel)
        and (policy.contact_reason_id is None or policy.contact_reason_id == conversation.contact_reason_id)
        and (policy.organization_id is None or policy.organization_id == organization_id)
    )


def match_policy(conversation: Conversation, policies: list[SlaPolicy]) -> tuple[SlaPolicy | None, str]:
    """The first active policy (in order) whose conditions all hold, and why it applies, in words."""
    for policy in sorted(policies, key=lambda p: (p.position, p.pk or 0)):
        if policy.active and matches(policy, conversation):
            words = policy_conditions(policy)
            why = (
                ("Applies because " + " and ".join(words)) if words else "The default policy (no conditions)"
            )
            return policy, why
    return None, ""


def describe_due(due: datetime, now: datetime) -> str:
    """'in 25 min', 'in 3 h 10 min', '2 h overdue'."""
    seconds = int((due - now).total_seconds())
    span = _span(abs(seconds))
    return f"in {span}" if seconds >= 0 else f"{span} overdue"


def _span(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{max(minutes, 1)} min"


def business_span(seconds: int | None) -> str:
    """A business-time duration for people: '1 h 20 min'; '—' when there is none."""
    if seconds is None:
        return "—"
    hours, rest = divmod(int(seconds), 3600)
    minutes = rest // 60
    return f"{hours} h {minutes} min" if hours and minutes else f"{hours} h" if hours else f"{minutes} min"


@dataclass
class TargetState:
    target: SlaTarget
    state: str  # running | warning | overdue | paused | met | met late | not needed
    level: str  # css: green | amber | red | muted
    detail: str


def target_state(target: SlaTarget, now: datetime) -> TargetState:
    local = timezone.localtime
    if target.met_at:
        late = target.breached_at is not None
        return TargetState(
            target,
            "met late" if late else "met",
            "red" if late else "green",
            f"after {business_span(target.elapsed_seconds)} of business time "
            f"({local(target.met_at):%b %-d %H:%M})",
        )
    if target.stopped_at:
        return TargetState(target, "not needed", "muted", "resolved before it was due")
    if target.paused_at:
        return TargetState(target, "paused", "muted", "waiting on the customer: the clock is stopped")
    due = f"due {local(target.due_at):%b %-d %H:%M}"
    if target.due_at <= now:
        return TargetState(target, "overdue", "red", f"{describe_due(target.due_at, now)}, {due}")
    warning = target.warn_at is not None and target.warn_at <= now
    return TargetState(
        target, "due soon" if warning else "running", "amber" if warning else "green",
        f"{describe_due(target.due_at, now)}, {due}",
    )  # fmt: skip


@dataclass
class ConversationSla:
    policy_name: str
    why: str
    states: list[TargetState]


def conversation_sla(conversation_id: int, now: datetime | None = None) -> ConversationSla | None:
    """The policy that applied and each target's state (the caller has checked access)."""
    now = now or timezone.now()
    targets = list(SlaTarget.objects.filter(conversation_id=conversation_id).order_by("started_at", "id"))
    if not targets:
        return None
    return ConversationSla(
        policy_name=targets[0].policy_name,
        why=targets[0].why,
        states=[target_state(t, now) for t in targets],
    )


def policies() -> list[SlaPolicy]:
    return list(SlaPolicy.objects.select_related("team", "contact_reason", "organization"))
