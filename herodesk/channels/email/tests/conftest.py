"""Fixtures of the email channel's tests: a mailbox, ingesting raw mail, and the real mail servers."""

from __future__ import annotations

import pytest

from herodesk.channels.email.models import Mailbox


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.DEFAULT_FROM_EMAIL = "help@desk.example"
    settings.SERVER_EMAIL = "help@desk.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from herodesk.channels.email.queries import forget_own_addresses

    forget_own_addresses()  # mailboxes come and go between tests faster than the cache expires


@pytest.fixture
def mailbox(support_team):
    """support@desk.example, owned by the Support team, with no IMAP (fed by pipe or webhook)."""
    return Mailbox.objects.create(name="Support", address="support@desk.example", team=support_team)


@pytest.fixture(scope="session")
def dovecot_server():
    """A real Dovecot IMAP server for the whole session (skipped without Dovecot, except in CI)."""
    import os
    from pathlib import Path

    from herodesk.bench import mailservers

    if not Path(mailservers.DOVECOT).exists():
        message = (
            f"{mailservers.DOVECOT} is missing: install dovecot-imapd (scripts/install-system-packages.sh)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Not pytest's tmp_path: its parents are private to us, and Dovecot's own users must read the files.
    server = mailservers.start_dovecot()
    yield server
    server.stop()
    server.remove()


@pytest.fixture
def imap_server(dovecot_server):
    """The Dovecot server with an empty mailbox for this test."""
    dovecot_server.clear()
    yield dovecot_server
    dovecot_server.clear()


@pytest.fixture(scope="session")
def smtp_server():
    from herodesk.bench.mailservers import SmtpSink

    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_sink(smtp_server):
    smtp_server.messages.clear()
    return smtp_server


@pytest.fixture
def imap_mailbox(imap_server, smtp_sink, support_team):
    """A mailbox read from the real IMAP server and sending through the real SMTP sink."""
    from herodesk.channels.email.actions import MailboxSecrets, do_save_mailbox
    from herodesk.channels.email.models import Security

    mailbox = Mailbox(
        name="Support",
        address="support@desk.example",
        team=support_team,
        imap_host=imap_server.host,
        imap_port=imap_server.port,
        imap_security=Security.NONE,
        imap_user=imap_server.user,
        smtp_host="127.0.0.1",
        smtp_port=smtp_sink.port,
        smtp_security=Security.NONE,
    )
    return do_save_mailbox(mailbox, MailboxSecrets(imap_password=imap_server.password))
