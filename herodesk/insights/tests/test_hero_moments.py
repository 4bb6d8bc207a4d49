"""Hero moments: recorded with the customer's deadline and their relief, split into needs relief now and
missed, ranked by what the customer needs now, paged and filtered, with time to relief for leads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from herodesk.conversations import actions
from herodesk.conversations.models import Channel
from herodesk.insights import actions as insight_actions
from herodesk.insights import queries
from herodesk.insights.models import HeroMoment
from herodesk.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)  # a Wednesday, inside business hours (UTC team)
ANGRY = "This is UNACCEPTABLE!!! I have written three times and nobody answers. I am furious."


def write(team, text, at, customer=None, subject="Help", owner=None):
    with time_machine.travel(at, tick=False):
        draft = actions.NewConversation(
            subject=subject,
            channel=Channel.EMAIL,
            customer=customer or CustomerFactory(),
            team=team,
            first_message=actions.IncomingMessage(text=text, channel=Channel.EMAIL),
        )
        conversation = actions.do_create_conversation(draft)
        if owner is not None:
            actions.do_assign(conversation, owner, owner)
    conversation.refresh_from_db()
    return conversation


def test_the_deadline_and_the_relief_are_recorded(agent, support_team):
    text = ANGRY + " My flight leaves in 2 hours and I still have no ticket!"
    conversation = write(support_team, text, NOW - timedelta(minutes=30))
    moment = HeroMoment.objects.get(conversation=conversation)
    assert moment.relieved_at is None
    assert moment.deadline_at == NOW + timedelta(minutes=90)
    assert "flight leaves in 2 hours" in moment.deadline_words
    with time_machine.travel(NOW, tick=False):
        actions.do_add_reply(conversation, agent, "I am so sorry, I am issuing your ticket right now.")
    moment.refresh_from_db()
    assert moment.relieved_by == agent and moment.relieved_at == NOW
    assert moment.relief_seconds == 30 * 60 and moment.relief_business_seconds == 30 * 60
    assert moment.team_id == support_team.pk
    insight_actions.analyse_conversation(conversation.pk)  # a retried job changes nothing
    assert HeroMoment.objects.filter(conversation=conversation).count() == 1


def test_stale_deadline_is_missed_and_a_near_one_ranks_first(agent, support_team):
    stale = write(support_team, ANGRY + " The gate closes in 20 minutes!", NOW - timedelta(weeks=3))
    angry = write(support_team, ANGRY, NOW - timedelta(minutes=10))
    flight = write(
        support_team, "Please help, I need the boarding pass, my flight is at 6 tonight!!! " + ANGRY,
        NOW - timedelta(minutes=5),
    )  # fmt: skip
    old = write(support_team, ANGRY, NOW - timedelta(days=2))  # two business days without relief
    ranked = queries.rank_hero_moments(agent, now=NOW)
    assert [r.conversation_id for r in ranked["now"]] == [flight.pk, angry.pk]
    assert {r.conversation_id for r in ranked["missed"]} == {stale.pk, old.pk}
    first = ranked["now"][0].standing
    assert first.why.startswith("Needed by 18:00 today — 4 h left")
    missed = {r.conversation_id: r.standing.why for r in ranked["missed"]}
    assert missed[stale.pk].startswith("Deadline passed 21 days ago (needed by Wed 11 Nov 14:20)")
    assert "gate closes in 20 minutes" in missed[stale.pk]
    assert "no relief after 16 h in business hours" in missed[old.pk]


def test_the_page_shows_both_sections_with_filters(client, agent, other_agent, support_team, billing_team):
    mine = write(support_team, ANGRY + " I need it today.", NOW - timedelta(minutes=20), owner=agent)
    theirs = write(support_team, ANGRY, NOW - timedelta(minutes=40))
    missed = write(support_team, ANGRY, NOW - timedelta(days=3), subject="Old one")
    elsewhere = write(billing_team, ANGRY, NOW - timedelta(minutes=5))
    client.force_login(agent)
    with time_machine.travel(NOW, tick=False):
        body = client.get(reverse("insights:hero_moments")).content.decode()
        assert "Needs relief now" in body and "Missed" in body
        assert body.index(f"/c/{mine.pk}/") < body.index("id=\"missed\"") < body.index(f"/c/{missed.pk}/")
        assert f"/c/{theirs.pk}/" in body and f"/c/{elsewhere.pk}/" not in body  # not my team
        assert "Needed by 17:00 today" in body
        only_mine = client.get(reverse("insights:hero_moments") + "?mine=1").content.decode()
        assert f"/c/{mine.pk}/" in only_mine and f"/c/{theirs.pk}/" not in only_mine
        by_team = client.get(reverse("insights:hero_moments") + f"?team={billing_team.pk}").content.decode()
        assert f"/c/{mine.pk}/" not in by_team
        assert "Time to relief" not in body  # leads only
        assert client.get(reverse("insights:hero_moments") + "?page=abc").status_code == 400


def test_paging_keeps_a_constant_number_of_queries(
    client, agent, support_team, django_assert_max_num_queries
):
    for i in range(queries.HERO_PAGE_SIZE + 5):
        write(support_team, ANGRY, NOW - timedelta(minutes=10 + i), subject=f"Now {i}")
    for i in range(3):
        write(support_team, ANGRY, NOW - timedelta(days=5 + i), subject=f"Missed {i}")
    client.force_login(agent)
    url = reverse("insights:hero_moments")
    with time_machine.travel(NOW, tick=False):
        client.get(url)  # warm the session and caches
        with django_assert_max_num_queries(12) as counted:
            first = client.get(url).content.decode()
        few = len(counted.captured_queries)
        for i in range(30):
            write(support_team, ANGRY, NOW - timedelta(minutes=2 + i % 5), subject=f"More {i}")
        client.get(url)  # the menu's counts are cached again
        with django_assert_max_num_queries(few):
            client.get(url)
        second = client.get(url + "?page=2").content.decode()
    assert "Page 1 of 2" in first and 'data-testid="hero-now-next"' in first
    assert "Page 2 of" in second and "← Previous" in second


def test_time_to_relief_per_agent_and_team_for_leads(client, agent, lead, support_team):
    for minutes in (10, 30, 50):
        conversation = write(support_team, ANGRY, NOW - timedelta(hours=2))
        with time_machine.travel(NOW - timedelta(hours=2) + timedelta(minutes=minutes), tick=False):
            actions.do_add_reply(conversation, agent, "I am sorry, this is fixed now.")
    relief = queries.time_to_relief(lead, NOW)
    assert [(r.name, r.count, r.median_business) for r in relief["agents"]] == [("Ada", 3, "30 min")]
    assert [(r.name, r.count) for r in relief["teams"]] == [("Support", 3)]
    client.force_login(lead)
    with time_machine.travel(NOW, tick=False):
        body = client.get(reverse("insights:hero_moments")).content.decode()
    assert "Time to relief, last 30 days" in body and "30 min" in body


def test_api_lists_each_section_with_filters(client, agent, support_team):
    from herodesk.accounts.actions import do_create_token
    from herodesk.tests.openapi import assert_matches_schema

    _, raw = do_create_token(agent, "t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    near = write(support_team, ANGRY + " I need it in 2 hours!", NOW - timedelta(minutes=10), owner=agent)
    old = write(support_team, ANGRY, NOW - timedelta(days=4))
    with time_machine.travel(NOW, tick=False):
        now_page = client.get("/api/v1/signals/hero-moments", **auth)
        missed_page = client.get("/api/v1/signals/hero-moments?section=missed", **auth)
        mine = client.get("/api/v1/signals/hero-moments?mine=true&section=missed", **auth)
        bad = client.get("/api/v1/signals/hero-moments?section=later", **auth)
    assert_matches_schema("GET", "/api/v1/signals/hero-moments", now_page)
    assert_matches_schema("GET", "/api/v1/signals/hero-moments", missed_page)
    body = now_page.json()
    assert now_page["X-Total-Count"] == "1" and body[0]["id"] == near.pk
    assert body[0]["deadline_words"] and body[0]["standing"].startswith("Needed by")
    assert [m["id"] for m in missed_page.json()] == [old.pk]
    assert missed_page.json()[0]["missed"] is True
    assert mine.json() == []
    assert bad.status_code in (400, 422)
