"""Practice: a real conversation made anonymous, an agent's written reply scored with the team's rubric."""

from __future__ import annotations

import pytest
from django.urls import reverse

from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.models import Channel
from herodesk.errors import ActionError
from herodesk.notifications.models import Notification
from herodesk.quality import actions
from herodesk.quality.models import PracticeAttempt, PracticeScenario
from herodesk.quality.practice import Anonymiser

pytestmark = pytest.mark.django_db

FIRST = (
    "Hi, this is Carla Customer (carla@example.com, +44 7700 900123). My order 48213377 was charged "
    "twice!!! Carla is furious. Call me on 07700900123 or write to carla.customer@mail.org."
)
GOOD = "I am so sorry about the double charge. I will refund it today and email you by 5pm to confirm."
BAD = "You need to contact your bank about this, it is not our problem."


@pytest.fixture
def real(support_team, customer, agent):
    draft = conversation_actions.NewConversation(
        subject="Order 48213377 charged twice, Carla",
        channel=Channel.EMAIL,
        customer=customer,
        team=support_team,
        first_message=conversation_actions.IncomingMessage(text=FIRST, channel=Channel.EMAIL),
    )
    conversation = conversation_actions.do_create_conversation(draft)
    conversation_actions.do_add_reply(conversation, agent, "Sorry Carla, refunding order 48213377 now.")
    conversation_actions.do_add_customer_message(
        conversation,
        conversation_actions.IncomingMessage(text="Thanks, 3 days is fine.", channel=Channel.EMAIL),
    )
    conversation.refresh_from_db()
    return conversation


def test_anonymiser_replaces_name_identities_and_long_digit_runs_deterministically():
    hide = Anonymiser("k", "Carla Customer", ["carla@example.com", "447700900123"])
    out = hide(FIRST)
    for real in ("Carla", "Customer", "carla@", "48213377", "900123", "07700900123", "mail.org"):
        assert real.lower() not in out.lower()
    assert hide.fake.split()[0] in out and "@example.com" in out
    assert out == Anonymiser("k", "Carla Customer", ["carla@example.com"])(FIRST)
    assert hide("3 days, 24 hours, 2026") != "3 days, 24 hours, 2026"  # 4+ digits go, short numbers stay
    assert hide("3 days, 24 hours").startswith("3 days, 24 hours")


def test_anonymiser_hides_the_name_an_address_is_made_of_when_the_record_has_none():
    hide = Anonymiser("k", "", ["zeb.quixmarker@example.com"])
    out = hide("Zeb here. My passport for Quixmarker was lost; write to zeb.quixmarker@example.com.")
    assert "quixmarker" not in out.lower() and "zeb" not in out.lower()


def test_lead_turns_a_conversation_into_a_scenario_without_agent_replies(lead, agent, real):
    with pytest.raises(ActionError):
        actions.do_create_scenario(real, agent)
    scenario = actions.do_create_scenario(real, lead)
    texts = [m["text"] for m in scenario.thread]
    assert len(texts) == 2 and texts[1] == "Thanks, 3 days is fine."
    joined = " ".join(texts) + scenario.title
    assert "Carla" not in joined and "48213377" not in joined and "refunding" not in joined
    assert scenario.customer_name in texts[0]
    assert scenario.thread[0]["intensity"] is not None  # kept for AutoQA's relief judge


def test_agent_practises_autoqa_scores_then_lead_scores_with_the_rubric(lead, agent, real):
    scenario = actions.do_create_scenario(real, lead)
    good = actions.do_practise(scenario, agent, GOOD)
    bad = actions.do_practise(scenario, agent, BAD)
    assert good.autoqa_score is not None and bad.autoqa_score is not None
    assert good.autoqa_score > bad.autoqa_score
    names = {b.pk: b.name for b in good.rubric.behaviours.all()}
    judged = {names[int(k)]: v["value"] for k, v in good.autoqa.items()}
    assert judged["Ownership"] == 1 and judged["Clear next step"] == 1
    assert {names[int(k)]: v["value"] for k, v in bad.autoqa.items()}["Ownership"] == 0
    with pytest.raises(ActionError):
        actions.do_practise(scenario, agent, "ok")
    behaviours = list(good.rubric.behaviours.all())
    with pytest.raises(ActionError) as error:
        actions.do_score_practice(good, lead, {behaviours[0].pk: "1"})
    assert f"b{behaviours[1].pk}" in error.value.fields
    values = {b.pk: ("1" if b.scale == "yes_no" else "5") for b in behaviours}
    values[behaviours[2].pk] = "na"
    with pytest.raises(ActionError):
        actions.do_score_practice(good, agent, values)
    actions.do_score_practice(good, lead, values, note="Lovely.")
    good.refresh_from_db()
    assert good.score == 100.0 and good.scores[str(behaviours[2].pk)] == "na"
    assert Notification.objects.filter(
        recipient=agent, url__contains=f"/practice/attempts/{good.pk}/"
    ).exists()


def test_practice_pages_and_access(lead, agent, other_agent, real, client):
    client.force_login(lead)
    response = client.post(reverse("quality:create_scenario", args=[real.pk]))
    scenario = PracticeScenario.objects.get()
    assert response.url == reverse("quality:scenario", args=[scenario.pk])
    client.force_login(agent)
    page = client.get(reverse("quality:scenario", args=[scenario.pk]))
    assert page.status_code == 200 and scenario.customer_name in page.content.decode()
    assert "Carla" not in page.content.decode()
    response = client.post(reverse("quality:scenario", args=[scenario.pk]), {"reply": GOOD})
    attempt = PracticeAttempt.objects.get()
    assert response.url == reverse("quality:practice_attempt", args=[attempt.pk])
    page = client.get(response.url)
    assert page.status_code == 200 and f"{attempt.autoqa_score:.0f}%" in page.content.decode()
    assert client.post(response.url, {}).status_code == 403  # agents do not score
    assert client.post(reverse("quality:create_scenario", args=[real.pk])).status_code == 302
    assert PracticeScenario.objects.count() == 1  # refused for the agent
    client.force_login(lead)
    listing = client.get(reverse("quality:practice", args=[real.team_id])).content.decode()
    assert "Practice attempts per agent" in listing and agent.display_name in listing
    client.force_login(other_agent)
    assert client.get(reverse("quality:scenario", args=[scenario.pk])).status_code == 404
    assert client.get(reverse("quality:practice_attempt", args=[attempt.pk])).status_code == 404
    assert client.get(reverse("quality:practice", args=[real.team_id])).status_code == 404
    assert client.post(reverse("quality:scenario", args=[scenario.pk]), {"reply": GOOD}).status_code == 404


def test_practice_api(client, lead, agent, other_agent, real):
    from herodesk.accounts.actions import do_create_token
    from herodesk.tests.openapi import assert_matches_schema

    scenario = actions.do_create_scenario(real, lead)
    _, agent_token = do_create_token(agent, "t")
    _, other_token = do_create_token(other_agent, "t")
    as_agent = {"HTTP_AUTHORIZATION": f"Bearer {agent_token}"}
    listing = client.get(f"/api/v1/quality/teams/{real.team_id}/practice", **as_agent)
    assert_matches_schema("GET", f"/api/v1/quality/teams/{real.team_id}/practice", listing)
    (item,) = listing.json()
    assert item["id"] == scenario.pk and "Carla" not in str(item)
    path = f"/api/v1/quality/practice/{scenario.pk}/attempts"
    made = client.post(path, {"reply": GOOD}, content_type="application/json", **as_agent)
    assert_matches_schema("POST", path, made)
    body = made.json()
    assert body["autoqa_score"] is not None and body["score"] is None
    assert any(s["autoqa_value"] == 1 and s["behaviour"] == "Ownership" for s in body["scores"])
    short = client.post(path, {"reply": "ok"}, content_type="application/json", **as_agent)
    assert short.status_code in (400, 422)
    one = f"/api/v1/quality/practice/attempts/{body['id']}"
    assert client.get(one, **as_agent).json()["reply"] == GOOD
    as_other = {"HTTP_AUTHORIZATION": f"Bearer {other_token}"}
    assert client.get(one, **as_other).status_code == 404
    assert client.post(path, {"reply": GOOD}, content_type="application/json", **as_other).status_code == 404
