"""The history of a conversation in words: "Assigned by Chen Zhang to Ada Okafor", never raw ids.

Every event is rendered by ``sentence``; ``sentences`` loads the names a page of events mentions in
two queries. The template filter ``in_words`` (templatetags/desk.py) calls the same function.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from herodesk.accounts import directory
from herodesk.accounts.models import Team, User
from herodesk.conversations.models import Channel, Conversation, Event

Kind = Event.Kind
STATUS = dict(Conversation.Status.choices)
PRIORITY = {int(value): label for value, label in Conversation.Priority.choices}
CHANNEL = dict(Channel.choices)
RULES = {"round_robin": "round robin", "balanced": "balanced assignment", "manual": "manual assignment"}


@dataclass
class Names:
    """Who and which team an id stands for; unknown ids read as "a former agent" / "a deleted team"."""

    users: dict[int, str] = field(default_factory=dict)
    teams: dict[int, str] = field(default_factory=dict)

    def user(self, pk: object) -> str:
        if pk in (None, ""):
            return "nobody"
        return self.users.get(pk, "a former agent") if isinstance(pk, int) else str(pk)

    def team(self, pk: object) -> str:
        if pk in (None, ""):
            return "no team"
        return self.teams.get(pk, "a deleted team") if isinstance(pk, int) else str(pk)


def names_for(events: Iterable[Event]) -> Names:
    user_ids: set[int] = set()
    team_ids: set[int] = set()
    for event in events:
        data = event.data or {}
        if event.kind in (Kind.ASSIGNED, Kind.TRANSFERRED):
            user_ids.update(data[key] for key in ("old", "new", "from_owner", "to_owner")
                            if isinstance(data.get(key), int))  # fmt: skip
        for key in ("from_team", "to_team", "team"):
            if isinstance(data.get(key), int):
                team_ids.add(data[key])
    # Active agents and teams come from the per-process directory; only former agents are read.
    users = {a.pk: a.display_name for a in directory.agents() if a.pk in user_ids}
    if missing := user_ids - users.keys():
        users.update((u.pk, u.display_name) for u in User.objects.filter(pk__in=missing))
    teams = {t.pk: t.name for t in directory.teams() if t.pk in team_ids}
    if missing := team_ids - teams.keys():
        teams.update(Team.objects.filter(pk__in=missing).values_list("pk", "name"))
    return Names(users, teams)


def _by(event: Event) -> str:
    return f" by {event.actor.display_name}" if event.actor_id and event.actor else ""


def _when(value: object) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%a %b %-d, %H:%M")


def _assigned(event: Event, names: Names) -> str:
    data = event.data or {}
    new, old = data.get("new"), data.get("old")
    if data.get("rule"):
        team = f"{names.team(data.get('team'))}'s " if data.get("team") else ""
        return f"Assigned to {names.user(new)} by {team}{RULES.get(data['rule'], data['rule'])}"
    if new is None:
        return f"Unassigned{_by(event)} (was {names.user(old)})"
    if event.actor_id is not None and event.actor_id == new:
        return f"Taken by {names.user(new)}"
    return f"Assigned{_by(event)} to {names.user(new)}"


def _transferred(event: Event, names: Names) -> str:
    data = event.data or {}
    to_team, to_owner = data.get("to_team"), data.get("to_owner")
    target = names.user(to_owner) if to_owner else f"{names.team(to_team)}'s queue"
    if to_owner and to_team and to_team != data.get("from_team"):
        target += f" in {names.team(to_team)}"
    source = names.team(data.get("from_team")) if data.get("from_team") else "no team"
    text = f"Transferred{_by(event)} from {source} to {target}"
    if data.get("bounce_back"):
        text += " (a bounce-back: it had been there before)"
    return text


def sentence(event: Event, names: Names | None = None) -> str:
    """One event as a person would say it."""
    names = names or names_for([event])
    data = event.data or {}
    by = _by(event)
    match event.kind:
        case Kind.CREATED:
            return f"Created{by} via {CHANNEL.get(data.get('channel', ''), 'the desk')}"
        case Kind.ASSIGNED:
            return _assigned(event, names)
        case Kind.TRANSFERRED:
            return _transferred(event, names)
        case Kind.STATUS:
            old, new = STATUS.get(data.get("old", ""), data.get("old")), STATUS.get(data.get("new", ""), "?")
            return f"Status changed{by} from {old} to {new}" if old else f"Status set{by} to {new}"
        case Kind.SNOOZED:
            return f"Snoozed{by} until {_when(data.get('until'))}"
        case Kind.WOKEN:
            return "Woken up: the snooze time came or the customer wrote"
        case Kind.REOPENED:
            return f"Reopened by a customer reply (was {STATUS.get(data.get('previous', ''), 'done')})"
        case Kind.TAGGED:
            return f"Tag “{data.get('tag')}” added{by}"
        case Kind.UNTAGGED:
            return f"Tag “{data.get('tag')}” removed{by}"
        case Kind.PRIORITY:
            old, new = PRIORITY.get(data.get("old", 0), "?"), PRIORITY.get(data.get("new", 0), "?")
            return f"Priority changed{by} from {old} to {new}"
        case Kind.REASON:
            reason = data.get("reason")
            return f"Contact reason set to {reason}{by}" if reason else f"Contact reason cleared{by}"
        case Kind.CUSTOMER:
            return f"Customer changed{by}"
        case Kind.SUBJECT:
            return f"Subject changed{by} to “{data.get('new', '')}”"
        case Kind.MERGED:
            return f"Customer merged into another customer record{by}"
        case Kind.CHANNEL_SWITCH:
            return f"Customer switched channel to {CHANNEL.get(data.get('to', ''), data.get('to'))}"
        case Kind.DELIVERY_FAILED:
            return f"Reply not delivered: {data.get('reason', 'unknown reason')}"
        case Kind.SNOOZE_CLEARED:
            return f"Snooze reminder cleared{by}"
        case Kind.HANDOFF_SEEN:
            return f"Hand-off note read{by}"
        case Kind.MERGED_INTO:
            return f"Merged{by} into #{data.get('into')}"
        case Kind.MERGED_FROM:
            return f"#{data.get('merged')} “{data.get('subject', '')}” merged in{by}"
        case Kind.SPLIT_OFF:
            return f"A message was split off{by} into #{data.get('into')}"
        case Kind.SPLIT_FROM:
            return f"Split{by} from #{data.get('source')}"
    return f"{event.get_kind_display()}{by}"


@dataclass(frozen=True)
class HistoryLine:
    event: Event
    text: str


def sentences(events: list[Event]) -> list[HistoryLine]:
    """Every event of a page in words, with the names loaded once."""
    names = names_for(events)
    return [HistoryLine(event, sentence(event, names)) for event in events]
