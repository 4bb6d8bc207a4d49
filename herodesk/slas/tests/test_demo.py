"""The demo desk shows SLAs at work: policies, met and breached targets, some near their deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from herodesk.conversations.models import Conversation, Message
from herodesk.demo import seed_demo
from herodesk.notifications.models import Notification
from herodesk.slas.models import SlaPolicy, SlaTarget

pytestmark = pytest.mark.django_db


def test_demo_has_policies_targets_and_warnings():
    seed_demo(conversations=120, customers=60, seed=7)
    now = timezone.now()
    assert set(SlaPolicy.objects.values_list("name", flat=True)) == {"Urgent", "Billing", "Standard"}
    targets = SlaTarget.objects.all()
    assert targets.filter(met_at__isnull=False, breached_at__isnull=True).exists()  # met
    assert targets.filter(breached_at__isnull=False).exists()  # breached
    near = Conversation.objects.filter(sla_due_at__gt=now, sla_due_at__lte=now + timedelta(hours=1))
    assert near.count() >= 2
    assert Conversation.objects.filter(is_open=1, sla_due_at__lt=now).exists()
    assert Notification.objects.filter(kind=Notification.Kind.SLA_WARNING).exists()
    assert Notification.objects.filter(kind=Notification.Kind.SLA_BREACH).exists()
    assert Message.objects.filter(send_status="scheduled", follow_up__isnull=False).exists()
    assert Notification.objects.filter(kind=Notification.Kind.PROMISE_DUE).exists()
