"""Quality in a real browser: a lead builds a rubric; a reviewer reviews a sampled conversation with an
AutoQA suggestion and pins a comment to a message; the agent disputes a score; calibration shows alpha."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.models import Channel, Conversation
from herodesk.quality import actions
from herodesk.quality.models import Review
from herodesk.tests.browser.conftest import log_in, shot
from herodesk.tests.factories import PASSWORD, AgentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FURIOUS = (
    "This is the THIRD time I'm writing!!! You charged my card twice and my flight leaves today. "
    "If this is not fixed now I will cancel and talk to my lawyer."
)


def talk(team, customer, agent, reply="I am so sorry. I will refund the second charge today."):
    draft = conversation_actions.NewConversation(
        subject="Charged twice",
        channel=Channel.EMAIL,
        customer=customer,
        team=team,
        first_message=conversation_actions.IncomingMessage(text=FURIOUS, channel=Channel.EMAIL),
    )
    conversation = conversation_actions.do_create_conversation(draft)
    conversation_actions.do_add_reply(conversation, agent, reply)
    return conversation


def test_lead_builds_a_rubric(page, lead):
    log_in(page, lead.username, PASSWORD, start="/quality/")
    page.get_by_role("link", name="Rubric and vision").click()
    expect(page.get_by_role("heading", name=re.compile("Rubric"))).to_contain_text("version 1")
    page.get_by_label("Service vision").fill("We fix it the first time, and say when.")
    page.get_by_role("button", name="Save vision").click()
    expect(page.locator(".messages, body")).to_contain_text("Service vision saved")
    page.get_by_label("Behaviour name 1", exact=True).fill("Relief first")
    page.get_by_label("Behaviour name 9", exact=True).fill("Uses the customer's name")
    page.get_by_label("Weight 9", exact=True).fill("2")
    page.get_by_label("Scale 9", exact=True).select_option("five")
    page.get_by_label("Critical 3", exact=True).uncheck()
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator("body")).to_contain_text("Rubric saved as version 2")
    expect(page.get_by_label("Behaviour name 9", exact=True)).to_have_value("Uses the customer's name")
    expect(page.get_by_label("Behaviour name 1", exact=True)).to_have_value("Relief first")
    shot(page, "quality-rubric")


def test_reviewer_reviews_a_sampled_conversation_and_the_agent_disputes(
    browser, live_server, lead, agent, support_team, customer
):
    conversation = talk(support_team, customer, agent)
    Conversation.objects.filter(pk=conversation.pk).update(reopen_count=1)
    actions.do_draw_sample(support_team, lead, timezone.localdate())
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, lead.username, PASSWORD, start="/quality/")
    assignments = page.locator("#assignments")
    expect(assignments).to_contain_text("Reopened")
    assignments.get_by_role("button", name="Review").click()
    expect(page.get_by_role("heading", name=re.compile("Review:"))).to_be_visible()
    relief = page.get_by_test_id("behaviour").filter(has_text="Relief in a high-intensity moment")
    expect(relief.get_by_test_id("autoqa")).to_contain_text("AutoQA suggests Yes")
    expect(relief.get_by_test_id("autoqa")).to_contain_text("sorry")
    reply = page.locator("li.msg.reply")
    reply.locator("summary", has_text="Pin a comment").click()
    reply.get_by_label("Comment on this message").fill("Apologised before explaining: exactly right.")
    reply.get_by_role("button", name="Pin comment").click()
    expect(page.get_by_test_id("pinned-comment")).to_contain_text("exactly right")
    for fieldset in page.get_by_test_id("behaviour").all():
        if not fieldset.locator("input:checked").count():
            fieldset.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Submit review").click()
    expect(page.locator("body")).to_contain_text("Review submitted")
    shot(page, "quality-review")
    context.close()

    review = Review.objects.get(conversation=conversation)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, agent.username, PASSWORD, start=f"/quality/reviews/{review.pk}/")
    expect(page.get_by_test_id("pinned-comment")).to_contain_text("exactly right")
    row = page.get_by_test_id("score-row").filter(has_text="Plain language")
    row.locator("summary", has_text="Dispute this score").click()
    row.get_by_label("Why you disagree with Plain language").fill("Short sentences and no jargon at all.")
    row.get_by_role("button", name="Send dispute").click()
    expect(page.get_by_test_id("dispute")).to_contain_text("Short sentences")
    page.get_by_role("button", name="Acknowledge review").click()
    expect(page.locator("body")).to_contain_text("acknowledged")
    shot(page, "quality-dispute")
    context.close()


def test_calibration_session_shows_alpha(page, lead, agent, support_team, customer):
    rita = AgentFactory(username="rita", first_name="Rita", teams=[support_team])
    conversations = [talk(support_team, customer, agent) for _ in range(3)]
    session = actions.do_start_calibration(
        support_team, lead, "Week 1", [c.pk for c in conversations], [lead.pk, rita.pk]
    )
    for who in (lead, rita):
        for i, c in enumerate(conversations):
            review = actions.do_start_review(c, who, calibration=session)
            scores = review.scores.select_related("behaviour")
            values = {
                s.behaviour_id: ("1" if s.behaviour.scale == "yes_no" else str(2 + i + (who == rita)))
                for s in scores
            }
            actions.do_score_review(review, who, values, submit=True)
    log_in(page, lead.username, PASSWORD, start=f"/quality/calibration/{session.pk}/")
    expect(page.get_by_test_id("overall-alpha")).to_contain_text("α = 0.")
    expect(page.locator("#calibration-table")).to_contain_text("Tone and empathy")
    tone = page.locator("#calibration-table tr", has_text="Tone and empathy").get_by_test_id("alpha")
    expect(tone).to_contain_text("α 0.")
    page.get_by_role("button", name="Reveal the scores to the reviewers").click()
    expect(page.locator("h1")).to_contain_text("revealed")
    shot(page, "quality-calibration")


def test_agent_practises_a_scenario_and_sees_its_score(
    browser, live_server, lead, agent, support_team, customer
):
    conversation = talk(support_team, customer, agent)
    scenario = actions.do_create_scenario(conversation, lead)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, agent.username, PASSWORD, start="/quality/")
    page.get_by_role("link", name="Practice").first.click()
    page.get_by_role("link", name=scenario.title).click()
    expect(page.locator("#scenario-thread")).to_contain_text(scenario.customer_name)
    expect(page.locator("#scenario-thread")).not_to_contain_text("Carla")
    page.get_by_label("Your reply").fill(
        "I am so sorry about the double charge. I will refund it today and email you by 5pm to confirm."
    )
    page.get_by_role("button", name="Send practice reply").click()
    expect(page.get_by_test_id("autoqa-score")).to_have_text(re.compile(r"\d+%"))
    ownership = page.get_by_test_id("practice-row").filter(has_text="Ownership")
    expect(ownership).to_contain_text("Yes")
    shot(page, "quality-practice")
