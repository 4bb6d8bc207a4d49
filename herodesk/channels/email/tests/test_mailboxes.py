"""Mailbox settings: passwords never stored in plain text, backoff, per-mailbox sending."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet

from herodesk.channels.email import credentials, intake, send
from herodesk.channels.email.actions import MailboxSecrets, backoff, do_issue_webhook_token, do_save_mailbox
from herodesk.channels.email.models import Mailbox, PasswordSource, hash_webhook_token
from herodesk.channels.email.tests.mails import raw_mail
from herodesk.conversations import actions as conversation_actions

pytestmark = pytest.mark.django_db


def test_stored_password_is_encrypted_and_readable_back(mailbox):
    do_save_mailbox(mailbox, MailboxSecrets(imap_password="hunter2-imap", smtp_password="hunter2-smtp"))
    row = Mailbox.objects.get(pk=mailbox.pk)
    assert "hunter2" not in row.password_encrypted and "hunter2" not in row.smtp_password_encrypted
    assert credentials.mailbox_password(row) == "hunter2-imap"
    assert credentials.smtp_password(row) == "hunter2-smtp"


def test_leaving_the_password_blank_keeps_the_stored_one(mailbox):
    do_save_mailbox(mailbox, MailboxSecrets(imap_password="first"))
    do_save_mailbox(mailbox, MailboxSecrets(imap_password=None))
    assert credentials.mailbox_password(Mailbox.objects.get(pk=mailbox.pk)) == "first"


def test_configured_key_is_used_and_old_derived_passwords_still_read(mailbox, settings):
    do_save_mailbox(mailbox, MailboxSecrets(imap_password="before-key"))
    settings.MAILBOX_ENCRYPTION_KEY = Fernet.generate_key().decode()
    assert credentials.mailbox_password(Mailbox.objects.get(pk=mailbox.pk)) == "before-key"
    token = credentials.encrypt("with-key")
    assert Fernet(settings.MAILBOX_ENCRYPTION_KEY.encode()).decrypt(token.encode()) == b"with-key"


def test_another_secret_key_cannot_read_the_password(mailbox, settings):
    do_save_mailbox(mailbox, MailboxSecrets(imap_password="secret"))
    settings.SECRET_KEY = "another-secret-key-entirely-0123456789"
    with pytest.raises(credentials.CredentialError, match="cannot be decrypted"):
        credentials.mailbox_password(Mailbox.objects.get(pk=mailbox.pk))


def test_password_from_environment_or_file(mailbox, monkeypatch, tmp_path, settings):
    settings.MAILBOX_SECRETS_DIR = tmp_path
    monkeypatch.setenv("HERODESK_MAILBOX_SUPPORT", "from-env")
    mailbox.password_source, mailbox.password_env = PasswordSource.ENV, "HERODESK_MAILBOX_SUPPORT"
    do_save_mailbox(mailbox, MailboxSecrets(imap_password="ignored"))
    assert mailbox.password_encrypted == ""
    assert credentials.mailbox_password(mailbox) == "from-env"
    secret = tmp_path / "imap-password"
    secret.write_text("from-file\n")
    mailbox.password_source, mailbox.password_file = PasswordSource.FILE, str(secret)
    assert credentials.mailbox_password(mailbox) == "from-file"
    mailbox.password_file = "imap-password"  # relative: inside the secrets folder
    assert credentials.mailbox_password(mailbox) == "from-file"
    mailbox.password_file = str(tmp_path / "missing")
    with pytest.raises(credentials.CredentialError, match="cannot read a password from"):
        credentials.mailbox_password(mailbox)


@pytest.mark.parametrize(
    "source, value",
    [
        (PasswordSource.FILE, "/etc/passwd"),
        (PasswordSource.FILE, "../../etc/hostname"),
        (PasswordSource.FILE, "/proc/self/environ"),
        (PasswordSource.ENV, "HERODESK_SECRET_KEY"),
        (PasswordSource.ENV, "DATABASE_URL"),
        (PasswordSource.ENV, "PATH"),
    ],
)
def test_passwords_come_only_from_the_secrets_folder_or_prefixed_variables(
    mailbox, tmp_path, settings, source, value
):
    """An admin cannot read a server file or variable through the mailbox password (issue 14, finding 6)."""
    settings.MAILBOX_SECRETS_DIR = tmp_path
    mailbox.password_source = source
    mailbox.password_env = value if source == PasswordSource.ENV else ""
    mailbox.password_file = value if source == PasswordSource.FILE else ""
    with pytest.raises(credentials.CredentialError, match="must be inside|must start with") as error:
        credentials.mailbox_password(mailbox)
    assert "root:" not in str(error.value)


def test_a_link_out_of_the_secrets_folder_is_refused(mailbox, tmp_path, settings):
    folder = tmp_path / "secrets"
    folder.mkdir()
    (folder / "sneaky").symlink_to("/etc/hostname")
    settings.MAILBOX_SECRETS_DIR = folder
    mailbox.password_source, mailbox.password_file = PasswordSource.FILE, "sneaky"
    with pytest.raises(credentials.CredentialError, match="must be inside"):
        credentials.mailbox_password(mailbox)


def test_missing_and_unreadable_files_read_the_same(mailbox, tmp_path, settings):
    settings.MAILBOX_SECRETS_DIR = tmp_path
    (tmp_path / "folder").mkdir()
    messages = set()
    for name in ("missing", "folder"):
        mailbox.password_source, mailbox.password_file = PasswordSource.FILE, name
        with pytest.raises(credentials.CredentialError) as error:
            credentials.mailbox_password(mailbox)
        messages.add(str(error.value).replace(name, "NAME"))
    assert len(messages) == 1


def test_webhook_token_is_stored_as_a_hash(mailbox):
    raw = do_issue_webhook_token(mailbox)
    mailbox.refresh_from_db()
    assert raw not in mailbox.webhook_token_hash
    assert mailbox.webhook_token_hash == hash_webhook_token(raw)


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n, 1) for n in (1, 2, 3)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert backoff(20, 1) == timedelta(hours=1)
    assert backoff(1, 120) == timedelta(minutes=120)


def test_reply_to_a_mailbox_conversation_is_sent_from_that_mailbox(mailbox, agent, mailoutbox):
    conversation = intake.ingest(raw_mail(message_id="<q@example.com>"), mailbox).conversation
    assert conversation is not None
    reply = conversation_actions.do_add_reply(conversation, agent, "On it.")
    assert send.send_reply_now(reply.pk)
    sent = mailoutbox[-1]
    assert sent.from_email == "Support <support@desk.example>"
    assert sent.extra_headers["In-Reply-To"] == "<q@example.com>"
    assert sent.extra_headers["Reply-To"] == f"support+hd-{conversation.reply_token}@desk.example"
    reply.refresh_from_db()
    assert not reply.external_id.startswith("<") and reply.external_id.endswith("@desk.example")


def test_reply_without_a_mailbox_uses_the_global_sender(conversation, agent, mailoutbox):
    reply = conversation_actions.do_add_reply(conversation, agent, "On it.")
    assert send.send_reply_now(reply.pk)
    assert mailoutbox[-1].from_email == "help@desk.example"
    assert mailoutbox[-1].extra_headers["Reply-To"].startswith("help+hd-")


def test_reply_ids_are_unique_per_message(conversation, agent, mailoutbox):
    first = conversation_actions.do_add_reply(conversation, agent, "One.")
    second = conversation_actions.do_add_reply(conversation, agent, "Two.")
    send.send_reply_now(first.pk)
    send.send_reply_now(second.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.external_id != second.external_id
    assert mailoutbox[-1].extra_headers["In-Reply-To"] == f"<{first.external_id}>"
