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


def test_an_analysis_job_lost_by_a_killed_worker_is_queued_again_by_the_sweep(support_team, monkeypatch):
    """The queue forgets a job once a worker takes it; the analysis row stays until the message is scored."""
    from huey.contrib.djhuey import HUEY

    monkeypatch.setattr(HUEY, "immediate", False)
    lost: list[object] = []
    monkeypatch.setattr(HUEY, "enqueue", lambda task: lost.append(task))  # taken, then the worker died
    conversation = _new_conversation("Still waiting", "Nobody answered my refund, again!", support_team)
    message = Message.objects.get(conversation=conversation)
    assert lost and message.intensity is None
    row = PendingWork.objects.get()
    assert row.kind == "analyse" and row.message_id == message.pk
    assert actions.do_finish_stale_pending_work(now=timezone.now() + timedelta(minutes=2)) == 0  # not yet

    monkeypatch.undo()
    later = timezone.now() + actions.ANALYSIS_RETRY_AFTER + timedelta(minutes=1)
    assert actions.do_finish_stale_pending_work(now=later) == 1
    message.refresh_from_db()
    assert message.intensity is not None and message.signals
    assert not PendingWork.objects.exists()


def test_the_sweep_only_clears_the_row_of_a_message_scored_meanwhile(support_team, monkeypatch):
    from huey.contrib.djhuey import HUEY

    monkeypatch.setattr(HUEY, "enqueue", lambda task: None)
    conversation = _new_conversation("Slow queue", "Where is my parcel?", support_team)
    monkeypatch.undo()
    from herodesk.insights.actions import analyse_conversation

    analyse_conversation(conversation.pk)  # the queued job ran late, but it ran
    calls: list[object] = []
    monkeypatch.setattr(actions.hooks, "after_change", lambda changes: calls.append(changes))
    later = timezone.now() + actions.ANALYSIS_RETRY_AFTER + timedelta(minutes=1)
    assert actions.do_finish_stale_pending_work(now=later) == 1
    assert calls == [] and not PendingWork.objects.exists()
