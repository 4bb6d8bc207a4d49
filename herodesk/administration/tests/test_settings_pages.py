"""Settings pages: who may change what, every change audited in words, bad input a clear 4xx."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from herodesk.accounts import actions as accounts
from herodesk.accounts.models import ApiToken, Holiday, Team, User
from herodesk.conversations import actions
from herodesk.conversations.models import ContactReason, Event, Tag
from herodesk.tests.factories import PASSWORD, ConversationFactory

pytestmark = pytest.mark.django_db


def audit() -> list[str]:
    rows = Event.objects.filter(kind=Event.Kind.ADMIN_CHANGE, conversation__isnull=True).order_by("id")
    return [event.data["summary"] for event in rows]


def test_agents_cannot_open_settings(agent_client):
    assert agent_client.get(reverse("administration:overview")).status_code == 403
    assert agent_client.post(reverse("administration:tags")).status_code in (403, 405)


def test_sidebar_shows_settings_to_leads_only(client, agent, lead):
    client.force_login(lead)
    assert 'href="/settings/"' in client.get("/inbox/mine/").content.decode()
    client.force_login(agent)
    assert 'href="/settings/"' not in client.get("/inbox/mine/").content.decode()


def test_lead_invites_an_agent_who_logs_in_with_the_password_shown_once(client, lead, support_team):
    client.force_login(lead)
    form = {
        "first_name": "Nia",
        "last_name": "New",
        "username": "nia",
        "role": "agent",
        "teams": [support_team.pk],
    }
    page = client.post(reverse("administration:invite"), form)
    assert page.status_code == 200
    password = page.context["password"]
    assert password in page.content.decode()
    nia = User.objects.get(username="nia")
    assert list(nia.teams.all()) == [support_team] and nia.role == "agent"
    assert audit() == ["Nia New added as Agent"]
    client.logout()
    assert client.login(username="nia", password=password)


def test_a_lead_cannot_invite_an_admin_or_change_roles(client, lead, agent):
    client.force_login(lead)
    form = {"first_name": "Eve", "username": "eve", "role": "admin"}
    response = client.post(reverse("administration:invite"), form, follow=True)
    assert "Only admins" in response.content.decode()
    assert not User.objects.filter(username="eve").exists()
    client.post(reverse("administration:agent_role", args=[agent.pk]), {"role": "admin"})
    agent.refresh_from_db()
    assert agent.role == "agent" and audit() == []


def test_admin_deactivates_an_agent_whose_login_and_tokens_stop_working(client, admin_user, agent):
    _, raw = accounts.do_create_token(agent, "script")
    assert (
        client.__class__().get("/api/v1/notifications", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    )
    other = client.__class__()
    other.force_login(agent)
    client.force_login(admin_user)
    client.post(reverse("administration:agent_active", args=[agent.pk]), {"active": "0"})
    agent.refresh_from_db()
    assert not agent.is_active
    assert audit() == ["Ada deactivated"]
    anonymous = client.__class__()
    assert anonymous.get("/api/v1/notifications", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert other.get("/inbox/mine/").status_code == 302  # the open session ends too
    assert not other.login(username=agent.username, password=PASSWORD)
    assert ApiToken.objects.filter(user=agent).exists()  # kept for the record, refused at use


def test_admin_changes_a_role_and_teams(client, admin_user, agent, billing_team):
    client.force_login(admin_user)
    client.post(reverse("administration:agent_role", args=[agent.pk]), {"role": "lead"})
    client.post(reverse("administration:agent_teams", args=[agent.pk]), {"teams": [billing_team.pk]})
    agent.refresh_from_db()
    assert agent.role == "lead" and [t.name for t in agent.teams.all()] == ["Billing"]
    assert audit() == ["Role of Ada changed from Agent to Team lead", "Teams of Ada set to Billing"]


def test_team_settings_validate_the_time_zone_and_hours(client, lead, support_team):
    client.force_login(lead)
    url = reverse("administration:team", args=[support_team.pk])
    base = {"name": "Support", "opens_at": "08:00", "closes_at": "18:00", "assignment": "balanced"}
    bad = client.post(url, base | {"time_zone": "Mars/Olympus"})
    assert bad.status_code == 200 and "Unknown time zone" in bad.content.decode()
    backwards = client.post(url, base | {"time_zone": "Europe/Berlin", "closes_at": "07:00"})
    assert "close after it opens" in backwards.content.decode()
    assert client.post(url, base | {"time_zone": "Europe/Berlin"}).status_code == 302
    support_team.refresh_from_db()
    assert support_team.time_zone == "Europe/Berlin" and support_team.assignment == "balanced"
    assert (
        audit()[0].startswith("Team changed from Support: UTC, 09:00–17:00") and "Europe/Berlin" in audit()[0]
    )


def test_a_lead_changes_only_their_own_teams(client, lead, billing_team):
    client.force_login(lead)
    url = reverse("administration:team", args=[billing_team.pk])
    form = {
        "name": "Billing",
        "time_zone": "UTC",
        "opens_at": "09:00",
        "closes_at": "17:00",
        "assignment": "manual",
    }
    response = client.post(url, form)
    assert "only their own teams" in response.content.decode()


def test_holidays_are_added_and_removed_with_an_audit(client, lead, support_team):
    client.force_login(lead)
    client.post(
        reverse("administration:add_holiday", args=[support_team.pk]),
        {"date": "2026-12-25", "name": "Christmas"},
    )
    again = client.post(
        reverse("administration:add_holiday", args=[support_team.pk]), {"date": "2026-12-25"}, follow=True
    )
    assert "already off" in again.content.decode()
    holiday = Holiday.objects.get(team=support_team)
    assert holiday.date == date(2026, 12, 25)
    client.post(reverse("administration:remove_holiday", args=[support_team.pk, holiday.pk]))
    assert not Holiday.objects.exists()
    assert audit() == [
        "Holiday Christmas on Friday 25 December 2026 for Support",
        "Holiday Christmas on Friday 25 December 2026 removed for Support",
    ]


def test_reasons_rename_retire_and_merge(client, lead, agent, customer, support_team):
    late = ContactReason.objects.create(name="delivery: late")
    slow = ContactReason.objects.create(name="delivery: slow")
    conversation = ConversationFactory(customer=customer, team=support_team)
    actions.do_set_contact_reason(conversation, agent, slow)
    client.force_login(lead)
    client.post(reverse("administration:reason_rename", args=[late.pk]), {"name": "delivery: late parcel"})
    client.post(reverse("administration:reason_active", args=[late.pk]), {"active": "0"})
    client.post(reverse("administration:reason_merge", args=[slow.pk]), {"target": late.pk})
    conversation.refresh_from_db()
    assert conversation.contact_reason_id == late.pk
    assert not ContactReason.objects.filter(pk=slow.pk).exists()
    late.refresh_from_db()
    assert late.name == "delivery: late parcel" and not late.active
    assert audit() == [
        "Contact reason “delivery: late” renamed to “delivery: late parcel”",
        "Contact reason “delivery: late parcel” retired",
        "Contact reason “delivery: slow” merged into “delivery: late parcel” (1 conversations)",
    ]


def test_tags_rename_merge_and_delete(client, lead, agent, customer, support_team):
    first = ConversationFactory(customer=customer, team=support_team)
    second = ConversationFactory(customer=customer, team=support_team)
    actions.do_set_tags(first, agent, ["refunds", "refund"])
    actions.do_set_tags(second, agent, ["refunds", "vip"])
    refunds, refund, vip = (Tag.objects.get(name=n) for n in ("refunds", "refund", "vip"))
    client.force_login(lead)
    taken = client.post(
        reverse("administration:tag_rename", args=[refunds.pk]), {"name": "refund"}, follow=True
    )
    assert "merge into it" in taken.content.decode()
    client.post(reverse("administration:tag_merge", args=[refunds.pk]), {"target": refund.pk})
    assert sorted(first.tag_names) == ["refund"] and sorted(second.tag_names) == ["refund", "vip"]
    client.post(reverse("administration:tag_delete", args=[vip.pk]))
    assert second.tag_names == ["refund"]
    assert audit() == [
        "Tag “refunds” merged into “refund” (2 conversations)",
        "Tag “vip” deleted (removed from 1 conversations)",
    ]


def test_huge_numbers_and_unknown_ids_are_client_errors(client, lead):
    client.force_login(lead)
    assert client.get("/settings/?page=99999999999999999999999").status_code == 400
    assert client.get("/settings/agents/99999999999999999999999/").status_code == 404
    assert client.get("/settings/teams/99999999999999999999999/").status_code == 404
    assert client.post("/settings/tags/99999999999999999999999/delete/").status_code == 404
    bad_merge = client.post("/settings/reasons/1/merge/", {"target": "99999999999999999999999"})
    assert bad_merge.status_code == 404


def test_settings_pages_render_for_a_lead(client, lead, support_team, django_assert_max_num_queries):
    for n in range(5):
        accounts.do_save_team(lead, None, accounts.TeamSettings(name=f"Team {n}"))
    client.force_login(lead)
    for name in ("overview", "agents", "teams", "reasons", "tags"):
        with django_assert_max_num_queries(20):
            assert client.get(reverse(f"administration:{name}")).status_code == 200
    assert client.get(reverse("administration:team", args=[support_team.pk])).status_code == 200
    assert Team.objects.count() == 6


def test_a_lead_changes_only_their_own_teams_holidays(client, lead, admin_user, billing_team):
    accounts.do_add_holiday(admin_user, billing_team, date(2026, 12, 24), "Christmas Eve")
    holiday = Holiday.objects.get(team=billing_team)
    client.force_login(lead)
    client.post(reverse("administration:add_holiday", args=[billing_team.pk]), {"date": "2026-12-25"})
    client.post(reverse("administration:remove_holiday", args=[billing_team.pk, holiday.pk]))
    assert list(Holiday.objects.filter(team=billing_team)) == [holiday]
