"""Inbox rows are built in Python: every value a person typed is escaped as a template would escape it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from herodesk.conversations.models import Conversation, Tag
from herodesk.conversations.rows import render_rows
from herodesk.customers.models import Customer
from herodesk.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db

NASTY = """<script>alert('x')</script> & "quoted" """


@dataclass(frozen=True)
class Person:
    name: str
    initials: str
    typing: str = ""


def test_every_typed_value_is_escaped_exactly_like_a_template(support_team, agent):
    customer = Customer.objects.create(name=NASTY)
    agent.first_name = NASTY
    agent.save()
    conversation = ConversationFactory(team=support_team, customer=customer, subject=NASTY, owner=agent)
    conversation.tags.add(Tag.objects.create(name="<b>vip</b>"))
    Conversation.objects.filter(pk=conversation.pk).update(
        intensity=0.83, effort=85, awaiting_relief=True, snoozed_until=timezone.now() + timedelta(days=1)
    )
    row = Conversation.objects.select_related("customer", "owner").get(pk=conversation.pk)
    viewer = Person(name=NASTY, initials="<i>", typing="yes")
    html = render_rows([row], {row.pk: [viewer]}, selectable=True)
    assert "<script>" not in html and "<b>vip" not in html and "<i>" not in html
    assert html.count(escape(NASTY)) >= 4  # subject, customer, owner, viewer's name
    assert escape("<b>vip</b>") in html and escape("<i>") in html
    assert f'data-id="{row.pk}"' in html and 'value="%d"' % row.pk in html
    assert "⚡ 0.83" in html and "effort 85 · very high" in html and "needs relief" in html
    assert "is typing" in html and "Snooze reminder" in html
