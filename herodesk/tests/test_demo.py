"""The demo desk has the variety a real desk has, and its conversations are searchable."""

from __future__ import annotations

import re

import pytest
from django.db.models import Count
from django.utils import timezone

from herodesk.conversations.models import Channel, Conversation, Event, Message
from herodesk.conversations.queries import search_conversations
from herodesk.demo import DEMO_PASSWORD, seed_demo


@pytest.fixture
def demo_desk(db):
    return seed_demo(conversations=80, customers=40, seed=7)


@pytest.mark.django_db
def test_demo_desk_has_transfers_reopens_and_every_status(demo_desk):
    assert demo_desk.conversations == Conversation.objects.count() == 80
    transfers = Event.objects.filter(kind=Event.Kind.TRANSFERRED)
    assert transfers.exists()
    assert all(note.strip() for note in transfers.values_list("note", flat=True))
    assert Conversation.objects.filter(reopen_count__gt=0).exists()
    assert Event.objects.filter(kind=Event.Kind.REOPENED).exists()
    statuses = set(Conversation.objects.values_list("status", flat=True))
    assert {"pending", "snoozed", "resolved", "open"} <= statuses
    assert not Conversation.objects.filter(status="snoozed", snoozed_until__lte=timezone.now()).exists()
    assert not Conversation.objects.filter(status="resolved", resolved_at__isnull=True).exists()


@pytest.mark.django_db
def test_demo_desk_mixes_channels_message_kinds_and_repeat_contacts(demo_desk):
    assert {Channel.EMAIL, Channel.WEBFORM, Channel.PHONE} <= set(
        Conversation.objects.values_list("channel", flat=True)
    )
    assert {"customer", "reply", "note", "phone"} <= set(Message.objects.values_list("kind", flat=True))
    repeated = (
        Conversation.objects.values("customer", "contact_reason").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert repeated.exists()
    assert Conversation.objects.filter(tags__name="repeat-contact").exists()
    # Analysis is not run here, except on Support's last two weeks (the quality demo samples and reviews
    # them) and where the teamwork demo acted.
    analysed = Conversation.objects.filter(intensity__isnull=False).exclude(team__name="Support")
    assert analysed.exclude(pk__in=demo_desk.teamwork.values()).count() == 0


@pytest.mark.django_db
def test_demo_logins_are_returned_and_work(demo_desk, client):
    usernames = {login.username for login in demo_desk.logins}
    assert {"admin", "lead", "agent"} <= usernames
    assert all(login.password == DEMO_PASSWORD for login in demo_desk.logins)
    assert client.login(username="agent", password=DEMO_PASSWORD)


@pytest.mark.django_db
def test_search_finds_a_seeded_subject_word(demo_desk, admin_user):
    conversation = Conversation.objects.order_by("id").first()
    word = max(re.findall(r"[A-Za-z]{4,}", conversation.subject), key=len)
    found = search_conversations(admin_user, word, limit=200)
    assert conversation in found


@pytest.mark.django_db
def test_demo_is_deterministic_for_a_seed(db):
    seed_demo(conversations=20, customers=10, seed=3)
    first = list(Conversation.objects.order_by("id").values_list("subject", "status", "channel"))
    Conversation.objects.all().delete()
    seed_demo(conversations=20, customers=10, seed=3)
    second = list(Conversation.objects.order_by("id").values_list("subject", "status", "channel"))
    assert first == second


@pytest.mark.django_db
def test_demo_desk_shows_teamwork(demo_desk):
    from herodesk.accounts.models import User
    from herodesk.conversations.queries import pending_handoff
    from herodesk.notifications.models import Notification
    from herodesk.presence.queries import viewers

    ada = User.objects.get(username="agent")
    handed = Conversation.objects.get(pk=demo_desk.teamwork["handoff"], owner=ada)
    events = list(handed.events.order_by("created_at", "id"))
    assert pending_handoff(events, list(handed.messages.all())) is not None
    assert Conversation.objects.filter(bounce_back_count__gte=1).exists()
    for user in User.objects.exclude(username="admin"):
        assert Notification.objects.filter(recipient=user).exists(), user.username
    viewed = Conversation.objects.get(tags__name="viewed-by-colleague")
    (ben,) = viewers(viewed.pk, exclude=ada)
    assert ben.live and ben.typing == "reply"
