"""IMAP intake and SMTP sending against real servers (Dovecot, aiosmtpd): the whole round trip."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from herodesk.channels.email import actions, filing, intake, tasks
from herodesk.channels.email.models import InboundMail, Mailbox
from herodesk.channels.email.tests.mails import raw_mail
from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.models import Conversation, Message

pytestmark = [pytest.mark.django_db, pytest.mark.mailservers]
State = InboundMail.State


def poll(mailbox: Mailbox) -> intake.PollResult:
    mailbox.refresh_from_db()
    Mailbox.objects.filter(pk=mailbox.pk).update(poll_lease_until=None)
    result = intake.poll(mailbox)
    assert not result.error, result.error
    return result


def test_mail_round_trip_through_real_imap_and_smtp(
    imap_mailbox, imap_server, smtp_sink, agent, django_capture_on_commit_callbacks
):
    """GIVEN a customer's mail in the IMAP inbox
    WHEN it is polled, an agent replies, and the customer answers that reply
    THEN it is one conversation, the reply reached SMTP with threading headers, and nothing is duplicated.
    """
    imap_server.append(raw_mail(message_id="<first.ask@example.com>", subject="Where is my parcel?"))
    assert poll(imap_mailbox).filed == 1
    conversation = Conversation.objects.get()
    assert conversation.subject == "Where is my parcel?" and conversation.team == imap_mailbox.team
    assert InboundMail.objects.get().arrived_at is not None  # the server's INTERNALDATE

    with django_capture_on_commit_callbacks(execute=True):
        reply = conversation_actions.do_add_reply(conversation, agent, "It ships tomorrow.")
    reply.refresh_from_db()
    assert reply.send_status == Message.SendStatus.SENT
    assert len(smtp_sink.messages) == 1
    sent = message_from_bytes(smtp_sink.messages[0], policy=policy.default)
    assert sent["From"] == "Support <support@desk.example>"
    assert sent["To"] == "carla@example.com"
    assert sent["In-Reply-To"] == "<first.ask@example.com>"
    assert sent["References"] == "<first.ask@example.com>"
    assert sent["Message-ID"] == f"<{reply.external_id}>"
    assert reply.external_id.startswith(f"hd.{conversation.pk}.{conversation.reply_token}.")
    assert sent["Reply-To"] == f"support+hd-{conversation.reply_token}@desk.example"

    answer = raw_mail(
        subject=f"Re: {sent['Subject']}",
        body="Thank you!\n\nOn Monday Support wrote:\n> It ships tomorrow.",
        In_Reply_To=sent["Message-ID"],
        References=f"{sent['References']} {sent['Message-ID']}",
    )
    imap_server.append(answer)
    assert poll(imap_mailbox).filed == 1
    assert Conversation.objects.count() == 1
    texts = list(conversation.messages.order_by("id").values_list("text", flat=True))
    assert texts[-1] == "Thank you!"

    again = poll(imap_mailbox)
    assert (again.fetched, again.filed) == (0, 0)
    assert InboundMail.objects.count() == 2 and conversation.messages.count() == 3
    assert imap_server.uids() == [1, 2]  # never deleted, never moved
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.last_uid == 2 and imap_mailbox.failures == 0 and imap_mailbox.last_success_at


def test_same_mails_under_a_new_uidvalidity_are_recognised_by_message_id(imap_mailbox, imap_server):
    for number in range(3):
        imap_server.append(raw_mail(message_id=f"<m{number}@example.com>", sender=f"c{number}@example.com"))
    assert poll(imap_mailbox).filed == 3
    connection = imap_server.connect()
    connection.create("Copy")
    connection.select("INBOX")
    connection.uid("COPY", "1:*", "Copy")
    connection.logout()
    Mailbox.objects.filter(pk=imap_mailbox.pk).update(imap_folder="Copy")

    result = poll(imap_mailbox)
    assert result.fetched == 3 and result.filed == 0
    assert InboundMail.objects.filter(state=State.DUPLICATE).count() == 3
    assert Conversation.objects.count() == 3


def test_stop_between_storing_and_filing_is_resumed_by_the_next_poll(imap_mailbox, imap_server, monkeypatch):
    imap_server.append(raw_mail(message_id="<a@example.com>"))
    imap_server.append(raw_mail(message_id="<b@example.com>", sender="bob@example.com"))

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(filing.routing, "route_for", killed)
    with pytest.raises(KeyboardInterrupt):
        intake.poll(imap_mailbox)
    # The whole fetch batch is stored (one transaction) before any of it is filed; the stop rolled back
    # the filing transaction, so both mails are stored and neither is filed.
    assert list(InboundMail.objects.values_list("state", flat=True)) == [State.RECEIVED, State.RECEIVED]
    assert not Conversation.objects.exists()

    monkeypatch.undo()
    result = poll(imap_mailbox)
    assert result.retried == 2 and result.fetched == 0
    assert Conversation.objects.count() == 2
    assert set(InboundMail.objects.values_list("state", flat=True)) == {State.PROCESSED}


def test_stop_after_filing_but_before_the_uid_is_recorded_does_not_duplicate(
    imap_mailbox, imap_server, monkeypatch
):
    imap_server.append(raw_mail(message_id="<c@example.com>"))

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(actions, "do_advance_last_uid", killed)
    with pytest.raises(KeyboardInterrupt):
        intake.poll(imap_mailbox)
    assert Conversation.objects.count() == 1
    monkeypatch.undo()
    result = poll(imap_mailbox)
    assert result.fetched == 0 and Conversation.objects.count() == 1
    # Even if the UID record were lost entirely, the Message-ID keeps the mail out.
    InboundMail.objects.update(uid=None)
    Mailbox.objects.filter(pk=imap_mailbox.pk).update(last_uid=0)
    result = poll(imap_mailbox)
    assert result.fetched == 1 and result.states == {State.DUPLICATE: 1}
    assert Conversation.objects.count() == 1


def test_filed_mail_is_moved_when_the_mailbox_asks_for_it(imap_mailbox, imap_server):
    connection = imap_server.connect()
    connection.create("Filed")
    connection.logout()
    Mailbox.objects.filter(pk=imap_mailbox.pk).update(move_to_folder="Filed")
    imap_server.append(raw_mail(message_id="<move@example.com>"))
    imap_server.append(b"Lorem ipsum, not a mail\r\n")
    assert poll(imap_mailbox).filed == 1
    assert imap_server.uids("INBOX") == [2]  # the refused one stays for a human to look at
    assert len(imap_server.uids("Filed")) == 1


def test_wrong_password_is_recorded_and_backs_off(imap_mailbox):
    actions.do_save_mailbox(imap_mailbox, actions.MailboxSecrets(imap_password="wrong"))
    first = intake.poll(imap_mailbox)
    assert "login as desk failed" in first.error
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.failures == 1 and imap_mailbox.last_error_at and imap_mailbox.next_poll_at
    first_delay = imap_mailbox.next_poll_at - imap_mailbox.last_error_at
    intake.poll(imap_mailbox)
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.failures == 2
    assert imap_mailbox.next_poll_at - imap_mailbox.last_error_at == 2 * first_delay


def test_periodic_task_polls_due_mailboxes(imap_mailbox, imap_server):
    imap_server.append(raw_mail(message_id="<periodic@example.com>"))
    tasks.poll_due_mailboxes.call_local()
    assert Conversation.objects.count() == 1
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.next_poll_at > imap_mailbox.last_success_at


def test_check_connection_reports_the_folder(imap_mailbox, imap_server):
    from herodesk.channels.email import imap

    imap_server.append(raw_mail())
    assert imap.check_connection(intake.imap_settings(imap_mailbox)).startswith(
        "Connected; INBOX holds 1 mails"
    )
