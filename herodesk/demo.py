"""Demo data: a lively desk with teams, agents, customers and ~5,000 realistic conversations.

The stories come from per-reason templates kept here. `herodesk.bench.seed` reuses the same story
planner for its millions of rows, so demo and benchmark data read alike and search the same way.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from herodesk.accounts.models import Team, User
from herodesk.conversations import search
from herodesk.conversations.models import ContactReason, Conversation, Event, Message, Tag
from herodesk.customers.models import Customer, Identity, Organization

DEMO_PASSWORD = "herodesk-demo"  # noqa: S105 - a published demo login, printed by the CLI
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# --- The words of the desk -----------------------------------------------------------------------------

FIRST_NAMES = (  # noqa: SIM905 - a word list reads best as one string
    "Ada Alan Amara Anna Aisha Ben Bruno Carla Chen Chloe Dara David Diego Elena Emil Emma Fatima Felix "
    "Gus Hana Hugo Ines Ivan Jakob Jana Jonas Kai Karin Lars Lea Leo Lina Luca Maja Marco Maria Mateo "
    "Mila Nadia Noah Nora Olga Omar Oscar Paula Pedro Priya Rafael Rosa Sami Sara Sofia Tariq Theo Tom "
    "Uma Vera Viktor Wen Yara Yusuf Zoe Amir Beatriz Callum Dmitri Esther Farid Greta Henrik Irene Joao"
).split()
LAST_NAMES = (  # noqa: SIM905 - a word list reads best as one string
    "Abbott Adeyemi Alvarez Andersen Bauer Becker Bianchi Brennan Carvalho Castro Chowdhury Costa "
    "Dubois Eriksen Fischer Fontaine Garcia Gomez Grant Haddad Hansen Hoffmann Ibrahim Ivanova Jansen "
    "Jensen Kaur Keller Kowalski Kruger Lambert Larsen Lindqvist Lopez Marino Martin Meyer Moreau "
    "Muller Nakamura Nguyen Novak Okafor Oliveira Olsen Park Petrov Pereira Quinn Rahman Reyes Ricci "
    "Rossi Santos Schmidt Schneider Silva Sorensen Suzuki Tanaka Torres Vargas Vogel Wagner Weber "
    "Yilmaz Zhang"
).split()
PRODUCTS = (
    "Fibre 500 plan", "Mobile Unlimited", "Home Router X2", "Smart Kettle", "Trail Backpack 40L",
    "Noise-cancelling headphones", "Espresso machine Duo", "Standing desk Pro", "Family travel insurance",
    "Weekend city break", "Annual gym membership", "Photo book A4", "Electric scooter S3", "Garden hose set",
    "Winter jacket", "Running shoes Aero", "Baby stroller Nova", "Premium streaming plan", "Cloud backup 2TB",
    "Laptop sleeve", "Office chair Ergo", "Robot vacuum R9", "Car rental compact", "Hotel room deluxe",
)
CITIES = (
    "Lisbon", "Berlin", "Madrid", "Dublin", "Vienna", "Prague", "Oslo", "Milan", "Lyon", "Porto",
    "Krakow", "Athens", "Geneva", "Rotterdam", "Seville", "Helsinki", "Zagreb", "Budapest", "Antwerp",
    "Valencia", "Hamburg", "Munich", "Copenhagen", "Stockholm", "Edinburgh", "Manchester", "Toronto",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
ORG_SUFFIXES = ("GmbH", "Ltd", "& Co", "Group", "BV")
DOMAINS = ("example.com", "mail.example.org", "example.net", "inbox.example.com")


@dataclass(frozen=True)
class ReasonText:
    """One contact reason with the words customers and agents use about it."""

    name: str
    team: str
    tags: tuple[str, ...]
    urgency: int  # 0 normal, 1 high, 2 urgent (time-critical for the customer)
    subjects: tuple[str, ...]
    openings: tuple[str, ...]
    details: tuple[str, ...]
    replies: tuple[str, ...]
    notes: tuple[str, ...]


REASONS: tuple[ReasonText, ...] = (
    ReasonText(
        "billing: first bill higher than advertised", "Billing", ("billing", "first-bill"), 0,
        ("First bill is much higher than advertised", "Why is my first invoice {amount}?",
         "Invoice does not match the price on your website"),
        ("My first bill for the {product} came to {amount}, but the advert said a lot less per month.",
         "I signed up for the {product} at the advertised price and the first invoice is {amount}. "
         "Nobody told me about extra charges."),
        ("The invoice lists an activation fee and a partial month I never agreed to.",
         "I compared the invoice with the offer page again and the numbers simply do not add up."),
        ("The first invoice includes a one-off activation fee and a part month, so it is higher than "
         "the monthly price. I have credited the activation fee of {amount}.",
         "I checked your account: the advertised price applies from the second bill on. I will send "
         "you a breakdown by {weekday} at 4pm."),
        ("Classic first-bill shock: activation fee plus pro-rata month. Credited the fee.",),
    ),
    ReasonText(
        "billing: double charge", "Billing", ("billing", "payment"), 1,
        ("Charged twice for order {order}", "Double charge on my card", "You took the money twice"),
        ("I was charged {amount} twice for order {order} on {when}. Please refund one of the payments.",
         "My bank statement shows two payments of {amount} to you for the same order {order}."),
        ("The duplicate payment is still on my account and I need that money this week.",
         "My card ending {card} now shows the double payment as settled, not pending."),
        ("I can see both captures of {amount}. I have refunded the second one; your bank usually shows "
         "it within 3 business days.",
         "I'm sorry about this. I will call you back by {weekday} at 11am once the refund is approved."),
        ("Payment log shows two captures of {amount} on {when}; gateway retry bug.",),
    ),
    ReasonText(
        "billing: refund request", "Billing", ("refund",), 0,
        ("Refund for order {order}", "Where is my refund?", "Request a refund for the {product}"),
        ("I returned the {product} two weeks ago and I still have not received my refund of {amount}.",
         "Please refund order {order}; I cancelled within the 14 days."),
        ("The return was signed for at your warehouse in {city} on {when}.",
         "I have the tracking receipt for the return if you need it."),
        ("Your refund of {amount} was issued today to the card ending {card}.",
         "The warehouse has confirmed the return, so I have released the refund of {amount}."),
        ("Return scanned in {city}; refund was stuck in manual approval.",),
    ),
    ReasonText(
        "delivery: lost parcel", "Support", ("delivery", "lost-parcel"), 1,
        ("Parcel {order} never arrived", "Tracking says delivered but nothing came",
         "Lost parcel to {city}"),
        ("Tracking for order {order} says delivered on {when}, but there was no parcel at my door in {city}.",
         "My parcel with the {product} is lost. The courier site has shown no update for a week."),
        ("I asked all my neighbours and checked the safe place, nothing.",
         "It was a birthday present, so I need it by the weekend."),
        ("I have opened an investigation with the courier and sent a replacement {product} by express.",
         "The courier confirmed the parcel is lost. A replacement is on its way and arrives by {weekday}."),
        ("Courier claim opened for {order}; replacement shipped express.",),
    ),
    ReasonText(
        "delivery: late delivery", "Support", ("delivery",), 0,
        ("Order {order} is late", "Still waiting for my {product}", "Delivery date missed"),
        ("My order {order} was supposed to arrive on {when} and it still is not here.",
         "The {product} I ordered has been stuck in {city} for five days."),
        ("The delivery date has moved three times now.",
         "I took a day off work to wait for this delivery."),
        ("Your parcel is in the {city} depot and is out for delivery tomorrow before noon.",
         "Sorry for the wait. I will check the depot again and email you by {weekday} at 3pm."),
        ("Depot in {city} backlog; no action needed beyond monitoring.",),
    ),
    ReasonText(
        "returns: return or exchange", "Returns", ("returns",), 0,
        ("Exchange the {product} for another size", "How do I return order {order}?", "Return label"),
        ("I would like to return the {product} from order {order}. It does not fit.",
         "Can I exchange the {product} for a different colour?"),
        ("The return form on the website gives me an error.",
         "I no longer have the original box, is that a problem?"),
        ("Here is your prepaid return label for order {order}. Drop it at any post office.",
         "Exchange booked: the new {product} ships as soon as the courier scans your return."),
        ("Return label sent; exchange reserved.",),
    ),
    ReasonText(
        "account: locked out", "Support", ("account", "login"), 1,
        ("Locked out of my account", "Account blocked after login attempts", "Cannot log in at all"),
        ("My account is locked after too many login attempts and I need my invoices today.",
         "I cannot log in since the app update; it says my account is blocked."),
        ("I tried the unlock link but it has expired.",
         "I am travelling in {city} and the verification code goes to my old phone."),
        ("I have unlocked your account and sent a fresh sign-in link to your email.",
         "Your account is unlocked. For safety please set a new password when you sign in."),
        ("Identity verified with last payment {amount}; lock cleared.",),
    ),
    ReasonText(
        "account: password reset", "Support", ("account",), 0,
        ("Password reset email never arrives", "Reset my password", "Password reset link expired"),
        ("I asked for a password reset three times and no email arrives.",
         "The password reset link says it expired immediately."),
        ("I checked spam and the promotions folder too.",
         "I am using the same email address as always."),
        ("The reset emails were bouncing; I fixed your address and sent a new link.",
         "Please try the new reset link I just sent; it is valid for 24 hours."),
        ("Reset emails bounced, typo in address corrected.",),
    ),
    ReasonText(
        "travel: urgent booking problem", "Support", ("travel", "urgent"), 2,
        ("URGENT: flight in 40 minutes and no boarding pass", "Booking not found at the airport",
         "Urgent: hotel in {city} has no reservation"),
        ("My flight to {city} leaves in 40 minutes and the app says my booking {order} does not exist!",
         "I am at the hotel desk in {city} at midnight and they have no reservation under my name."),
        ("The gate closes in 20 minutes, please help NOW.",
         "I have two small children with me and nowhere to go."),
        ("I have reissued your boarding pass for booking {order}; it is in your email now. "
         "Show it at the gate.",
         "I called the hotel in {city}: your room is confirmed and they are expecting you."),
        ("Reissued ticket for {order}; airline had a schedule change that dropped the booking.",),
    ),
    ReasonText(
        "travel: lost passport or documents", "Support", ("travel", "urgent"), 2,
        ("Lost passport before my trip", "Lost passport in {city}", "Need documents reissued urgently"),
        ("I lost my passport in {city} and my flight home is tomorrow. What happens to booking {order}?",
         "My wallet and passport were stolen in {city}. Can you move my return trip?"),
        ("The embassy can only see me on {weekday}.",
         "I am panicking, I have no idea what to do."),
        ("I'm so sorry. I have moved your return to {weekday} free of charge and emailed the embassy "
         "address in {city}.",
         "Your booking {order} is on hold, so you lose nothing. I will call you back by {weekday} at 10am."),
        ("Customer stranded in {city}; waived change fee as goodwill.",),
    ),
    ReasonText(
        "technical: bug report", "Technical", ("bug",), 0,
        ("The app crashes when I open invoices", "Bug: export to PDF is empty", "Error 500 on checkout"),
        ("Every time I open my invoices in the app it crashes. I'm on the latest version.",
         "The export to PDF produces an empty file since last week."),
        ("I attached a screenshot of the error message.",
         "It also happens on my laptop, not just on my phone."),
        ("Thanks for the details. Our engineers reproduced it and a fix ships on {weekday}.",
         "This is a known bug in version 4.2; the update that fixes it is live now."),
        ("Reproduced on staging; linked to the engineering ticket.",),
    ),
    ReasonText(
        "technical: outage", "Technical", ("outage", "urgent"), 1,
        ("Internet down since this morning", "Service outage in {city}", "Nothing works, total outage"),
        ("My internet has been down since this morning in {city} and I work from home.",
         "The whole service is down for us, our shop cannot take payments."),
        ("The router lights are all red.",
         "We are losing sales every hour this is down."),
        ("There is an outage in {city}; engineers are on site and expect service back by 6pm.",
         "Service is restored. I have added a credit of {amount} for the downtime."),
        ("Regional outage {city}; credited affected customers.",),
    ),
)

OPENERS = {
    "calm": ("Hi,", "Hello,", "Good morning,", "Hi there,"),
    "concerned": ("Hello,", "Hi, I'm a bit worried.", "Hi, I need some help please."),
    "annoyed": ("Hello.", "I'm writing again.", "Hi,"),
    "furious": ("This is unacceptable.", "I am absolutely furious.", "Seriously?!"),
}
FOLLOW_UPS = {
    "calm": ("Any news on this?", "Just checking in on my request.", "Thanks for looking into it."),
    "concerned": ("I still have not heard back, could you check?", "Is there an update please?"),
    "annoyed": (
        "This is the second time I'm writing about this.",
        "I wrote to you days ago and nobody answered.",
        "Why do I have to explain everything again? I already gave you order {order}.",
    ),
    "furious": (
        "This is the third time I'm writing and NOTHING has happened.",
        "If this is not fixed today I will cancel my account.",
        "I have already spoken to my lawyer about this.",
        "I'm going to leave a public review about how I have been treated.",
        "Third time I'm writing. Does anyone actually read these?",
    ),
}
CLOSERS = {
    "calm": ("Thanks in advance,\n{first}", "Kind regards,\n{first} {last}", "Thank you!\n{first}"),
    "concerned": ("Thanks,\n{first}", "Please let me know soon.\n{first}"),
    "annoyed": ("{first} {last}", "Waiting for an answer.\n{first}"),
    "furious": ("{first} {last}", "Fix it.", "I expect a call today."),
}
THANKS = ("Thank you, that solved it!", "Great, thanks for the quick help.", "Received it, thanks.")
EMPATHY = (
    "Hi {first}, thank you for your patience.",
    "Hi {first}, I'm really sorry about this, I understand how frustrating it is.",
    "Hello {first}, thanks for getting in touch.",
)
VAGUE = ("Someone will get back to you soon.", "We are looking into it.", "We'll be in touch.")
SIGN_OFFS = ("Best,\n{agent}", "Kind regards,\n{agent}", "All the best,\n{agent}")
HAND_OFFS = (
    "{first} {last} needs this by {weekday}; already gave order {order} and card ending {card}, "
    "please don't ask again.",
    "Passing to you because it needs {team} access. Customer mood: {mood}. I promised an answer today.",
    "Checked everything on our side for {order}. {team} has to approve the next step.",
)
PHONE_NOTES = (
    "Customer called about {order}. Explained the situation, customer wants a call back.",
    "Call: {first} repeated the whole story, sounded {mood}. Confirmed details for {order}.",
)
MOODS = ("calm", "concerned", "annoyed", "furious")
TAGS = ("billing", "payment", "refund", "delivery", "lost-parcel", "returns", "account", "login", "travel",
        "urgent", "bug", "outage", "first-bill", "vip", "repeat-contact")


# --- Story planning (shared with the benchmark seeder) ----------------------------------------------------

@dataclass(slots=True)
class PlannedMessage:
    kind: str
    direction: str
    channel: str
    text: str
    at: float
    author_id: int | None = None
    customer_id: int | None = None


@dataclass(slots=True)
class PlannedEvent:
    kind: str
    at: float
    actor_id: int | None = None
    data: dict[str, object] = field(default_factory=dict)
    note: str = ""


@dataclass(slots=True)
class PlannedConversation:
    """One conversation as plain values (epoch seconds for times) that any writer can store."""

    id: int
    subject: str
    customer_id: int
    team_id: int
    reason_id: int
    channel: str
    created_at: float
    owner_id: int | None = None
    status: str = "new"
    priority: int = 2
    snoozed_until: float | None = None
    first_response_at: float | None = None
    resolved_at: float | None = None
    last_customer_message_at: float | None = None
    reopen_count: int = 0
    tag_ids: list[int] = field(default_factory=list)
    messages: list[PlannedMessage] = field(default_factory=list)
    events: list[PlannedEvent] = field(default_factory=list)

    @property
    def last_activity_at(self) -> float:
        last = self.created_at
        if self.messages:
            last = max(last, self.messages[-1].at)
        if self.events:
            last = max(last, self.events[-1].at)
        return last


@dataclass
class DeskCast:
    """The ids a story can point at: teams, their agents, reasons, tags, customers and names."""

    team_ids: dict[str, int]
    agents_by_team: dict[int, list[int]]
    agent_names: dict[int, str]
    reason_ids: list[int]  # parallel to REASONS
    tag_ids: dict[str, int]
    customer_ids: Sequence[int]
    customer_names: dict[int, tuple[str, str]]
    now: float
    days: int = 90


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


def iso(epoch: float) -> str:
    return (_EPOCH + timedelta(seconds=epoch)).isoformat()


def moment(epoch: float) -> datetime:
    return _EPOCH + timedelta(seconds=epoch)


def aware(epoch: float | None) -> datetime | None:
    return None if epoch is None else moment(epoch)


def search_body(name: str, identities: Iterable[str], texts: Iterable[str]) -> str:
    """The indexed body, built like search._document_text builds it for live conversations."""
    return "\n".join([name, *identities, *texts])[: search.MAX_BODY_CHARS]


# --- The demo desk (ORM, small enough for bulk_create) ----------------------------------------------------

TEAMS = (
    ("Support", "Europe/Berlin", time(8, 0), time(18, 0), False),
    ("Billing", "Europe/London", time(9, 0), time(17, 0), False),
    ("Technical", "America/New_York", time(9, 0), time(17, 0), True),
    ("Returns", "Europe/Amsterdam", time(9, 0), time(17, 30), False),
)
# username, first name, last name, role, teams
AGENTS = (
    ("admin", "Alex", "Admin", "admin", ()),
    ("lead", "Lena", "Lindqvist", "lead", ("Support", "Returns")),
    ("maria", "Maria", "Costa", "lead", ("Billing", "Technical")),
    ("agent", "Ada", "Okafor", "agent", ("Support",)),
    ("ben", "Ben", "Becker", "agent", ("Support",)),
    ("chen", "Chen", "Zhang", "agent", ("Support", "Returns")),
    ("dara", "Dara", "Quinn", "agent", ("Billing",)),
    ("emil", "Emil", "Eriksen", "agent", ("Billing",)),
    ("fatima", "Fatima", "Haddad", "agent", ("Technical",)),
    ("gus", "Gus", "Grant", "agent", ("Technical",)),
    ("hana", "Hana", "Nakamura", "agent", ("Returns",)),
    ("ivan", "Ivan", "Petrov", "agent", ("Returns", "Support")),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


@dataclass
class DemoSummary:
    teams: int = 0
    agents: int = 0
    customers: int = 0
    conversations: int = 0
    messages: int = 0
    events: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


def seed_demo(conversations: int = 5000, customers: int = 2000, seed: int = 7) -> DemoSummary:
    """Fill a freshly migrated database with a realistic desk; deterministic for a given seed."""
    rng = random.Random(seed)
    summary = DemoSummary()
    with transaction.atomic():
        teams = ensure_teams()
        users = ensure_agents(teams, summary)
        reasons, tags = ensure_reasons_and_tags()
        names = _create_customers(rng, customers)
    cast = DeskCast(
        team_ids={team.name: team.pk for team in teams},
        agents_by_team=agents_by_team(users, teams),
        agent_names={user.pk: user.first_name for user in users},
        reason_ids=[reasons[r.name].pk for r in REASONS],
        tag_ids={tag.name: tag.pk for tag in tags},
        customer_ids=list(names),
        customer_names=names,
        now=timezone.now().timestamp(),
        # A small demo spans fewer days so that it still looks like a live desk with recent work.
        days=max(10, min(90, conversations // 55)),
    )
    _write_conversations(StoryPlanner(cast, seed), conversations, summary)
    summary.teams, summary.customers = len(teams), len(names)
    return summary


def ensure_teams() -> list[Team]:
    return [
        Team.objects.get_or_create(
            name=name,
            defaults={"time_zone": tz, "opens_at": opens, "closes_at": closes, "weekend_open": weekend},
        )[0]
        for name, tz, opens, closes, weekend in TEAMS
    ]


def ensure_agents(teams: list[Team], summary: DemoSummary) -> list[User]:
    by_name = {team.name: team for team in teams}
    password = make_password(DEMO_PASSWORD)  # hash once: PBKDF2 is slow on purpose
    users = []
    for username, first, last, role, team_names in AGENTS:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "role": role,
                      "email": f"{username}@desk.example",
                      "password": password, "is_staff": role == "admin", "is_superuser": role == "admin"},
        )
        user.teams.set([by_name[name] for name in team_names])
        users.append(user)
        summary.logins.append(DemoLogin(username, DEMO_PASSWORD, role))
    summary.agents = len(users)
    return users


def agents_by_team(users: list[User], teams: list[Team]) -> dict[int, list[int]]:
    members: dict[int, list[int]] = {team.pk: [] for team in teams}
    for user in users:
        for team in user.teams.all():
            if user.role == User.Role.AGENT or not members[team.pk]:
                members[team.pk].append(user.pk)
    return members


def ensure_reasons_and_tags() -> tuple[dict[str, ContactReason], list[Tag]]:
    reasons = {
        reason.name: ContactReason.objects.get_or_create(
            name=reason.name, defaults={"description": reason.subjects[0]}
        )[0]
        for reason in REASONS
    }
    tags = [Tag.objects.get_or_create(name=name)[0] for name in TAGS]
    return reasons, tags


def _create_customers(rng: random.Random, count: int) -> dict[int, tuple[str, str]]:
    orgs = _ensure_organizations(rng, max(1, count // 50))
    start = (Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    people, identities, names = [], [], {}
    for pk in range(start, start + count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        org = rng.choice(orgs) if rng.random() < 0.15 else None
        people.append(Customer(pk=pk, name=f"{first} {last}", organization=org, value=rng.randrange(0, 5000),
                               notes="VIP: prefers phone calls." if rng.random() < 0.03 else ""))
        identities.extend(_identities_for(rng, pk, first, last, org))
        names[pk] = (first, last)
    Customer.objects.bulk_create(people, batch_size=500)
    Identity.objects.bulk_create(identities, batch_size=500)
    return names


def _ensure_organizations(rng: random.Random, count: int) -> list[Organization]:
    wanted = [Organization(name=f"{rng.choice(LAST_NAMES)} {suffix} {i}", domain=f"org{i}.example.com")
              for i, suffix in enumerate(rng.choices(ORG_SUFFIXES, k=count))]
    Organization.objects.bulk_create(wanted, ignore_conflicts=True)  # a second demo run reuses them
    stored = Organization.objects.in_bulk([org.name for org in wanted], field_name="name")
    return [stored[org.name] for org in wanted]


def _identities_for(
    rng: random.Random, pk: int, first: str, last: str, org: Organization | None
) -> list[Identity]:
    domain = org.domain if org else rng.choice(DOMAINS)
    found = []
    if rng.random() < 0.9:
        found.append(Identity(customer_id=pk, kind="email", value=f"{first}.{last}{pk}@{domain}".lower()))
    if not found or rng.random() < 0.3:
        found.append(Identity(customer_id=pk, kind="phone", value=f"49170{pk:07d}"))
    return found


def _write_conversations(planner: StoryPlanner, count: int, summary: DemoSummary, batch: int = 500) -> None:
    start = (Conversation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    now, span = planner.cast.now, planner.cast.days * 86400
    # Conversations come in time order so repeat contacts can refer back to earlier ones.
    times = sorted(now - planner.rng.random() * span for _ in range(count))
    identities = _identity_values()
    for offset in range(0, count, batch):
        plans = [planner.plan(start + offset + i, at) for i, at in enumerate(times[offset:offset + batch])]
        with transaction.atomic():
            _store_batch(plans, identities, planner.cast, summary)
        summary.conversations += len(plans)


def _identity_values() -> dict[int, list[str]]:
    values: dict[int, list[str]] = {}
    for customer_id, value in Identity.objects.values_list("customer_id", "value"):
        values.setdefault(customer_id, []).append(value)
    return values


def _store_batch(plans: list[PlannedConversation], identities: dict[int, list[str]], cast: DeskCast,
                 summary: DemoSummary) -> None:
    Conversation.objects.bulk_create([_conversation_row(plan) for plan in plans])
    messages = [_message_row(plan, m) for plan in plans for m in plan.messages]
    events = [_event_row(plan, e) for plan in plans for e in plan.events]
    Message.objects.bulk_create(messages, batch_size=500)
    Event.objects.bulk_create(events, batch_size=500)
    through = Conversation.tags.through
    through.objects.bulk_create(
        [through(conversation_id=plan.id, tag_id=tag_id) for plan in plans for tag_id in plan.tag_ids]
    )
    for plan in plans:
        first, last = cast.customer_names.get(plan.customer_id, ("", ""))
        texts = (m.text for m in plan.messages)
        body = search_body(f"{first} {last}", identities.get(plan.customer_id, []), texts)
        search.index_text(plan.id, plan.subject, body)
    summary.messages += len(messages)
    summary.events += len(events)


def _tagged_reason(plan: PlannedConversation) -> int | None:
    """Agents pick the reason while working a conversation: new ones are untagged (and get suggestions)."""
    return None if plan.status == "new" else plan.reason_id


def _conversation_row(plan: PlannedConversation) -> Conversation:
    return Conversation(
        pk=plan.id, subject=plan.subject, customer_id=plan.customer_id, team_id=plan.team_id,
        owner_id=plan.owner_id, channel=plan.channel, status=plan.status, priority=plan.priority,
        snoozed_until=aware(plan.snoozed_until), contact_reason_id=_tagged_reason(plan),
        created_at=moment(plan.created_at), first_response_at=aware(plan.first_response_at),
        resolved_at=aware(plan.resolved_at), last_activity_at=moment(plan.last_activity_at),
        last_customer_message_at=aware(plan.last_customer_message_at), reopen_count=plan.reopen_count,
    )


def _message_row(plan: PlannedConversation, message: PlannedMessage) -> Message:
    external_id = f"<{plan.id}.{int(message.at)}@mail.example.com>" if message.channel == "email" else ""
    sent = message.kind == "reply"
    return Message(
        conversation_id=plan.id, direction=message.direction, kind=message.kind, channel=message.channel,
        author_id=message.author_id, customer_id=message.customer_id, text=message.text,
        full_text=message.text, created_at=moment(message.at), external_id=external_id,
        send_status="sent" if sent else "", sent_at=aware(message.at) if sent else None,
    )


def _event_row(plan: PlannedConversation, event: PlannedEvent) -> Event:
    customer_id = plan.customer_id if event.kind in ("created", "reopened", "channel_switch") else None
    return Event(conversation_id=plan.id, customer_id=customer_id, actor_id=event.actor_id, kind=event.kind,
                 data=event.data, note=event.note, created_at=moment(event.at))
