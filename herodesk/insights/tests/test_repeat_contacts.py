"""Repeat contacts count only earlier conversations about the same contact reason (issue 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from herodesk.conversations.models import ContactReason
from herodesk.insights import signals_bridge
from herodesk.insights.reasons import CONFIDENT_FIT
from herodesk.tests.factories import ConversationFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reasons():
    return ContactReason.objects.create(name="Refund"), ContactReason.objects.create(name="Password")


def _earlier(customer, days, **fields):
    return ConversationFactory(customer=customer, created_at=timezone.now() - timedelta(days=days), **fields)


def test_only_earlier_conversations_with_the_same_reason_count(reasons):
    refund, password = reasons
    customer = CustomerFactory()
    _earlier(customer, 3, contact_reason=refund)
    _earlier(customer, 2, contact_reason=password)
    _earlier(customer, 1)  # no reason, no suggestion: unknown, not counted
    _earlier(customer, 20, contact_reason=refund)  # outside the 14-day window
    ConversationFactory(contact_reason=refund)  # another customer
    now = ConversationFactory(customer=customer, contact_reason=refund)
    assert signals_bridge.repeat_contacts(now) == 1


def test_an_earlier_conversation_counts_by_its_confident_suggestion(reasons):
    refund, _ = reasons
    customer = CustomerFactory()
    _earlier(customer, 2, suggested_reason=refund, suggested_reason_confidence=CONFIDENT_FIT)
    _earlier(customer, 1, suggested_reason=refund, suggested_reason_confidence=CONFIDENT_FIT - 0.2)
    now = ConversationFactory(customer=customer, contact_reason=refund)
    assert signals_bridge.repeat_contacts(now) == 1


def test_a_conversation_without_a_reason_counts_none_until_one_is_known(reasons):
    refund, _ = reasons
    customer = CustomerFactory()
    _earlier(customer, 2, contact_reason=refund)
    _earlier(customer, 1)
    now = ConversationFactory(customer=customer)
    assert signals_bridge.repeat_contacts(now) == 0
    now.suggested_reason, now.suggested_reason_confidence = refund, CONFIDENT_FIT - 0.1
    assert signals_bridge.repeat_contacts(now) == 0
    now.suggested_reason_confidence = CONFIDENT_FIT
    assert signals_bridge.repeat_contacts(now) == 1
    now.contact_reason = refund  # an agent's reason wins over the suggestion
    assert signals_bridge.repeat_contacts(now) == 1
