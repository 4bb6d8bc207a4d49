"""Search indexing and analysis survive a crash right after the commit: the work is recorded with the change
and the periodic sweep finishes what the after-commit step never did."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from herodesk.conversations import actions, queries
from herodesk.conversations.models import Channel, Conversation, Message, PendingWork
from herodesk.conversations.tasks import finish_pending_work
from herodesk.customers.actions import CustomerDetails, do_find_or_create_customer

pytestmark = pytest.mark.django_db


class Crash(BaseException):
    """The process dies between the commit and its after-commit callbacks (like kill -9)."""


@pytest.fixture
def crash_after_commit(monkeypatch):
    """Django's own on_commit, with every callback emptied: the commit lands, nothing after it runs."""
    monkeypatch.undo()  # the suite normally runs after-commit work at once
    on_commit = transaction.on_commit

    def crashed(func, using=None, robust=False):
        on_commit(lambda: None, using=using, robust=robust)

    monkeypatch.setattr(transaction, "on_commit", crashed)


def _new_conversation(subject: str, text: str, team=None) -> Conversation:
    customer = do_find_or_create_customer(CustomerDetails(name="Petra", email="petra@example.com"))
    return actions.do_create_conversation(
        actions.NewConversation(
            subject=subject,
            channel=Channel.API,
            customer=customer,
            team=team,
            first_message=actions.IncomingMessage(text=text, channel=Channel.API),
        )
    )


def test_a_crash_after_the_commit_delays_indexing_and_analysis_until_the_sweep(
    agent, support_team, crash_after_commit
):
    with transaction.atomic():
        conversation = _new_conversation(
            "Charged twice", "This is the third time I am writing, you charged me twice!", support_team
        )
    message = Message.objects.get(conversation=conversation)
    assert message.intensity is None  # never analysed
    assert queries.search_conversations(agent, "charged") == []  # never indexed
    kinds = sorted(PendingWork.objects.values_list("kind", flat=True))
    assert kinds == ["analyse", "index"]

    assert actions.do_finish_stale_pending_work() == 0  # younger than a minute: the writer may still do it
    later = timezone.now() + timedelta(minutes=2)
    assert actions.do_finish_stale_pending_work(now=later) == 2

    message.refresh_from_db()
    assert message.intensity is not None and message.signals
    assert [c.pk for c in queries.search_conversations(agent, "charged")] == [conversation.pk]
    assert not PendingWork.objects.exists()


def test_the_after_commit_step_does_the_work_and_leaves_no_row(agent, support_team):
    conversation = _new_conversation(
        "Lost passport", "My passport is lost and my flight leaves soon", support_team
    )
    assert [c.pk for c in queries.search_conversations(agent, "passport")] == [conversation.pk]
    assert Message.objects.get(conversation=conversation).intensity is not None
    assert not PendingWork.objects.exists()


def test_a_batch_records_one_index_row_per_conversation(crash_after_commit):
    with transaction.atomic():
        conversation = _new_conversation("One", "first")
        for text in ("second", "third"):
            actions.do_add_customer_message(
                conversation, actions.IncomingMessage(text=text, channel=Channel.API)
            )
    assert PendingWork.objects.filter(kind="index").count() == 1
    assert PendingWork.objects.filter(kind="analyse").count() == 3  # one per message


def test_the_sweep_is_a_periodic_job_every_minute():
    sweep = finish_pending_work.task_class()
    minutes = [timezone.now().replace(minute=m, second=0, microsecond=0) for m in range(60)]
    assert all(sweep.validate_datetime(at) for at in minutes)
    assert finish_pending_work.call_local() == 0
