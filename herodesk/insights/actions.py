"""Writes of the insights app: signals cached on messages and conversations, promises, reason suggestions.

Runs in background jobs queued by conversation actions after they commit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from herodesk.accounts.models import User
from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.models import ContactReason, Conversation, Event, Message
from herodesk.customers import actions as customer_actions
from herodesk.errors import ActionError
from herodesk.insights import signals_bridge
from herodesk.insights.models import HeroMoment, Promise
from herodesk.notifications import actions as notification_actions
from herodesk.notifications.models import Notification
from herodesk.signals import effort, promises
from herodesk.signals.deadline import find_deadline
from herodesk.signals.intensity import IntensityResult
from herodesk.signals.message import BEHAVIOURS, INTENSITY, PROMISES, analyse_message, intensities

# A customer message at or above this intensity makes a hero moment until an agent relieves it.
RELIEF_THRESHOLD = 0.6
AGENT_ACTIONS = signals_bridge.AGENT_ACTIONS


def score_message(
    message: Message,
    team_hours: signals_bridge.BusinessHours,
    intensity_result: IntensityResult | None = None,
) -> list[promises.Promise]:
    """Fill the message's own signals; return the promises found in an agent reply.

    A customer message's intensity comes from ``intensity_result`` when the caller scored it already (the
    job scores a conversation's new customer messages in one batch), else from the configured path.
    """
    if message.kind == Message.Kind.CUSTOMER:
        result = (
            intensity_result
            or analyse_message(
                message.text, wanted={INTENSITY}, intensity_path=settings.INTENSITY_PATH
            ).intensity
        )
        assert result is not None
        message.intensity = result.score
        message.signals = {"reasons": result.reasons, "confidence": result.confidence}
        return []
    if message.kind not in AGENT_ACTIONS:
        return []
    wanted = {BEHAVIOURS, PROMISES} if message.kind == Message.Kind.REPLY else {BEHAVIOURS}
    analysis = analyse_message(
        message.text, sent_at=message.created_at, business_hours=team_hours, wanted=wanted
    )
    found = analysis.behaviours
    assert found is not None
    message.signals = {
        "behaviours": [name for name, present in found.flags().items() if present],
        "confidence": found.confidence,
    }
    return analysis.promises or []


def _new_promises(message: Message, found: list[promises.Promise]) -> list[Promise]:
    return [
        Promise(
            conversation_id=message.conversation_id,
            message=message,
            owner_id=message.author_id,
            text=p.text[:2000],
            kind=p.kind,
            due_at=p.due,
            suggestion=(p.suggestion or "")[:2000],
            created_at=message.created_at,
        )
        for p in found
    ]


def keep_promises(message: Message, tracked: list[Promise]) -> list[Promise]:
    """An agent acting on the conversation (reply or call note) before the due time keeps their promises.

    Returns the promises it kept. A customer message never changes a promise.
    """
    if message.kind not in AGENT_ACTIONS or message.author_id is None:
        return []
    kept = []
    for promise in tracked:
        if (
            promise.state == Promise.State.OPEN
            and promise.owner_id == message.author_id
            and promise.message_id != message.pk
            and promise.created_at < message.created_at
            and (promise.due_at is None or promise.due_at >= message.created_at)
        ):
            promise.state, promise.kept_at = Promise.State.KEPT, message.created_at
            kept.append(promise)
    return kept


def do_mark_broken_promises(now: datetime | None = None) -> int:
    """Open promises whose due time passed without the owner acting are broken."""
    now = now or timezone.now()
    return Promise.objects.filter(state=Promise.State.OPEN, due_at__lt=now).update(state=Promise.State.BROKEN)


DUE_SOON = timedelta(hours=1)
OVERDUE_LOOKBACK = timedelta(days=1)


def do_notify_promises_due(now: datetime | None = None) -> int:
    """Tell owners about their promises due within the hour, and those overdue; each once.

    Idempotent: the periodic job runs every few minutes and each promise is told once as due soon and
    once as overdue (a promise past due is also marked broken by ``do_mark_broken_promises``).
    """
    now = now or timezone.now()
    rows = (
        Promise.objects.filter(owner__isnull=False, due_at__lte=now + DUE_SOON)
        .filter(due_at__gte=now - OVERDUE_LOOKBACK)
        .filter(state__in=[Promise.State.OPEN, Promise.State.BROKEN], kept_at__isnull=True)
        .select_related("conversation")
        .only("text", "due_at", "state", "owner_id", "conversation__subject", "conversation_id")
        .order_by("due_at")[:500]
    )
    told = 0
    for promise in rows:
        assert promise.due_at is not None
        overdue = promise.due_at <= now
        if not overdue and promise.state != Promise.State.OPEN:
            continue
        kind = Notification.Kind.PROMISE_OVERDUE if overdue else Notification.Kind.PROMISE_DUE
        when = timezone.localtime(promise.due_at).strftime("%H:%M")
        text = (
            f"Overdue since {when}: “{promise.text[:120]}”"
            if overdue
            else f"Due at {when}: “{promise.text[:120]}”"
        ) + f" on “{promise.conversation.subject[:60]}”"
        told += len(
            notification_actions.do_notify(
                [promise.owner_id],
                kind,
                text,
                promise.conversation_id,
                url=f"/c/{promise.conversation_id}/#promise-{promise.pk}",
                at=now,
                once=True,
            )  # fmt: skip
        )
    return told


@transaction.atomic
def do_move_promises(message_ids: list[int], to_conversation_id: int) -> None:
    """Messages moved to another conversation (merge, split): their promises go with them."""
    Promise.objects.filter(message_id__in=message_ids).update(conversation_id=to_conversation_id)


def _unrelieved(messages: list[Message]) -> list[Message]:
    last_action = max((i for i, m in enumerate(messages) if m.kind in AGENT_ACTIONS), default=-1)
    return [m for m in messages[last_action + 1 :] if m.kind == Message.Kind.CUSTOMER]


def refresh_conversation(
    conversation: Conversation, messages: list[Message], events: list[Event], now: datetime
) -> None:
    """Recompute cached intensity, relief and effort for one conversation from its loaded records."""
    waiting = [m.intensity or 0.0 for m in _unrelieved(messages)]
    peak = max((m.intensity or 0.0 for m in messages if m.kind == Message.Kind.CUSTOMER), default=None)
    conversation.intensity = max(waiting) if waiting else peak
    conversation.awaiting_relief = (
        bool(waiting)
        and max(waiting) >= RELIEF_THRESHOLD
        and conversation.status in Conversation.OPEN_STATUSES
    )
    conversation.effort = signals_bridge.effort_of(conversation, messages, events, now).score
    conversation_actions.do_cache_signals(conversation)
    do_track_hero_moments(conversation, messages)


def hero_episodes(
    conversation: Conversation, messages: list[Message], hours: signals_bridge.BusinessHours
) -> list[HeroMoment]:
    """The conversation's hero moments, rebuilt from its messages (in order): each starts at a customer
    message at or above RELIEF_THRESHOLD while none is open, and ends at the first agent reply or call after
    it. Its deadline is the soonest one the customer stated since the last agent action (signals/deadline)."""
    episodes: list[HeroMoment] = []
    current: HeroMoment | None = None
    deadline = None
    for message in messages:
        if message.kind == Message.Kind.CUSTOMER:
            stated = find_deadline(message.text or "", message.created_at, hours)
            if stated is not None and (deadline is None or stated.at < deadline.at):
                deadline = stated
            if current is None and (message.intensity or 0.0) >= RELIEF_THRESHOLD:
                current = HeroMoment(
                    conversation_id=conversation.pk,
                    started_at=message.created_at,
                    intensity=message.intensity or 0.0,
                )
                episodes.append(current)
            if current is not None:
                current.intensity = max(current.intensity, message.intensity or 0.0)
                if deadline is not None:
                    current.deadline_at, current.deadline_words = deadline.at, deadline.words[:200]
        elif message.kind in AGENT_ACTIONS:
            if current is not None:
                current.relieved_at, current.relieved_by_id = message.created_at, message.author_id
                current.team_id = conversation.team_id
                waited = message.created_at - current.started_at
                current.relief_seconds = max(int(waited.total_seconds()), 0)
                current.relief_business_seconds = int(
                    signals_bridge.business_seconds_between(hours, current.started_at, message.created_at)
                )
            current, deadline = None, None
    return episodes


def do_track_hero_moments(conversation: Conversation, messages: list[Message]) -> None:
    """Record the conversation's hero moments and their relief (who, when, how long): the rows match
    what the messages say, so a retried job, an edit or a merge leaves no stale or duplicate moment."""
    hours = signals_bridge.business_hours_for(conversation.team)
    wanted = {m.started_at: m for m in hero_episodes(conversation, messages, hours)}
    fields = [
        "intensity", "deadline_at", "deadline_words", "relieved_at", "relieved_by_id", "team_id",
        "relief_seconds", "relief_business_seconds",
    ]  # fmt: skip
    existing = {m.started_at: m for m in HeroMoment.objects.filter(conversation_id=conversation.pk)}
    stale = [m.pk for at, m in existing.items() if at not in wanted]
    if stale:
        HeroMoment.objects.filter(pk__in=stale).delete()
    changed = []
    for at, moment in wanted.items():
        old = existing.get(at)
        if old is None:
            continue
        if any(getattr(old, f) != getattr(moment, f) for f in fields):
            moment.pk = old.pk
            changed.append(moment)
    HeroMoment.objects.bulk_create([m for at, m in wanted.items() if at not in existing])
    if changed:
        HeroMoment.objects.bulk_update(changed, [f.removesuffix("_id") for f in fields])


def refresh_customer(customer_id: int) -> None:
    rows = Conversation.objects.filter(customer_id=customer_id, effort__isnull=False).values_list(
        "effort", flat=True
    )
    results = [effort.EffortResult(int(score)) for score in rows if score is not None]
    combined = effort.aggregate(results).score if results else None
    customer_actions.do_cache_effort(customer_id, combined)


def _score_pending(
    messages: list[Message],
    tracked: list[Promise],
    hours: signals_bridge.BusinessHours,
    message_id: int | None,
) -> None:
    """Score messages not analysed yet (or the one named), record their promises and keep earlier ones."""
    scored, created, kept = [], [], []
    pending = [m for m in messages if not (m.signals and m.pk != message_id)]
    customer = [m for m in pending if m.kind == Message.Kind.CUSTOMER]
    # One call for the conversation's new customer messages: the embedding path encodes them in one batch.
    scores = intensities([m.text for m in customer], settings.INTENSITY_PATH)
    batch = dict(zip(map(id, customer), scores, strict=True))
    for message in pending:
        if message.kind == Message.Kind.NOTE:
            continue
        found = score_message(message, hours, batch.get(id(message)))
        scored.append(message)
        already = any(p.message_id == message.pk for p in tracked)  # a retried job never duplicates
        fresh = [] if already else _new_promises(message, found)
        created.extend(fresh)
        kept.extend(keep_promises(message, tracked))
        tracked.extend(fresh)
    conversation_actions.do_store_message_signals(scored)
    Promise.objects.bulk_create(created)
    Promise.objects.bulk_update([p for p in kept if p.pk], ["state", "kept_at"])


@transaction.atomic
def analyse_conversation(conversation_id: int, message_id: int | None = None) -> None:
    """Score new messages and refresh the conversation's and the customer's cached signals."""
    conversation = Conversation.objects.select_related("team").filter(pk=conversation_id).first()
    if conversation is None:
        return  # deleted meanwhile
    messages = list(conversation.messages.order_by("created_at", "id"))
    events = list(conversation.events.order_by("created_at", "id"))
    tracked = list(conversation.promises.all())
    hours = signals_bridge.business_hours_for(conversation.team)
    _score_pending(messages, tracked, hours, message_id)
    refresh_conversation(conversation, messages, events, timezone.now())
    if conversation.customer_id:
        refresh_customer(conversation.customer_id)
    from herodesk.insights import reasons

    reasons.suggest_for(conversation, messages)


def track_untracked_hero_moments(limit: int = 500) -> int:
    """Analyse again up to ``limit`` open conversations that await relief but have no hero moment row."""
    ids = list(
        Conversation.objects.filter(awaiting_relief=True, status__in=Conversation.OPEN_STATUSES)
        .exclude(hero_moments__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        with transaction.atomic():
            analyse_conversation(pk)
    return len(ids)


def analyse_all(
    batch_size: int = 250, progress: Callable[[int, int], None] | None = None, retrain: bool = True
) -> int:
    """Analyse every conversation (after an import or for the demo), in batches of one transaction each.

    retrain=False: the caller has just trained the contact-reason model (the demo does, to report it)."""
    from herodesk.insights import reasons

    if retrain:
        reasons.retrain()
    ids = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            for pk in ids[start : start + batch_size]:
                analyse_conversation(pk)
        if progress is not None:
            progress(min(start + batch_size, len(ids)), len(ids))
    return len(ids)


# --- Promise follow-through (asked for from the conversation screen and the API) -------------------------


def _open_promise(promise: Promise) -> Promise:
    promise = (
        Promise.objects.select_for_update(of=("self",)).select_related("conversation").get(pk=promise.pk)
    )
    if promise.state == Promise.State.KEPT:
        raise ActionError("This promise is already kept")
    return promise


@transaction.atomic
def do_mark_promise_kept(promise: Promise, actor: User) -> Promise:
    """The agent kept the promise in a way the desk cannot see (a call from another phone, a refund made)."""
    promise = _open_promise(promise)
    promise.state, promise.kept_at = Promise.State.KEPT, timezone.now()
    promise.save(update_fields=["state", "kept_at"])
    conversation_actions.do_record_event(
        promise.conversation, actor, Event.Kind.PROMISE_KEPT, promise_id=promise.pk, text=promise.text[:200]
    )
    return promise


@transaction.atomic
def do_renegotiate_promise(promise: Promise, actor: User, due_at: datetime, message: str) -> Promise:
    """A new due time, told to the customer in a reply (the reply is the message)."""
    if due_at <= timezone.now():
        raise ActionError("The new time is in the past", {"due_at": "Choose a time in the future."})
    if not (message or "").strip():
        raise ActionError("Tell the customer", {"message": "Write the message that gives the new time."})
    promise = _open_promise(promise)
    old = promise.due_at
    conversation_actions.do_add_reply(promise.conversation, actor, message)
    promise.due_at, promise.state = due_at, Promise.State.OPEN
    promise.save(update_fields=["due_at", "state"])
    conversation_actions.do_record_event(
        promise.conversation, actor, Event.Kind.PROMISE_RENEGOTIATED, promise_id=promise.pk,
        old=old.isoformat() if old else None, new=due_at.isoformat(),
    )  # fmt: skip
    return promise


@transaction.atomic
def do_hand_over_promise(promise: Promise, actor: User | None, new_owner: User) -> Promise:
    """Someone else keeps it now (e.g. with the conversation's transfer); they get its reminders."""
    if not new_owner.is_active:
        raise ActionError("That person cannot take promises", {"owner": "Choose an active agent."})
    promise = _open_promise(promise)
    old = promise.owner_id
    promise.owner = new_owner
    promise.save(update_fields=["owner"])
    conversation_actions.do_record_event(
        promise.conversation, actor, Event.Kind.PROMISE_HANDED_OVER, promise_id=promise.pk,
        old_owner=old, new_owner=new_owner.pk,
    )  # fmt: skip
    return promise


# --- Proposed contact reasons ---------------------------------------------------------------------------


@transaction.atomic
def do_adopt_proposed_reason(
    actor: User, name: str, conversation_ids: list[int], description: str = ""
) -> tuple[ContactReason, int]:
    """A lead creates a reason from a proposed group: the reason is created, and each of the group's
    conversations that still has no reason gets it as a suggestion (confidence: how close it is to the
    group's centre) that an agent confirms. Returns the reason and how many conversations were suggested.

    ``conversation_ids`` must already be limited to conversations the lead may see."""
    from herodesk.insights import reasons

    reason = conversation_actions.do_create_contact_reason(actor, name, description)
    untagged = list(
        Conversation.objects.filter(pk__in=conversation_ids, contact_reason__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    closeness = reasons.closeness(untagged)
    for pk in untagged:
        conversation_actions.do_suggest_reason(pk, reason, closeness.get(pk, 0.5))
    return reason, len(untagged)
