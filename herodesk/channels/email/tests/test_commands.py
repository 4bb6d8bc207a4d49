"""``herodesk mail ...``: ingest's exit codes and one-line messages, poll, reprocess, parse."""

from __future__ import annotations

import io
import sys

import pytest

from herodesk.channels.email import commands
from herodesk.channels.email.models import InboundMail
from herodesk.channels.email.tests.mails import raw_mail
from herodesk.conversations.models import Conversation

pytestmark = pytest.mark.django_db


def run(argv: list[str], stdin: bytes, monkeypatch) -> int:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    return commands.main(argv)


def test_ingest_files_a_mail_and_exits_0(mailbox, monkeypatch, capsys):
    assert run(["ingest", "--mailbox", str(mailbox.pk)], raw_mail(), monkeypatch) == 0
    assert Conversation.objects.get().team == mailbox.team
    assert capsys.readouterr().out.startswith("processed: inbound mail")


def test_ingest_refusal_exits_2_with_one_line_and_no_traceback(monkeypatch, capsys):
    assert run(["ingest"], b"\x00\x01\x02 binary junk", monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.startswith("rejected: not an email:") and err.count("\n") == 1
    assert "Traceback" not in err
    assert InboundMail.objects.get().state == InboundMail.State.REJECTED


def test_ingest_to_an_unknown_mailbox_exits_2(monkeypatch, capsys):
    assert run(["ingest", "--mailbox", "999"], raw_mail(), monkeypatch) == 2
    assert capsys.readouterr().err == "rejected: no mailbox with id 999\n"
    assert not InboundMail.objects.exists()


def test_ingest_keeps_a_mail_whose_filing_failed_and_exits_0(mailbox, monkeypatch, capsys):
    from herodesk.conversations import actions as conversation_actions

    monkeypatch.setattr(conversation_actions, "schedule_index", lambda conversation_id: 1 / 0)
    assert run(["ingest"], raw_mail(), monkeypatch) == 0
    assert "filing failed" in capsys.readouterr().err
    assert InboundMail.objects.get().state == InboundMail.State.FAILED


def test_ingest_that_cannot_store_asks_the_mail_server_to_retry(monkeypatch, capsys):
    from herodesk.channels.email import actions

    def broken(mail):
        raise OSError("disk full")

    monkeypatch.setattr(actions, "do_store_inbound", broken)
    assert run(["ingest"], raw_mail(), monkeypatch) == 75
    assert capsys.readouterr().err == "temporary failure, not stored: OSError: disk full\n"


def test_reprocess_by_id_and_failed(mailbox, monkeypatch, capsys, settings):
    settings.EMAIL_SENDER_RATE_LIMIT = 0
    run(["ingest"], raw_mail(), monkeypatch)
    inbound = InboundMail.objects.get()
    settings.EMAIL_SENDER_RATE_LIMIT = 20
    assert commands.main(["reprocess", str(inbound.pk)]) == 0
    assert capsys.readouterr().out.startswith(f"{inbound.pk}: processed")
    assert commands.main(["reprocess", "12345"]) == 2
    assert commands.main(["reprocess", "--failed"]) == 2  # none failed


def test_poll_without_imap_mailboxes_does_nothing(mailbox, capsys):
    assert commands.main(["poll"]) == 0
    assert commands.main(["poll", "--mailbox", "999"]) == 2


def test_poll_reports_an_unreachable_server(mailbox, capsys):
    from herodesk.bench.mailservers import free_port

    mailbox.imap_host, mailbox.imap_port, mailbox.imap_user = "127.0.0.1", free_port(), "x"
    mailbox.imap_security = "none"
    mailbox.save()
    assert commands.main(["poll", "--mailbox", str(mailbox.pk)]) == 1
    assert "error: cannot connect to 127.0.0.1" in capsys.readouterr().out
    mailbox.refresh_from_db()
    assert mailbox.failures == 1 and "cannot connect" in mailbox.last_error


def test_parse_passes_through_to_the_parser(tmp_path, capsys):
    path = tmp_path / "mail.eml"
    path.write_bytes(raw_mail(subject="Parsed"))
    assert commands.main(["parse", str(path)]) == 0
    assert '"subject": "Parsed"' in capsys.readouterr().out
