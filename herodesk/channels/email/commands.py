"""``herodesk mail ...``: parse, ingest (one mail on stdin), poll, reprocess, bench.

``ingest`` is made for a mail server's pipe: exit 0 when the mail is stored (filed, a duplicate, or kept
for reprocessing), 2 when it is refused (one line on stderr), 75 (EX_TEMPFAIL) when it could not even be
stored, so the mail server keeps it and tries again. Never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from herodesk.channels.email.intake import PollResult
    from herodesk.channels.email.models import Mailbox

EXIT_OK = 0
EXIT_REJECTED = 2
EXIT_TEMPFAIL = 75


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herodesk.settings")
    import django

    django.setup()


def _say(message: str, stream: TextIO | None = None) -> None:
    print(" ".join(message.split()), file=stream or sys.stderr)


def cmd_parse(args: argparse.Namespace) -> int:
    from herodesk.channels.email.cli import parse_command

    return parse_command(args.file)


def _mailbox(mailbox_id: int | None) -> Mailbox | None:
    from herodesk.channels.email import queries

    if mailbox_id is None:
        return None
    mailbox = queries.mailbox_by_id(mailbox_id)
    if mailbox is None:
        raise LookupError(f"no mailbox with id {mailbox_id}")
    return mailbox


def cmd_ingest(args: argparse.Namespace) -> int:
    try:
        raw = sys.stdin.buffer.read()
        _django_setup()
        mailbox = _mailbox(args.mailbox)
    except LookupError as error:
        _say(f"rejected: {error}")
        return EXIT_REJECTED
    except Exception as error:  # noqa: BLE001 - the promise is one line, whatever went wrong
        _say(f"temporary failure: {type(error).__name__}: {error}")
        return EXIT_TEMPFAIL
    return _ingest(raw, mailbox)


def _ingest(raw: bytes, mailbox: Mailbox | None) -> int:
    from herodesk.channels.email import intake
    from herodesk.channels.email.models import InboundMail

    try:
        inbound = intake.ingest(raw, mailbox)
    except Exception as error:  # noqa: BLE001 - nothing stored: let the mail server retry
        _say(f"temporary failure, not stored: {type(error).__name__}: {error}")
        return EXIT_TEMPFAIL
    if inbound.state == InboundMail.State.REJECTED:
        _say(f"rejected: {inbound.reason}")
        return EXIT_REJECTED
    if inbound.state == InboundMail.State.FAILED:
        _say(f"stored as inbound mail {inbound.pk}, filing failed ({inbound.reason}); it will be retried")
    else:
        _say(f"{inbound.state}: inbound mail {inbound.pk} {inbound.reason}", sys.stdout)
    return EXIT_OK


def cmd_poll(args: argparse.Namespace) -> int:
    _django_setup()
    from herodesk.channels.email import intake
    from herodesk.channels.email.models import Mailbox

    try:
        chosen = _mailbox(args.mailbox)
    except LookupError as error:
        _say(str(error))
        return EXIT_REJECTED
    mailboxes = [chosen] if chosen else list(Mailbox.objects.filter(active=True).exclude(imap_host=""))
    failed = 0
    for mailbox in mailboxes:
        result = intake.poll(mailbox)
        print(_poll_line(mailbox, result))
        failed += bool(result.error)
    intake.process_pending(stale_only=True)
    return 1 if failed else EXIT_OK


def _poll_line(mailbox: Mailbox, result: PollResult) -> str:
    if result.skipped:
        return f"{mailbox}: skipped, another poll is running"
    if result.error:
        return f"{mailbox}: error: {result.error}"
    return (
        f"{mailbox}: fetched {result.fetched}, filed {result.filed}, "
        f"refused {result.refused}, retried {result.retried}"
    )


def cmd_reprocess(args: argparse.Namespace) -> int:
    _django_setup()
    from herodesk.channels.email import intake
    from herodesk.channels.email.models import InboundMail

    ids = list(args.ids)
    if args.failed:
        failed = InboundMail.objects.filter(state=InboundMail.State.FAILED).values_list("pk", flat=True)
        ids.extend(failed)
    if not ids:
        _say("nothing to reprocess: give inbound mail ids or --failed")
        return EXIT_REJECTED
    code = EXIT_OK
    for inbound_id in ids:
        if not InboundMail.objects.filter(pk=inbound_id).exists():
            _say(f"{inbound_id}: no such inbound mail")
            code = EXIT_REJECTED
            continue
        inbound = intake.reprocess(inbound_id)
        print(f"{inbound_id}: {inbound.state} {inbound.reason}".strip())
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="herodesk mail", description="herodesk email channel tools")
    sub = parser.add_subparsers(dest="command", required=True)
    parse = sub.add_parser("parse", help="parse one raw mail file and print it as JSON")
    parse.add_argument("file")
    ingest = sub.add_parser("ingest", help="store and file one raw mail read from stdin")
    ingest.add_argument("--mailbox", type=int, help="id of the mailbox it was delivered to")
    poll = sub.add_parser("poll", help="poll IMAP mailboxes once")
    poll.add_argument("--mailbox", type=int, help="only this mailbox")
    reprocess = sub.add_parser("reprocess", help="file stored mails again (failed or refused ones)")
    reprocess.add_argument("ids", nargs="*", type=int)
    reprocess.add_argument("--failed", action="store_true", help="every mail whose filing failed")
    # `herodesk mail bench` (intake throughput) is dispatched by herodesk.cli to herodesk.bench.mail_intake.
    return parser


HANDLERS = {
    "parse": cmd_parse,
    "ingest": cmd_ingest,
    "poll": cmd_poll,
    "reprocess": cmd_reprocess,
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    return HANDLERS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
