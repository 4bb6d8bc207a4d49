"""Work collected during a transaction runs once after the commit, and never for a rolled-back one."""

from __future__ import annotations

import pytest
from django.db import transaction

from herodesk import after_commit

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_on_commit(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.undo()  # the suite normally runs after-commit work at once; here we want Django's own
    return django_capture_on_commit_callbacks


def test_items_of_one_transaction_are_flushed_once_together(real_on_commit):
    flushed: list[list[int]] = []
    with real_on_commit(execute=True), transaction.atomic():
        for item in (1, 2, 2, 3):
            after_commit.collect("test", item, flushed.append)
    assert flushed == [[1, 2, 2, 3]]


def test_nothing_is_flushed_for_a_rolled_back_transaction(real_on_commit):
    flushed: list[list[int]] = []
    with real_on_commit(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        after_commit.collect("test", 1, flushed.append)
        raise RuntimeError("stop")
    assert flushed == []
    with real_on_commit(execute=True), transaction.atomic():
        after_commit.collect("test", 2, flushed.append)
    assert flushed == [[2]]  # the rolled-back item is not carried into the next transaction
