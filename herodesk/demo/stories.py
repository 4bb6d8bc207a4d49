"""Story planning (shared with the benchmark seeder): deterministic, realistic conversation threads."""

from __future__ import annotations

import random
from collections.abc import Sequence

from herodesk.demo.plans import DeskCast, PlannedConversation, PlannedEvent, PlannedMessage, iso
from herodesk.demo.texts import (
    CITIES,
    CLOSERS,
    EMPATHY,
    FOLLOW_UPS,
    HAND_OFFS,
    MOODS,
    OPENERS,
    PHONE_NOTES,
    PRODUCTS,
    REASONS,
    SIGN_OFFS,
    THANKS,
    VAGUE,
    WEEKDAYS,
    ReasonText,
)

STATUS_MIX_OLD = (("resolved", 70), ("closed", 24), ("pending", 3), ("open", 3))
STATUS_MIX_WEEK = (("resolved", 48), ("pending", 20), ("open", 20), ("snoozed", 6), ("new", 6))
STATUS_MIX_RECENT = (("new", 30), ("open", 32), ("pending", 16), ("snoozed", 10), ("resolved", 12))
MOOD_WEIGHTS = (45, 30, 15, 10)
CHANNEL_WEIGHTS = (("email", 60), ("webform", 25), ("phone", 15))
HOUR = 3600.0


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


class StoryPlanner:
    """Writes deterministic, realistic conversation stories; it knows words and timing, not storage."""

    def __init__(self, cast: DeskCast, seed: int, messages: int | None = None) -> None:
        self.cast = cast
        self.rng = random.Random(seed)
        self.fixed_messages = messages
        self.recent: list[PlannedConversation] = []  # for repeat contacts about the same issue

    def plan(self, conversation_id: int, created_at: float) -> PlannedConversation:
        rng = self.rng
        repeat = self._repeat_of(created_at)
        reason_index = self._reason_index(repeat)
        reason = REASONS[reason_index]
        customer_id = repeat.customer_id if repeat else rng.choice(self.cast.customer_ids)
        slots = self._slots(customer_id, repeat)
        conv = PlannedConversation(
            id=conversation_id,
            subject=rng.choice(reason.subjects).format_map(slots)[:300],
            customer_id=customer_id,
            team_id=self.cast.team_ids[reason.team],
            reason_id=self.cast.reason_ids[reason_index],
            channel=_weighted(rng, CHANNEL_WEIGHTS),
            created_at=created_at,
        )
        mood = self._mood(reason, repeat)
        conv.status = self._status(created_at)
        conv.priority = self._priority(reason, mood)
        self._write_thread(conv, reason, mood, slots, repeat is not None)
        self._classify(conv, reason, repeat is not None)
        self._remember(conv)
        return conv

    # -- choices --
    def _repeat_of(self, created_at: float) -> PlannedConversation | None:
        if not self.recent or self.rng.random() > 0.08:
            return None
        earlier = self.rng.choice(self.recent)
        return earlier if 0 < created_at - earlier.created_at < 10 * 86400 else None

    def _reason_index(self, repeat: PlannedConversation | None) -> int:
        if repeat is not None:
            return self.cast.reason_ids.index(repeat.reason_id)
        return self.rng.randrange(len(REASONS))

    def _slots(self, customer_id: int, repeat: PlannedConversation | None) -> dict[str, str]:
        rng = self.rng
        first, last = self.cast.customer_names.get(customer_id, ("there", ""))
        return {
            "first": first,
            "last": last,
            "order": f"HD-{rng.randrange(100000, 9999999)}",
            "amount": f"€{rng.randrange(9, 400)}.{rng.randrange(100):02d}",
            "product": rng.choice(PRODUCTS),
            "city": rng.choice(CITIES),
            "when": f"{rng.choice(WEEKDAYS)} the {rng.randrange(1, 29)}th",
            "weekday": rng.choice(WEEKDAYS),
            "card": f"{rng.randrange(10000):04d}",
            "agent": "",
            "team": "",
            "mood": "",
        }

    def _mood(self, reason: ReasonText, repeat: PlannedConversation | None) -> int:
        mood = self.rng.choices(range(4), weights=MOOD_WEIGHTS)[0]
        return min(3, mood + reason.urgency // 2 + (1 if repeat else 0))

    def _status(self, created_at: float) -> str:
        age_days = (self.cast.now - created_at) / 86400
        mix = STATUS_MIX_OLD if age_days > 10 else STATUS_MIX_WEEK if age_days > 3 else STATUS_MIX_RECENT
        return _weighted(self.rng, mix)

    def _priority(self, reason: ReasonText, mood: int) -> int:
        if reason.urgency == 2:
            return 4
        if reason.urgency == 1 or mood == 3:
            return 3
        return 1 if self.rng.random() < 0.15 else 2

    def _message_count(self, status: str) -> int:
        if self.fixed_messages is not None:
            return self.fixed_messages
        if status == "new":
            return self.rng.choice((1, 1, 1, 2, 3))
        return self.rng.choices(range(2, 9), weights=(30, 22, 16, 12, 9, 6, 5))[0]

    # -- the thread --
    def _write_thread(self, conv: PlannedConversation, reason: ReasonText, mood: int,
                      slots: dict[str, str], repeat: bool) -> None:
        thread = _ThreadWriter(self, conv, reason, mood, slots)
        thread.run(self._message_count(conv.status), repeat)

    def _classify(self, conv: PlannedConversation, reason: ReasonText, repeat: bool) -> None:
        names = list(reason.tags[:1]) if self.rng.random() < 0.6 else []
        if repeat:
            names.append("repeat-contact")
        conv.tag_ids = [self.cast.tag_ids[name] for name in dict.fromkeys(names) if name in self.cast.tag_ids]

    def _remember(self, conv: PlannedConversation) -> None:
        self.recent.append(conv)
        if len(self.recent) > 400:
            del self.recent[:100]

    def agent_of(self, team_id: int) -> int:
        return self.rng.choice(self.cast.agents_by_team[team_id])

    def other_team(self, team_id: int) -> int:
        return self.rng.choice([t for t in self.cast.team_ids.values() if t != team_id])


class _ThreadWriter:
    """Builds one conversation's messages and events in time order, following its final status."""

    def __init__(self, planner: StoryPlanner, conv: PlannedConversation, reason: ReasonText, mood: int,
                 slots: dict[str, str]) -> None:
        self.p, self.rng, self.conv, self.reason = planner, planner.rng, conv, reason
        self.mood, self.slots = mood, slots
        self.at = conv.created_at
        self.unanswered = 0

    def run(self, count: int, repeat: bool) -> None:
        conv = self.conv
        answered = conv.status != "new"
        self._open(repeat, answered)
        for index in range(1, count):
            self._tick()
            last = index == count - 1
            self._next_message(last, answered)
        self._finish()

    def _tick(self) -> None:
        self.at += self.rng.uniform(0.2, 30) * HOUR
        self.at = min(self.at, self.p.cast.now - self.rng.uniform(60, 3000))
        self.at = max(self.at, self.conv.created_at + 1)

    def _open(self, repeat: bool, answered: bool) -> None:
        conv = self.conv
        if answered:
            conv.owner_id = self.p.agent_of(conv.team_id)
        logged_call = conv.channel == "phone" and answered  # an agent took the call and logged it
        creator = conv.owner_id if logged_call else None
        conv.events.append(PlannedEvent("created", conv.created_at, creator, {"channel": conv.channel}))
        if logged_call:
            self._phone_note(conv.created_at)
        else:
            self._customer(conv.created_at, first=True, repeat=repeat)
        if answered:
            conv.events.append(PlannedEvent("assigned", conv.created_at + 60, conv.owner_id,
                                            {"old": None, "new": conv.owner_id}))

    def _next_message(self, last: bool, answered: bool) -> None:
        conv, roll = self.conv, self.rng.random()
        if not answered:
            if roll < 0.2:
                self._note()
            else:
                self._customer(self.at)
        elif last:
            self._closing_message()
        elif roll < 0.12:
            self._note()
        elif roll < 0.17 and conv.owner_id is not None:
            self._transfer()
            self._reply()  # the new owner picks it up with the hand-off note in view
        elif self.conv.messages[-1].kind in ("customer", "phone") or roll < 0.3:
            self._reply()
        else:
            self._customer(self.at)

    def _closing_message(self) -> None:
        status = self.conv.status
        if status in ("open",) or (status == "snoozed" and self.rng.random() < 0.3):
            self._customer(self.at)
        elif status in ("resolved", "closed") and self.conv.first_response_at and self.rng.random() < 0.2:
            self._customer(self.at, thanks=True)
        else:
            self._reply()

    # -- message kinds --
    def _fill(self, template: str) -> str:
        return template.format_map(self.slots)

    def _customer(self, at: float, first: bool = False, repeat: bool = False, thanks: bool = False) -> None:
        conv, rng = self.conv, self.rng
        if thanks:
            text = rng.choice(THANKS)
        else:
            mood = MOODS[self.mood]
            parts = [rng.choice(OPENERS[mood])]
            if repeat and first:
                parts.append("I already contacted you about this a few days ago.")
            if first:
                parts.append(self._fill(rng.choice(self.reason.openings)))
            else:
                parts.append(self._fill(rng.choice(FOLLOW_UPS[mood])))
                parts.append(self._fill(rng.choice(self.reason.details)))
            parts.append(self._fill(rng.choice(CLOSERS[mood])))
            text = "\n\n".join(parts)
            self.unanswered += 1
            if self.unanswered >= 2:
                self.mood = min(3, self.mood + 1)  # being ignored makes people angrier
        channel = conv.channel
        if not first and rng.random() < 0.05:
            channel = "phone" if conv.channel != "phone" else "email"
            conv.events.append(PlannedEvent("channel_switch", at, data={"to": channel}))
        message = PlannedMessage("customer", "in", channel, text, at, customer_id=conv.customer_id)
        conv.messages.append(message)
        conv.last_customer_message_at = at

    def _reply(self) -> None:
        conv, rng = self.conv, self.rng
        owner = conv.owner_id or self.p.agent_of(conv.team_id)
        conv.owner_id = owner
        self.slots["agent"] = self.p.cast.agent_names.get(owner, "The support team")
        body = rng.choice(self.reason.replies) if rng.random() > 0.15 else rng.choice(VAGUE)
        text = "\n\n".join(
            [self._fill(rng.choice(EMPATHY)), self._fill(body), self._fill(rng.choice(SIGN_OFFS))]
        )
        self._agent_message("reply", "out", conv.channel if conv.channel != "phone" else "email", text, owner)
        self.unanswered = 0

    def _note(self) -> None:
        owner = self.conv.owner_id or self.p.agent_of(self.conv.team_id)
        text = self._fill(self.rng.choice(self.reason.notes))
        self._agent_message("note", "in", self.conv.channel, text, owner)

    def _phone_note(self, at: float) -> None:
        conv = self.conv
        self.slots["mood"] = MOODS[self.mood]
        story = self._fill(self.rng.choice(self.reason.openings))
        text = self._fill(self.rng.choice(PHONE_NOTES)) + "\n" + story
        note = PlannedMessage("phone", "in", "phone", text, at, conv.owner_id, conv.customer_id)
        conv.messages.append(note)
        conv.last_customer_message_at = at
        conv.first_response_at = at

    def _agent_message(self, kind: str, direction: str, channel: str, text: str, author: int) -> None:
        conv = self.conv
        conv.messages.append(PlannedMessage(kind, direction, channel, text, self.at, author))
        if kind == "reply" and conv.first_response_at is None:
            conv.first_response_at = self.at
            conv.events.append(PlannedEvent("status", self.at, author, {"old": "new", "new": "open"}))

    def _transfer(self) -> None:
        conv = self.conv
        new_team = self.p.other_team(conv.team_id) if self.rng.random() < 0.6 else conv.team_id
        new_owner = self.p.agent_of(new_team)
        team_name = next(name for name, tid in self.p.cast.team_ids.items() if tid == new_team)
        self.slots.update(team=team_name, mood=MOODS[self.mood])
        conv.events.append(PlannedEvent(
            "transferred", self.at, conv.owner_id,
            {"from_owner": conv.owner_id, "to_owner": new_owner,
             "from_team": conv.team_id, "to_team": new_team},
            note=self._fill(self.rng.choice(HAND_OFFS)),
        ))
        conv.owner_id, conv.team_id = new_owner, new_team

    def _finish(self) -> None:
        conv, rng = self.conv, self.rng
        end = max(self.at, conv.messages[-1].at) + rng.uniform(60, 4 * HOUR)
        end = min(end, self.p.cast.now - 30)
        if conv.status in ("resolved", "closed"):
            if rng.random() < 0.08 and len(conv.messages) >= 2:
                self._insert_reopen(end)
            conv.resolved_at = end
            change: dict[str, object] = {"old": "open", "new": conv.status}
            conv.events.append(PlannedEvent("status", end, conv.owner_id, change))
        elif conv.status == "pending":
            conv.events.append(PlannedEvent("status", end, conv.owner_id, {"old": "open", "new": "pending"}))
        elif conv.status == "snoozed":
            until = self.p.cast.now + rng.uniform(2, 96) * HOUR
            conv.snoozed_until = until
            conv.events.append(PlannedEvent("snoozed", end, conv.owner_id, {"until": iso(until)}))
        conv.events.sort(key=lambda event: event.at)

    def _insert_reopen(self, end: float) -> None:
        """An earlier resolution that did not hold: the customer wrote again after it (a reopen)."""
        conv = self.conv
        customer_messages = [m for m in conv.messages[1:] if m.kind == "customer"]
        if not customer_messages:
            return
        again = customer_messages[-1]
        resolved_at = again.at - self.rng.uniform(0.1, 0.9) * max(again.at - conv.messages[0].at, 60)
        change: dict[str, object] = {"old": "open", "new": "resolved"}
        conv.events.append(PlannedEvent("status", resolved_at, conv.owner_id, change))
        conv.events.append(PlannedEvent("reopened", again.at, data={"previous": "resolved"}))
        conv.reopen_count += 1
