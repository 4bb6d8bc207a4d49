"""Raw-MIME intake: storing first, threading order, loops, bounces, rate limits, limits, crash safety."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.utils import timezone

from herodesk.channels.email import intake, send
from herodesk.channels.email.models import InboundMail
from herodesk.channels.email.tests.mails import bounce_for, raw_mail
from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.models import Conversation, Message
from herodesk.customers.models import Identity
from herodesk.tests.factories import ConversationFactory, CustomerFactory

pytestmark = pytest.mark.django_db
State = InboundMail.State


def ingest(raw: bytes, mailbox=None) -> InboundMail:
    return intake.ingest(raw, mailbox)


def test_new_mail_becomes_a_conversation_in_the_mailboxs_team(mailbox, support_team):
    raw = raw_mail(message_id="<first@example.com>")
    inbound = ingest(raw, mailbox)
    assert inbound.state == State.PROCESSED
    assert inbound.reason == "filed (new)"
    assert bytes(inbound.raw) == raw and inbound.sha256 == hashlib.sha256(raw).hexdigest()
    conversation = inbound.conversation
    assert conversation.subject == "My order never arrived"
    assert conversation.team == support_team and conversation.channel == "email"
    assert conversation.customer.name == "Carla Customer"
    assert conversation.customer.primary_address == "carla@example.com"
    message = inbound.message
    assert message.text == "Hello, my order 1234 never arrived. Can you help?"
    assert message.external_id == "first@example.com"  # stored without angle brackets


def test_same_message_id_twice_is_a_duplicate_and_files_nothing_more(mailbox):
    first = ingest(raw_mail(message_id="<once@example.com>"), mailbox)
    second = ingest(raw_mail(message_id="<once@example.com>", body="other bytes"), mailbox)
    assert second.state == State.DUPLICATE
    assert f"inbound mail {first.pk}" in second.reason
    assert Conversation.objects.count() == 1


def test_mail_without_message_id_is_deduplicated_by_its_bytes(mailbox):
    raw = b"From: carla@example.com\r\nSubject: no id\r\n\r\nHello\r\n"
    assert ingest(raw, mailbox).state == State.PROCESSED
    assert ingest(raw, mailbox).state == State.DUPLICATE


# --- Threading order --------------------------------------------------------------------------------


def _reply(conversation: Conversation, agent) -> Message:
    """An agent's reply, sent (to the locmem outbox) as the worker would after the commit."""
    reply = conversation_actions.do_add_reply(conversation, agent, "We are on it.")
    send.send_reply_now(reply.pk)
    reply.refresh_from_db()
    return reply


def test_in_reply_to_our_message_threads_even_with_brackets_stored(mailbox, conversation, agent):
    reply = _reply(conversation, agent)
    Message.objects.filter(pk=reply.pk).update(external_id="<old-style@desk.example>")
    inbound = ingest(raw_mail(subject="Something else", In_Reply_To="<old-style@desk.example>"), mailbox)
    assert inbound.conversation == conversation
    assert inbound.reason == "filed (in-reply-to)"


def test_references_win_over_a_subject_tag_of_another_conversation(mailbox, conversation, customer):
    other = ConversationFactory(customer=customer)
    Message.objects.filter(conversation=conversation).update(external_id="theirs@example.com")
    raw = raw_mail(subject=f"Re: hello [#{other.pk}]", References="<x@y> <theirs@example.com>")
    assert ingest(raw, mailbox).conversation == conversation


def test_reply_token_in_the_plus_address_threads(mailbox, conversation):
    to = f"support+hd-{conversation.reply_token}@desk.example"
    inbound = ingest(raw_mail(to=to, subject="A new subject"), mailbox)
    assert inbound.conversation == conversation
    assert inbound.reason == "filed (reply-token)"


def test_reply_token_in_one_of_our_message_ids_threads_without_a_stored_message(mailbox, conversation):
    ours = f"<hd.{conversation.pk}.{conversation.reply_token}.abc123@desk.example>"
    assert ingest(raw_mail(In_Reply_To=ours), mailbox).conversation == conversation


def test_subject_tag_threads_only_for_that_conversations_customer(mailbox, conversation):
    tagged = f"Re: My order never arrived [#{conversation.pk}]"
    assert ingest(raw_mail(subject=tagged), mailbox).conversation == conversation
    stranger = ingest(raw_mail(sender="mallory@evil.example", subject=tagged), mailbox)
    assert stranger.conversation != conversation
    assert stranger.reason == "filed (new)"


def test_a_colleague_on_the_thread_is_recorded_as_the_author(mailbox, conversation):
    to = f"support+hd-{conversation.reply_token}@desk.example"
    inbound = ingest(raw_mail(sender="Bob <bob@example.com>", to=to), mailbox)
    assert inbound.message.customer.primary_address == "bob@example.com"
    assert inbound.conversation.customer.primary_address == "carla@example.com"


def test_reply_reopens_a_resolved_conversation(mailbox, conversation):
    Conversation.objects.filter(pk=conversation.pk).update(status=Conversation.Status.RESOLVED)
    to = f"support+hd-{conversation.reply_token}@desk.example"
    ingest(raw_mail(to=to), mailbox)
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN and conversation.reopen_count == 1


# --- Loops and noise --------------------------------------------------------------------------------


def test_mail_from_our_own_addresses_is_ignored(mailbox):
    for sender in ("support@desk.example", "Support <support+hd-abcdef12@desk.example>", "help@desk.example"):
        inbound = ingest(raw_mail(sender=sender), mailbox)
        assert inbound.state == State.REJECTED and "our own address" in inbound.reason
    assert not Conversation.objects.exists()


def test_our_own_message_coming_back_is_a_loop(mailbox, conversation, agent):
    reply = _reply(conversation, agent)
    inbound = ingest(raw_mail(sender="list@lists.example", message_id=f"<{reply.external_id}>"), mailbox)
    assert inbound.state == State.REJECTED and "loop" in inbound.reason
    looped = ingest(raw_mail(sender="x@example.org", X_Herodesk_Loop="desk.example"), mailbox)
    assert looped.state == State.REJECTED and "loop" in looped.reason


def test_more_than_the_hourly_limit_from_one_sender_is_refused(mailbox, settings):
    settings.EMAIL_SENDER_RATE_LIMIT = 3
    states = [ingest(raw_mail(sender="bot@example.org"), mailbox).state for _ in range(4)]
    assert states == [State.PROCESSED] * 3 + [State.REJECTED]
    refused = InboundMail.objects.get(state=State.REJECTED)
    assert refused.reason == "rate limited: more than 3 mails from bot@example.org in one hour"
    assert ingest(raw_mail(sender="carla@example.com"), mailbox).state == State.PROCESSED


def test_an_old_date_header_does_not_get_around_the_rate_limit(mailbox, settings):
    """Anyone can write an old Date header; only the time the mail arrived counts (issue 14, finding 15)."""
    settings.EMAIL_SENDER_RATE_LIMIT = 1
    old = format_datetime(timezone.now() - timedelta(days=30))
    states = []
    for _ in range(3):
        mail = raw_mail(sender="carla@example.com")
        mail = mail.replace(b"Date: ", f"Date: {old}\nX-Old-Date: ".encode(), 1)
        states.append(ingest(mail, mailbox).state)
    assert states == [State.PROCESSED, State.REJECTED, State.REJECTED]


def test_mail_that_waited_on_the_server_is_a_backlog_not_a_loop(mailbox, settings):
    """Mail the IMAP server received long ago (a newly connected mailbox) is history: not rate limited."""
    from herodesk.channels.email import actions

    settings.EMAIL_SENDER_RATE_LIMIT = 1
    long_ago = timezone.now() - timedelta(days=30)
    mails = [
        actions.RawMail(
            raw=raw_mail(sender="carla@example.com"),
            source=InboundMail.Source.IMAP,
            mailbox=mailbox,
            uidvalidity=1,
            uid=uid,
            arrived_at=long_ago,
        )
        for uid in (1, 2, 3)
    ]
    filed = intake.file_stored(actions.do_store_inbound_many(mails))
    assert [inbound.state for inbound in filed] == [State.PROCESSED] * 3


def test_auto_submitted_mail_is_filed_but_never_acknowledged(
    mailbox, mailoutbox, django_capture_on_commit_callbacks
):
    mailbox.auto_ack = True
    mailbox.save()
    with django_capture_on_commit_callbacks(execute=True):
        inbound = ingest(raw_mail(Auto_Submitted="auto-replied", subject="Out of office"), mailbox)
        ingest(raw_mail(sender="x@example.org", Precedence="bulk"), mailbox)
        ingest(raw_mail(sender="y@example.org", X_Autoreply="yes"), mailbox)
    assert inbound.state == State.PROCESSED and inbound.auto_submitted
    assert mailoutbox == []


def test_new_conversation_gets_the_mailboxs_acknowledgement(
    mailbox, mailoutbox, django_capture_on_commit_callbacks
):
    mailbox.auto_ack = True
    mailbox.auto_ack_text = "Thanks! We will reply within 4 business hours."
    mailbox.save()
    with django_capture_on_commit_callbacks(execute=True):
        inbound = ingest(raw_mail(message_id="<ask@example.com>"), mailbox)
    assert len(mailoutbox) == 1
    ack = mailoutbox[0]
    assert ack.to == ["carla@example.com"] and ack.from_email == "Support <support@desk.example>"
    assert ack.body == "Thanks! We will reply within 4 business hours."
    assert ack.extra_headers["Auto-Submitted"] == "auto-replied"
    assert ack.extra_headers["In-Reply-To"] == "<ask@example.com>"
    conversation = inbound.conversation
    assert ack.extra_headers["Message-ID"].startswith(f"<hd.{conversation.pk}.{conversation.reply_token}.")
    inbound.refresh_from_db()
    assert inbound.acknowledged_at is not None
    # Replies to a conversation are not acknowledged again.
    with django_capture_on_commit_callbacks(execute=True):
        answer = ingest(raw_mail(In_Reply_To=ack.extra_headers["Message-ID"]), mailbox)
    assert answer.conversation == conversation and len(mailoutbox) == 1


# --- Bounces ----------------------------------------------------------------------------------------


def test_bounce_attaches_to_the_original_conversation_and_marks_the_address(mailbox, conversation, agent):
    reply = _reply(conversation, agent)
    inbound = ingest(bounce_for(reply.external_id, "carla@example.com"), mailbox)
    assert inbound.state == State.PROCESSED and inbound.conversation == conversation
    assert inbound.message.kind == Message.Kind.SYSTEM
    assert "carla@example.com failed (status 5.1.1)" in inbound.message.text
    identity = Identity.objects.get(value="carla@example.com")
    assert identity.bouncing and identity.bounced_at is not None
    reply.refresh_from_db()
    assert reply.send_status == Message.SendStatus.FAILED and "5.1.1" in reply.send_error


def test_bounce_for_an_unknown_message_marks_nothing(mailbox, customer):
    inbound = ingest(bounce_for("not-ours@elsewhere.example", "carla@example.com"), mailbox)
    assert inbound.state == State.REJECTED and "did not send" in inbound.reason
    assert not Identity.objects.get(value="carla@example.com").bouncing


def test_writing_again_from_a_bouncing_address_clears_the_mark(mailbox, customer):
    Identity.objects.filter(value="carla@example.com").update(bouncing=True, bounced_at=timezone.now())
    ingest(raw_mail(), mailbox)
    assert not Identity.objects.get(value="carla@example.com").bouncing


# --- Limits and refusals ----------------------------------------------------------------------------


def test_oversized_attachment_is_dropped_with_a_note_and_the_rest_kept(mailbox, settings):
    settings.MAX_ATTACHMENT_BYTES = 1000
    raw = raw_mail(
        attachments=[
            ("small.txt", b"fine", "text/plain"),
            ("huge.bin", b"x" * 5000, "application/octet-stream"),
        ]
    )
    message = ingest(raw, mailbox).message
    assert [item.filename for item in message.attachments.all()] == ["small.txt"]
    assert "[Attachment huge.bin (0.0 MB) was not kept" in message.text


def test_mail_over_the_size_limit_is_refused_and_only_its_headers_kept(mailbox, settings):
    settings.MAX_EMAIL_BYTES = 2000
    raw = raw_mail(body="y" * 5000)
    inbound = ingest(raw, mailbox)
    assert inbound.state == State.REJECTED and inbound.reason.startswith("too large")
    assert inbound.size == len(raw) and len(bytes(inbound.raw)) < 1000


def test_not_an_email_is_refused_with_the_parsers_reason(mailbox):
    inbound = ingest(b"Lorem ipsum dolor sit amet.\n", mailbox)
    assert inbound.state == State.REJECTED
    assert inbound.reason == "not an email: no header block: the first line is not a mail header"
    assert bytes(inbound.raw) == b"Lorem ipsum dolor sit amet.\n"


def test_empty_mail_gets_a_placeholder_text(mailbox):
    message = ingest(b"From: carla@example.com\r\nSubject: (empty)\r\n\r\n", mailbox).message
    assert message.text == "(This mail has no text.)"


def test_very_long_mail_is_cut_to_the_message_limit(mailbox, settings):
    settings.MAX_MESSAGE_CHARS = 500
    message = ingest(raw_mail(body="word " * 1000), mailbox).message
    assert len(message.text) <= 500 and message.text.endswith("the whole original is kept with it.]")
    assert len(message.full_text) > 500


def test_without_a_mailbox_the_conversation_has_no_team():
    inbound = ingest(raw_mail())
    assert inbound.state == State.PROCESSED and inbound.conversation.team is None


# --- Crash safety and reprocessing ------------------------------------------------------------------


def test_failure_while_filing_keeps_the_raw_mail_and_a_retry_files_it_once(mailbox, monkeypatch):

    original = conversation_actions.schedule_index
    monkeypatch.setattr(conversation_actions, "schedule_index", lambda conversation_id: 1 / 0)
    inbound = ingest(raw_mail(message_id="<crash@example.com>"), mailbox)
    assert inbound.state == State.FAILED and "ZeroDivisionError" in inbound.reason
    assert not Conversation.objects.exists() and not Message.objects.exists()

    monkeypatch.setattr(conversation_actions, "schedule_index", original)
    assert intake.process_pending() == 1
    intake.process_pending()
    inbound.refresh_from_db()
    assert inbound.state == State.PROCESSED and Conversation.objects.count() == 1


def test_a_hard_stop_between_storing_and_filing_leaves_a_received_mail_for_the_next_run(mailbox, monkeypatch):
    from herodesk.channels.email import filing

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # like the process being stopped: nothing of intake catches it

    monkeypatch.setattr(filing.routing, "route_for", killed)
    with pytest.raises(KeyboardInterrupt):
        ingest(raw_mail(message_id="<killed@example.com>"), mailbox)
    stored = InboundMail.objects.get()
    assert stored.state == State.RECEIVED and not Conversation.objects.exists()

    monkeypatch.undo()
    intake.process_pending()
    intake.process_pending()
    stored.refresh_from_db()
    assert stored.state == State.PROCESSED and Conversation.objects.count() == 1


def test_a_mail_that_keeps_failing_is_given_up_after_three_attempts(mailbox, monkeypatch):

    monkeypatch.setattr(conversation_actions, "schedule_index", lambda conversation_id: 1 / 0)
    inbound = ingest(raw_mail(), mailbox)
    intake.process_pending()
    intake.process_pending()
    assert intake.process_pending() == 0
    inbound.refresh_from_db()
    assert inbound.state == State.FAILED and inbound.attempts == 3


def test_reprocess_files_a_refused_mail_again(mailbox, settings):
    settings.EMAIL_SENDER_RATE_LIMIT = 0
    inbound = ingest(raw_mail(), mailbox)
    assert inbound.state == State.REJECTED
    settings.EMAIL_SENDER_RATE_LIMIT = 20
    assert intake.reprocess(inbound.pk).state == State.PROCESSED


def test_reprocess_leaves_a_filed_mail_alone(mailbox):
    inbound = ingest(raw_mail(), mailbox)
    again = intake.reprocess(inbound.pk)
    assert again.state == State.PROCESSED and Conversation.objects.count() == 1


def test_customers_are_reused_by_address(mailbox):
    existing = CustomerFactory(name="Carla", email="carla@example.com")
    inbound = ingest(raw_mail(sender="CARLA@example.com"), mailbox)
    assert inbound.conversation.customer == existing


# --- Batches: an IMAP fetch, or the mails a crash left behind, filed in one transaction ---------------


def file_together(mailbox, *raws: bytes) -> list[InboundMail]:
    """Store the mails in one transaction, then file them in one batch (as a poll does)."""
    from herodesk.channels.email import actions

    mails = [actions.RawMail(raw=raw, source=InboundMail.Source.PIPE, mailbox=mailbox) for raw in raws]
    return intake.file_stored(actions.do_store_inbound_many(mails))


def test_a_batch_sees_its_own_earlier_mails(mailbox, settings):
    """Duplicates, threading, senders and the rate limit work within a batch as across batches."""
    settings.EMAIL_SENDER_RATE_LIMIT = 2
    first, again, answer, *bot = file_together(
        mailbox,
        raw_mail(message_id="<a@example.com>", sender="Dave <dave@example.com>"),
        raw_mail(message_id="<a@example.com>", body="other bytes"),
        raw_mail(sender="dave@example.com", In_Reply_To="<a@example.com>", subject="Re: My order"),
        *(raw_mail(sender="bot@example.org") for _ in range(3)),
    )
    assert (first.state, again.state) == (State.PROCESSED, State.DUPLICATE)
    assert f"inbound mail {first.pk}" in again.reason
    assert answer.reason == "filed (in-reply-to)" and answer.conversation_id == first.conversation_id
    assert answer.message.customer == first.conversation.customer
    assert Identity.objects.filter(value="dave@example.com").count() == 1
    assert [mail.state for mail in bot] == [State.PROCESSED, State.PROCESSED, State.REJECTED]
    assert Conversation.objects.count() == 3


def test_a_mail_failing_in_a_batch_rolls_back_only_itself(mailbox, monkeypatch):
    from herodesk.conversations.models import Conversation

    original = conversation_actions.schedule_index

    def fails_for_boom(conversation_id):
        if Conversation.objects.get(pk=conversation_id).subject == "boom":
            raise ValueError("broken index")
        original(conversation_id)

    monkeypatch.setattr(conversation_actions, "schedule_index", fails_for_boom)
    before, broken, after = file_together(
        mailbox,
        raw_mail(),
        raw_mail(sender="bob@example.com", subject="boom"),
        raw_mail(sender="Bob <bob@example.com>", subject="fine"),
    )
    assert (before.state, after.state) == (State.PROCESSED, State.PROCESSED)
    assert broken.state == State.FAILED and broken.attempts == 1 and "broken index" in broken.reason
    assert broken.conversation is None and broken.message is None
    assert after.conversation.customer.name == "Bob"  # created again: the rolled-back one left nothing
    subjects = sorted(Conversation.objects.values_list("subject", flat=True))
    assert subjects == ["My order never arrived", "fine"]

    monkeypatch.undo()
    intake.process_pending()
    broken.refresh_from_db()
    assert broken.state == State.PROCESSED and Conversation.objects.count() == 3


def test_a_stop_in_the_middle_of_a_batch_files_none_of_it(mailbox, monkeypatch):
    from herodesk.channels.email import filing

    calls = []

    def stopped_at_the_second(parsed, lookups):
        calls.append(parsed)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(parsed, lookups)

    original = filing.routing.route_for
    monkeypatch.setattr(filing.routing, "route_for", stopped_at_the_second)
    with pytest.raises(KeyboardInterrupt):
        file_together(mailbox, raw_mail(), raw_mail(sender="bob@example.com"), raw_mail(sender="eve@x.org"))
    assert set(InboundMail.objects.values_list("state", flat=True)) == {State.RECEIVED}
    assert not Conversation.objects.exists() and not Message.objects.exists()

    monkeypatch.undo()
    assert intake.process_pending() == 3
    assert set(InboundMail.objects.values_list("state", flat=True)) == {State.PROCESSED}
    assert Conversation.objects.count() == 3


def test_writing_after_a_bounce_in_the_same_batch_clears_the_mark(mailbox, conversation, agent):
    reply = _reply(conversation, agent)
    bounce, answer = file_together(mailbox, bounce_for(reply.external_id, "carla@example.com"), raw_mail())
    assert bounce.reason == "bounce recorded" and answer.state == State.PROCESSED
    assert not Identity.objects.get(value="carla@example.com").bouncing
