"""Inbox rows are built in Python: every value a person typed is escaped as a template would escape it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from herodesk.conversations.models import Conversation, Tag
from herodesk.conversations.queries import with_row_extras
from herodesk.conversations.rows import render_rows
from herodesk.customers.models import Customer, Identity
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
    assert f'data-id="{row.pk}"' in html and f'value="{row.pk}"' in html
    assert "⚡ 0.83" in html and "effort 85 · very high" in html and "needs relief" in html
    assert "is typing" in html and "Snooze reminder" in html


def test_a_customer_without_a_name_shows_their_address_and_tags_come_in_two_queries(
    support_team, django_assert_num_queries
):
    nameless = Customer.objects.create(name="")
    Identity.objects.create(customer=nameless, kind=Identity.Kind.EMAIL, value="<x>@example.com")
    named = Customer.objects.create(name="Ada")
    for customer in (nameless, named, named):
        conversation = ConversationFactory(team=support_team, customer=customer)
        tags = [Tag(name=f"t{conversation.pk}-{i}") for i in range(2)]
        conversation.tags.add(*Tag.objects.bulk_create(tags))
    rows = list(Conversation.objects.select_related("customer", "owner").order_by("pk"))
    with django_assert_num_queries(2):  # tag names, then the nameless customer's identities
        html = render_rows(with_row_extras(rows))
    assert escape("<x>@example.com") in html and html.count(">Ada<") == 2
    assert all(f'<span class="chip">t{row.pk}-1</span>' in html for row in rows)
