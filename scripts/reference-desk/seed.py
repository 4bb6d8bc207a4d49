"""Seed the reference desk (django-helpdesk) with N tickets of 5 messages each, fast.

Runs inside the reference desk's own venv (`setup.sh` calls it). Each ticket is one conversation: its
title and description are the subject and first message, its 4 follow-ups the other messages, the same
shape as `herodesk bench seed`. With --herodesk-db the texts, statuses and dates are copied from a desk
seeded by `herodesk bench seed` (so both desks hold the same words); without it a small generator
writes similar support mail. Rows go in with bulk_create in big transactions.

    python seed.py --tickets 100000 [--herodesk-db DIR/herodesk.sqlite3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import django

BENCH_USERNAME = "bench"
BENCH_PASSWORD = "reference-bench"  # noqa: S105 - loopback benchmark login, written to credentials.json
QUEUES = (("Billing", "billing"), ("Orders", "orders"), ("Technical", "tech"), ("Travel", "travel"))
AGENTS = ("ada", "ben", "chloe", "dev")
BATCH = 5_000
OPEN, RESOLVED, CLOSED = 1, 3, 4
MESSAGES_PER_TICKET = 5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--herodesk-db", type=Path, help="herodesk.sqlite3 of a `herodesk bench seed` desk")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demodesk.settings")
    django.setup()
    started = time.monotonic()
    users = _users()
    queues = _queues()
    source = _from_herodesk(args.herodesk_db) if args.herodesk_db else _generated(args.seed)
    _seed(args.tickets, source, queues, users, random.Random(args.seed))
    credentials = {"username": BENCH_USERNAME, "password": BENCH_PASSWORD,
                   "first_ticket_id": 1, "last_ticket_id": args.tickets}
    path = Path(os.environ["REFDESK_DIR"]) / "credentials.json"
    path.write_text(json.dumps(credentials, indent=2), encoding="utf-8")
    print(f"seeded {args.tickets:,} tickets in {time.monotonic() - started:.0f} s; credentials: {path}")
    return 0


def _users():
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    bench = user_model.objects.filter(username=BENCH_USERNAME).first()
    if bench is None:  # the bench login is a staff superuser: the API's ticket endpoints need is_staff
        bench = user_model.objects.create_superuser(BENCH_USERNAME, "bench@example.com", BENCH_PASSWORD)
    agents = [user_model.objects.get_or_create(username=name, defaults={
        "email": f"{name}@example.com", "is_staff": True})[0] for name in AGENTS]
    return [bench, *agents]


def _queues():
    from helpdesk.models import Queue

    return [Queue.objects.get_or_create(slug=slug, defaults={"title": title})[0] for title, slug in QUEUES]


def _from_herodesk(db_path: Path):
    """(subject, status, created, [(text, from_agent, at), ...]) per herodesk conversation, in id order."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conversations = db.execute(
        "SELECT id, subject, status, created_at FROM conversations_conversation ORDER BY id")
    for conversation_id, subject, status, created in conversations:
        messages = db.execute(
            "SELECT text, direction, created_at FROM conversations_message WHERE conversation_id = ?"
            " ORDER BY id", (conversation_id,)).fetchall()
        yield (subject, _status(status), _when(created),
               [(text, direction == "out", _when(at)) for text, direction, at in messages])


def _status(herodesk_status: str) -> int:
    return {"resolved": RESOLVED, "closed": CLOSED}.get(herodesk_status, OPEN)


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


TOPICS = (
    ("Refund for order {n}", "I was charged twice for order {n}; please refund the double charge."),
    ("Parcel never arrived", "Tracking says delivered in {city} but there was no parcel: a lost delivery."),
    ("Cannot reset my password", "The password reset link expired again, this is the third time I ask."),
    ("Invoice {n} is wrong", "The invoice lists a router I returned; please send a corrected invoice."),
    ("Boarding pass missing", "My boarding pass for the flight to {city} never came; my passport is ready."),
    ("Espresso machine leaking", "The espresso machine leaks after two weeks; my lawyer calls it a defect."),
    ("Outage in {city}", "The internet has been down since this morning in {city}, the router blinks red."),
)
CITIES = ("Lisbon", "Helsinki", "Porto", "Warsaw", "Lyon", "Leeds", "Graz")
SURNAMES = ("Okafor", "Kowalski", "Nguyen", "Silva", "Meyer", "Rossi", "Larsen")
REPLIES = (
    "Thanks for reaching out, {name}. I have checked this and will update you by tomorrow.",
    "I am sorry about this. I have escalated it to the team and asked them for an answer today.",
    "Could you send a photo of the label and the order number, please?",
    "Good news: the refund has been issued and should reach your account within five days.",
)
FOLLOW_UPS = (
    "Here is the photo. It is still not solved and I need it before the weekend.",
    "Thank you, that worked. Much appreciated.",
    "Any update? Nobody has called me back.",
)


def _generated(seed: int):
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    while True:
        subject, body = rng.choice(TOPICS)
        fill = {"n": rng.randrange(10**5, 10**6), "city": rng.choice(CITIES)}
        name = rng.choice(SURNAMES)
        created = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
        texts = [(f"{body.format(**fill)}\n\nRegards,\n{name}", False)]
        for i in range(1, MESSAGES_PER_TICKET):
            pool = REPLIES if i % 2 else FOLLOW_UPS
            texts.append((rng.choice(pool).format(name=name), i % 2 == 1))
        messages = [(text, out, created + timedelta(hours=6 * i)) for i, (text, out) in enumerate(texts)]
        yield subject.format(**fill), rng.choice((OPEN, OPEN, RESOLVED, CLOSED)), created, messages


def _seed(n: int, source, queues, users, rng: random.Random) -> None:
    from django.db import connection, transaction
    from helpdesk.models import FollowUp, Ticket

    # Keep the story's dates: bulk_create would stamp auto_now(_add) fields with the time of seeding.
    Ticket._meta.get_field("created").auto_now_add = False
    Ticket._meta.get_field("modified").auto_now = False
    with connection.cursor() as cursor:  # a fresh benchmark database: no journal while loading
        cursor.execute("PRAGMA journal_mode = OFF")
        cursor.execute("PRAGMA synchronous = OFF")
    next_id = 1
    started = time.monotonic()
    while next_id <= n:
        tickets, follow_ups = [], []
        for ticket_id in range(next_id, min(n, next_id + BATCH - 1) + 1):
            subject, status, created, messages = next(source)
            customer = f"customer{rng.randrange(n // 5 or 1)}@example.com"
            first, rest = messages[0], messages[1:MESSAGES_PER_TICKET]
            tickets.append(Ticket(
                id=ticket_id, title=subject[:200], queue=rng.choice(queues), created=created,
                modified=rest[-1][2] if rest else created, submitter_email=customer,
                assigned_to=rng.choice((None, *users)), status=status, description=first[0],
                priority=rng.choice((1, 2, 3, 3, 3, 4, 5)),
                secret_key=str(uuid.UUID(int=rng.getrandbits(128))),
            ))
            for text, from_agent, at in rest:
                agent = rng.choice(users) if from_agent else None
                follow_ups.append(FollowUp(
                    ticket_id=ticket_id, date=at, title="Comment" if from_agent else "E-Mail Received",
                    comment=text, public=True, user=agent,
                ))
        with transaction.atomic():
            Ticket.objects.bulk_create(tickets, batch_size=1000)
            FollowUp.objects.bulk_create(follow_ups, batch_size=1000)
        next_id += len(tickets)
        rate = (next_id - 1) / (time.monotonic() - started)
        print(f"tickets {next_id - 1:,}/{n:,}  {rate:,.0f}/s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA journal_mode = DELETE")  # back to the demo's default journal


if __name__ == "__main__":
    sys.exit(main())
