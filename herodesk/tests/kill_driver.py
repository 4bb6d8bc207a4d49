"""The processes ``test_kill_injection.py`` starts and kills: a mail feeder, the recovery and the checker.

Run as ``python -m herodesk.tests.kill_driver feed|recover|check DIR`` with ``HERODESK_DATA_DIR`` (and
optionally ``DATABASE_URL``) set for a scratch desk. ``DIR`` holds the raw mails (``NNNN.eml``) and
``acked``: the numbers of the mails whose intake returned, as a mail server would record a delivery that
the pipe accepted. A mail whose feeder was killed before it returned is not acked, so the next feeder
delivers it again (the mail server retries), exactly like a pipe that died.
"""

from __future__ import annotations

import json
import os
import random
import sys
from email.message import EmailMessage
from pathlib import Path

ACKED = "acked"
SENDERS = 40  # the sender rate limit (20 an hour from one address) is never reached

# Sentences with something for the analysis to find (anger, repeat contact, urgency) and a calm one.
MOODS = [
    "This is the third time I am writing and nobody answers, this is unacceptable!",
    "I was charged twice for my order and I want my money back today.",
    "Could you tell me when my parcel will arrive? Thanks a lot.",
    "My account is locked and I cannot work, please help urgently.",
    "Thank you for the quick help last week, one more question about invoices.",
]


def word(index: int) -> str:
    """A word that only mail ``index`` contains, to find it through search."""
    return f"killword{index:04d}"


def message_id(index: int) -> str:
    return f"<kill-{index}@kill.example>"


def write_mails(directory: Path, count: int, seed: int) -> None:
    """``count`` raw mails; about a quarter answer an earlier one (threading by In-Reply-To)."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        mail = EmailMessage()
        sender = rng.randrange(SENDERS)
        mail["From"] = f"Sender {sender} <sender{sender}@kill.example>"
        mail["To"] = "support@desk.example"
        mail["Message-ID"] = message_id(index)
        if index and rng.random() < 0.25:
            earlier = rng.randrange(index)
            mail["Subject"] = f"Re: Order question {earlier}"
            mail["In-Reply-To"] = message_id(earlier)
        else:
            mail["Subject"] = f"Order question {index}"
        mail.set_content(f"{rng.choice(MOODS)}\nReference {word(index)}.\n")
        (directory / f"{index:04d}.eml").write_bytes(bytes(mail))


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herodesk.settings")
    import django

    django.setup()


def feed(directory: Path) -> int:
    """Deliver every mail not acked yet through raw-MIME intake (what ``herodesk mail ingest`` runs)."""
    _setup()
    from herodesk.channels.email import intake

    print("ready", flush=True)  # the test starts its kill timer from here, not from Django's start-up
    acked_path = directory / ACKED
    acked = set(acked_path.read_text().split()) if acked_path.exists() else set()
    with acked_path.open("a") as log:
        for path in sorted(directory.glob("*.eml")):
            if path.stem in acked:
                continue
            intake.ingest(path.read_bytes(), None)
            log.write(path.stem + "\n")
            log.flush()
            os.fsync(log.fileno())
    return 0


def recover(minutes: int) -> int:
    """What a restarted desk does with time: the next mail poll files mail a crash left stored but
    unfiled (its 10-minute wait skipped), and the worker's sweep, run as if ``minutes`` later, finishes
    work recorded after commits and queues again analysis whose job a killed worker lost."""
    _setup()
    from datetime import timedelta

    from django.utils import timezone

    from herodesk.channels.email import intake
    from herodesk.conversations.actions import do_finish_stale_pending_work

    filed = intake.process_pending()
    later = timezone.now() + timedelta(minutes=minutes)
    swept = 0
    while done := do_finish_stale_pending_work(now=later):
        swept += done
    print(json.dumps({"filed_again": filed, "swept": swept}))
    return 0


def check(directory: Path) -> int:
    """Print, as JSON, every mail that was lost, duplicated, not searchable or not analysed."""
    _setup()
    from herodesk.channels.email.models import InboundMail
    from herodesk.conversations import search
    from herodesk.conversations.models import Message, PendingWork

    count = len(list(directory.glob("*.eml")))
    messages: dict[str, list[Message]] = {}
    for message in Message.objects.filter(external_id__contains="@kill.example"):
        messages.setdefault(message.external_id.strip("<>"), []).append(message)
    report: dict[str, object] = {
        "mails": count,
        "lost": [],
        "duplicated": [],
        "unindexed": [],
        "unanalysed": [],
    }
    for index in range(count):
        filed = messages.get(message_id(index).strip("<>"), [])
        if not filed:
            report["lost"].append(index)  # type: ignore[attr-defined]
            continue
        if len(filed) > 1:
            report["duplicated"].append(index)  # type: ignore[attr-defined]
        if filed[0].conversation_id not in search.search_ids(word(index), "1=1", [], 10, 0):
            report["unindexed"].append(index)  # type: ignore[attr-defined]
        if any(m.intensity is None or not m.signals for m in filed):
            report["unanalysed"].append(index)  # type: ignore[attr-defined]
    states: dict[str, int] = {}
    for state in InboundMail.objects.values_list("state", flat=True):
        states[state] = states.get(state, 0) + 1
    report["inbound_states"] = states
    report["pending_work_left"] = PendingWork.objects.count()
    print(json.dumps(report))
    return 0


def main(argv: list[str]) -> int:
    command, rest = argv[0], argv[1:]
    if command == "write":
        write_mails(Path(rest[0]), int(rest[1]), int(rest[2]))
        return 0
    if command == "migrate":
        _setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        return 0
    if command == "feed":
        return feed(Path(rest[0]))
    if command == "recover":
        return recover(int(rest[0]))
    if command == "check":
        return check(Path(rest[0]))
    print(f"unknown command {command}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
