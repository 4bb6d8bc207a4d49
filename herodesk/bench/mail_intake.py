"""``herodesk mail bench``: end-to-end intake throughput on SQLite, through IMAP and through raw MIME.

Generates realistic mails (new questions, replies that thread, HTML, attachments, a few auto-replies),
APPENDs them to a throwaway Dovecot, polls it into a fresh migrated database, and prints mails/second.
The same number of mails then goes through the raw-MIME path (``herodesk mail ingest``'s code).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

WORDS = [
    "order",
    "invoice",
    "parcel",
    "refund",
    "account",
    "password",
    "delivery",
    "billing",
    "charge",
    "twice",
    "broken",
    "screen",
    "replacement",
    "tracking",
    "number",
    "address",
    "subscription",
    "cancel",
    "upgrade",
    "please",
    "help",
    "urgent",
    "tomorrow",
    "thanks",
    "again",
    "waiting",
    "week",
    "support",
    "team",
    "customer",
    "since",
    "yesterday",
    "still",
    "nothing",
    "arrived",
]


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(6, 16))
    return " ".join(words).capitalize() + "."


def _body(rng: random.Random, quoted: str | None) -> str:
    paragraphs = [
        " ".join(_sentence(rng) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 3))
    ]
    text = "Hello,\n\n" + "\n\n".join(paragraphs) + "\n\nBest regards,\nA customer"
    if quoted:
        text += "\n\nOn Monday, Support wrote:\n" + "\n".join("> " + line for line in quoted.splitlines())
    return text


def generate(count: int, seed: int = 7, domain: str = "customers.example") -> list[bytes]:
    """Realistic mails: ~35% replies threading on earlier ones, 20% HTML, 10% attachments, 3% auto-replies."""
    rng = random.Random(seed)
    senders = [f"customer{n}@{domain}" for n in range(max(1, count // 5))]
    earlier: list[tuple[str, str, str]] = []  # (message id, subject, sender)
    mails = []
    for number in range(count):
        reply = earlier and rng.random() < 0.35
        if reply:
            parent_id, subject, sender = rng.choice(earlier)
            subject = subject if subject.startswith("Re: ") else f"Re: {subject}"
        else:
            parent_id, sender = "", rng.choice(senders)
            subject = " ".join(rng.choices(WORDS, k=rng.randint(3, 7))).capitalize()
        mail = _mail(rng, number, sender, subject, parent_id, domain)
        earlier.append((mail["Message-ID"], subject, sender))
        mails.append(mail.as_bytes())
    return mails


def _mail(
    rng: random.Random, number: int, sender: str, subject: str, parent_id: str, domain: str
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = f"Customer {sender.split('@')[0][8:]} <{sender}>"
    mail["To"] = "support@desk.example"
    mail["Subject"] = subject
    mail["Date"] = format_datetime(time_now())
    mail["Message-ID"] = make_msgid(idstring=str(number), domain=domain)
    if parent_id:
        mail["In-Reply-To"] = parent_id
        mail["References"] = parent_id
    if rng.random() < 0.03:
        mail["Auto-Submitted"] = "auto-replied"
    text = _body(rng, _sentence(rng) if parent_id else None)
    mail.set_content(text)
    if rng.random() < 0.2:
        mail.add_alternative(
            "<html><body>" + "".join(f"<p>{line}</p>" for line in text.splitlines()) + "</body></html>",
            subtype="html",
        )
    if rng.random() < 0.1:
        mail.add_attachment(
            os.urandom(rng.randint(2_000, 60_000)),
            maintype="application",
            subtype="pdf",
            filename=f"invoice-{number}.pdf",
        )
    return mail


def time_now():  # noqa: ANN201 - a tz-aware datetime; imported late so the module loads without Django
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _setup_django(data_dir: Path) -> None:
    os.environ["HERODESK_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("HERODESK_HTTPS", "false")
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "herodesk.settings"
    import logging

    import django
    from django.core.management import call_command

    django.setup()
    logging.getLogger("herodesk").setLevel(logging.WARNING)
    call_command("migrate", "--no-input", "-v", "0")


def _mailbox(address: str, **imap: object):  # noqa: ANN202
    from herodesk.accounts.models import Team
    from herodesk.channels.email.actions import MailboxSecrets, do_save_mailbox
    from herodesk.channels.email.models import Mailbox

    team, _ = Team.objects.get_or_create(name="Support")
    password = imap.pop("password", None)
    mailbox = Mailbox(name=address, address=address, team=team, **imap)
    return do_save_mailbox(mailbox, MailboxSecrets(imap_password=password))  # type: ignore[arg-type]


def _states() -> dict[str, int]:
    from herodesk.channels.email.models import InboundMail

    return dict(Counter(InboundMail.objects.values_list("state", flat=True)))


def bench_imap(count: int) -> float:
    from herodesk.bench import mailservers
    from herodesk.channels.email import intake
    from herodesk.channels.email.models import InboundMail, Security

    server = mailservers.start_dovecot()
    try:
        mails = generate(count, seed=1)
        started = time.perf_counter()
        server.append_many(mails)
        append_seconds = time.perf_counter() - started
        print(f"  APPENDed {count:,} mails to Dovecot in {append_seconds:.1f} s (setup, not timed)")
        mailbox = _mailbox(
            "support@desk.example",
            imap_host=server.host,
            imap_port=server.port,
            imap_security=Security.NONE,
            imap_user=server.user,
            password=server.password,
        )
        started, cpu = time.perf_counter(), time.process_time()
        result = intake.poll(mailbox)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert not result.error, result.error
        done = InboundMail.objects.filter(mailbox=mailbox).count()
        print(f"  IMAP fetch + intake: {_rate(done, seconds, cpu)}")
        started = time.perf_counter()
        again = intake.poll(mailbox)
        print(
            f"  re-poll of the full box: {again.fetched} new mails in {time.perf_counter() - started:.2f} s"
        )
        return done / seconds
    finally:
        server.stop()
        server.remove()


def bench_raw(count: int) -> float:
    from herodesk.channels.email import intake

    mailbox = _mailbox("raw@desk.example")
    mails = generate(count, seed=2, domain="raw.example")
    started, cpu = time.perf_counter(), time.process_time()
    for raw in mails:
        intake.ingest(raw, mailbox)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"  raw-MIME intake: {_rate(count, seconds, cpu)}")
    return count / seconds


def _rate(count: int, seconds: float, cpu_seconds: float) -> str:
    """Wall clock, and this process's CPU time: on a busy machine the second is the honest number."""
    wall = f"{count:,} mails in {seconds:.1f} s = {count / seconds:,.0f} mails/s"
    per_mail = cpu_seconds * 1000 / max(1, count)
    cpu = f"{per_mail:.1f} ms/mail = {count / max(cpu_seconds, 1e-9):,.0f} mails/CPU-s"
    return f"{wall} (CPU {cpu})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="herodesk mail bench", description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--only", choices=["imap", "raw"], help="run one of the two measurements")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory(prefix="herodesk-mail-bench-") as data_dir:
        _setup_django(Path(data_dir))
        from django.conf import settings

        settings.EMAIL_SENDER_RATE_LIMIT = 1000  # the generated traffic is not a loop
        print(f"herodesk mail intake bench: {args.count:,} mails, SQLite in {data_dir}")
        if args.only in (None, "imap"):
            bench_imap(args.count)
        if args.only in (None, "raw"):
            bench_raw(args.count)
        from herodesk.conversations.models import Conversation

        print(f"  states: {_states()}; conversations: {Conversation.objects.count():,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
