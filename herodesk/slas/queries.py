"""Reads of the SLA app: which policy applies and why, a conversation's targets, the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.http import Http404
from django.utils import timezone

from herodesk.accounts.models import User
from herodesk.conversations.models import Channel, Conversation, Message
from herodesk.conversations.queries import visible_conversations
from herodesk.insights.models import Promise
from herodesk.slas.models import FollowUp, SlaPolicy, SlaTarget

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
    if seconds < 60:
        return "under a minute"
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


# --- The report ------------------------------------------------------------------------------------

GROUPS = {"team": "Team", "agent": "Agent", "policy": "Policy", "week": "Week"}


@dataclass
class ReportRow:
    group: str
    targets: int = 0
    met: int = 0
    breached: int = 0
    running: int = 0
    first_reply: list[int] = field(default_factory=list)
    resolution: list[int] = field(default_factory=list)

    @property
    def met_rate(self) -> float | None:
        done = self.met + self.breached
        return self.met / done if done else None

    @property
    def first_reply_median(self) -> int | None:
        return percentile(self.first_reply, 50)

    @property
    def first_reply_p90(self) -> int | None:
        return percentile(self.first_reply, 90)

    @property
    def resolution_median(self) -> int | None:
        return percentile(self.resolution, 50)

    @property
    def resolution_p90(self) -> int | None:
        return percentile(self.resolution, 90)


def percentile(values: list[int], p: int) -> int | None:
    """Nearest-rank percentile: the smallest value with at least p% of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(int(-(-p * len(ordered) // 100)), 1)  # ceil(p/100 * n)
    return ordered[rank - 1]


def report(user: User, group: str, since: datetime, until: datetime) -> list[ReportRow]:
    """Targets started in [since, until) on conversations ``user`` may see, grouped by team, agent (who met
    it, else the owner), policy or week (Monday, in the user's time zone). Met = met by the deadline;
    breached = missed (met late or still open past it); times are business time, pauses left out."""
    group = group if group in GROUPS else "team"
    rows = (
        SlaTarget.objects.filter(
            started_at__gte=since,
            started_at__lt=until,
            conversation__in=visible_conversations(user).values("pk"),
        )
        .values_list(
            "kind", "met_at", "breached_at", "elapsed_seconds", "started_at", "policy_name",
            "team__name", "met_by_id", "conversation__owner_id",
        )
        .order_by()
    )  # fmt: skip
    people = User.objects.only("username", "first_name", "last_name")
    names = {u.pk: u.display_name for u in people}
    groups: dict[str, ReportRow] = {}
    for (
        kind,
        met_at,
        breached_at,
        elapsed,
        started_at,
        policy_name,
        team_name,
        met_by,
        owner,
    ) in rows.iterator():
        if group == "team":
            key = team_name or "No team"
        elif group == "agent":
            who = met_by or owner
            key = names.get(who, "Former agent") if who else "Unassigned"
        elif group == "policy":
            key = policy_name
        else:
            day = timezone.localtime(started_at).date()
            key = f"Week of {day - timedelta(days=day.weekday()):%Y-%m-%d}"
        row = groups.setdefault(key, ReportRow(key))
        row.targets += 1
        if breached_at is not None:
            row.breached += 1
        elif met_at is not None:
            row.met += 1
        else:
            row.running += 1
        if met_at is not None and elapsed is not None:
            if kind == SlaTarget.Kind.FIRST_REPLY:
                row.first_reply.append(elapsed)
            elif kind == SlaTarget.Kind.RESOLUTION:
                row.resolution.append(elapsed)
    return sorted(groups.values(), key=lambda r: r.group)


# --- Scheduled replies and promises of one conversation (the caller loaded it with an access check) -------


def scheduled_message(conversation: Conversation, message_id: int) -> Message:
    message = Message.objects.filter(pk=message_id, conversation=conversation).first()
    if message is None:
        raise Http404("No such message on this conversation")
    return message


def conversation_promise(conversation: Conversation, promise_id: int) -> Promise:
    promise = Promise.objects.filter(pk=promise_id, conversation=conversation).first()
    if promise is None:
        raise Http404("No such promise on this conversation")
    return promise


def follow_up_ids(conversation_id: int) -> set[int]:
    return set(
        FollowUp.objects.filter(message__conversation_id=conversation_id).values_list("message_id", flat=True)
    )


def open_promises(conversation_id: int) -> list[Promise]:
    return list(
        Promise.objects.filter(
            conversation_id=conversation_id, state__in=[Promise.State.OPEN, Promise.State.BROKEN]
        )
        .select_related("owner")
        .order_by("due_at", "id")
    )


def keep_promise_draft(conversation: Conversation, draft: str) -> str:
    """The reply that keeps a promise, for ``?draft=keep-promise-<id>`` (a reminder's link); '' otherwise."""
    prefix = "keep-promise-"
    if not draft.startswith(prefix) or not draft[len(prefix) :].isdigit() or len(draft) > 40:
        return ""
    promise = Promise.objects.filter(pk=int(draft[len(prefix) :]), conversation=conversation).first()
    if promise is None:
        return ""
    name = (
        conversation.customer.name.split()[0] if conversation.customer and conversation.customer.name else ""
    )
    greeting = f"Hi {name}," if name else "Hello,"
    return f"{greeting}\n\nAs promised (“{promise.text.strip()}”), here is the update: \n\n"


def last_customer_intensity(conversation_id: int) -> float | None:
    """Intensity of the customer's last message (None before the analysis scored it)."""
    return (
        Message.objects.filter(conversation_id=conversation_id, kind=Message.Kind.CUSTOMER)
        .order_by("-created_at", "-id")
        .values_list("intensity", flat=True)
        .first()
    )
