"""Rubric versions, reviews with AutoQA, pinned comments, disputes, the weekly sample, calibration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.models import Channel, Conversation, Event, Message
from herodesk.errors import ActionError
from herodesk.insights.models import Promise
from herodesk.notifications.models import Notification
from herodesk.quality import actions, queries, stats
from herodesk.quality.models import Behaviour, Dispute, Review, SampleItem, ScoreChange
from herodesk.quality.rubric import BehaviourDraft
from herodesk.tests.factories import AgentFactory, CustomerFactory

pytestmark = pytest.mark.django_db
FURIOUS = (
    "This is the THIRD time I'm writing!!! You charged my card twice and my flight leaves today. "
    "If this is not fixed now I will cancel and talk to my lawyer."
)
GOOD_REPLY = "Happy to help! We are open 9 to 5. I will email you the holiday hours by Friday."


def talk(team, customer, agent, first=FURIOUS, reply="I am so sorry. I will refund the second charge today."):
    draft = conversation_actions.NewConversation(
        subject="Charged twice",
        channel=Channel.EMAIL,
        customer=customer,
        team=team,
        first_message=conversation_actions.IncomingMessage(text=first, channel=Channel.EMAIL),
    )
    conversation = conversation_actions.do_create_conversation(draft)
    conversation_actions.do_add_reply(conversation, agent, reply)
    conversation.refresh_from_db()
    return conversation


def by_name(review):
    return {s.behaviour.name: s for s in review.scores.select_related("behaviour")}


def test_default_rubric_has_eight_behaviours_and_editing_makes_a_new_version(lead, support_team):
    rubric = actions.do_ensure_rubric(support_team, lead)
    assert rubric.version == 1 and rubric.behaviours.count() == 8
    assert actions.do_ensure_rubric(support_team, lead) == rubric
    drafts = [
        BehaviourDraft("Greets by name", weight=1),
        BehaviourDraft("Correct answer", scale="five", critical=True),
    ]
    new = actions.do_save_rubric(support_team, lead, drafts)
    assert new.version == 2 and [b.name for b in new.behaviours.all()] == ["Greets by name", "Correct answer"]
    assert rubric.behaviours.count() == 8  # the old version is untouched
    assert queries.current_rubric(support_team) == new


def test_rubric_refuses_bad_input_and_non_leads(lead, agent, support_team):
    with pytest.raises(ActionError) as error:
        actions.do_save_rubric(support_team, lead, [BehaviourDraft("", weight=0)])
    assert "name_0" in error.value.fields
    with pytest.raises(ActionError):
        actions.do_save_rubric(support_team, agent, [BehaviourDraft("Fine")])


def test_review_prefills_autoqa_scores_totals_and_keeps_its_rubric_version(
    lead, agent, support_team, customer
):
    conversation = talk(support_team, customer, agent)
    review = actions.do_start_review(conversation, lead)
    scores = by_name(review)
    relief = scores["Relief in a high-intensity moment"]
    assert relief.autoqa_value == 1 and relief.value == 1
    assert relief.autoqa_evidence and "sorry" in relief.autoqa_evidence[0]["text"]
    assert scores["Ownership"].autoqa_value == 1
    assert scores["Correct resolution"].autoqa_value is None  # AutoQA cannot judge it
    values = {s.behaviour_id: "5" for s in scores.values() if s.behaviour.scale == Behaviour.Scale.FIVE}
    values[scores["No repeated questions"].behaviour_id] = "1"
    values[scores["A specific promise, kept"].behaviour_id] = "na"
    values[scores["Clear next step"].behaviour_id] = "0"  # changed from the suggestion
    actions.do_score_review(review, lead, values, note="Good save.", submit=True)
    review.refresh_from_db()
    # Weights: relief 3, ownership 2, repeat 1, next step 2 (0), tone 2, resolution 3, plain 1 -> 12/14.
    assert review.score == pytest.approx(round(100 * 12 / 14, 1))
    assert ScoreChange.objects.filter(score__review=review, why="Reviewer").exists()
    assert Event.objects.filter(conversation=conversation, kind=Event.Kind.REVIEW_SUBMITTED).exists()
    assert Notification.objects.filter(recipient=agent, kind=Notification.Kind.REVIEW).exists()
    actions.do_save_rubric(support_team, lead, [BehaviourDraft("Only one")])
    review.refresh_from_db()
    assert review.rubric.version == 1 and review.scores.count() == 8


def test_submit_needs_every_behaviour_and_a_failed_critical_fails_the_review(
    lead, agent, support_team, customer
):
    conversation = talk(support_team, customer, agent)
    review = actions.do_start_review(conversation, lead)
    with pytest.raises(ActionError):
        actions.do_score_review(review, lead, {}, submit=True)
    scores = by_name(review)
    values = {s.behaviour_id: ("1" if s.behaviour.scale == "yes_no" else "5") for s in scores.values()}
    values[scores["A specific promise, kept"].behaviour_id] = "0"
    actions.do_score_review(review, lead, values, submit=True)
    review.refresh_from_db()
    assert review.failed_critical and review.score == 0


def test_broken_promise_is_autoqa_evidence(lead, agent, support_team, customer):
    conversation = talk(support_team, customer, agent, reply="I will call you back within 2 hours.")
    Promise.objects.filter(conversation=conversation).update(state=Promise.State.BROKEN)
    review = actions.do_start_review(conversation, lead)
    promise = by_name(review)["A specific promise, kept"]
    assert promise.autoqa_value == 0 and "Broken" in promise.autoqa_evidence[0]["text"]


def test_comment_pinned_to_a_message_and_agent_disputes_then_lead_resolves(
    lead, agent, support_team, customer
):
    conversation = talk(support_team, customer, agent)
    review = actions.do_start_review(conversation, lead)
    reply = conversation.messages.filter(kind="reply").get()
    comment = actions.do_pin_comment(review, lead, reply.pk, "Lovely apology before the fix.")
    assert comment.message == reply
    with pytest.raises(ActionError):
        actions.do_pin_comment(review, lead, reply.pk, "  ")
    scores = by_name(review)
    values = {s.behaviour_id: ("1" if s.behaviour.scale == "yes_no" else "3") for s in scores.values()}
    actions.do_score_review(review, lead, values, submit=True)
    actions.do_acknowledge(review, agent)
    tone = by_name(review)["Tone and empathy"]
    with pytest.raises(ActionError):
        actions.do_dispute(tone, agent, "no")
    dispute = actions.do_dispute(tone, agent, "I apologised twice and the customer thanked me.")
    assert Notification.objects.filter(recipient=lead, kind=Notification.Kind.REVIEW).exists()
    actions.do_resolve_dispute(dispute, lead, "5", "Fair: the apology was warm and specific.")
    dispute.refresh_from_db()
    tone.refresh_from_db()
    review.refresh_from_db()
    assert dispute.state == Dispute.State.CHANGED and tone.value == 5
    kinds = set(Event.objects.filter(conversation=conversation).values_list("kind", flat=True))
    assert {"review_acknowledged", "review_disputed", "dispute_resolved"} <= kinds


def test_agent_cannot_review_nor_see_others_reviews(lead, agent, other_agent, support_team, customer, client):
    conversation = talk(support_team, customer, agent)
    with pytest.raises(ActionError):
        actions.do_start_review(conversation, agent)
    review = actions.do_start_review(conversation, lead)
    client.force_login(other_agent)
    assert client.get(reverse("quality:review", args=[review.pk])).status_code == 404


def test_a_review_is_hidden_once_its_conversation_is_transferred_away(
    lead, agent, support_team, billing_team, customer, client
):
    """A review shows the whole thread: who may no longer open the conversation no longer opens it."""
    conversation = talk(support_team, customer, agent)
    review = actions.do_start_review(conversation, lead)
    values = {
        s.behaviour_id: "1" if s.behaviour.scale == Behaviour.Scale.YES_NO else "4"
        for s in review.scores.select_related("behaviour")
    }
    actions.do_score_review(review, lead, values, submit=True)
    assert queries.reviews_of_agent(agent).get() == review
    conversation_actions.do_transfer(
        conversation, lead, conversation_actions.Transfer(note="Billing question", to_team=billing_team)
    )
    conversation.refresh_from_db()
    assert conversation.team_id == billing_team.pk and conversation.owner_id is None
    for user in (lead, agent):
        client.force_login(user)
        assert client.get(reverse("quality:review", args=[review.pk])).status_code == 404
        assert client.get(f"/api/v1/quality/reviews/{review.pk}").status_code == 404
    assert not queries.reviews_of_agent(agent).exists()


def test_weekly_sample_mixes_risk_and_random_and_says_why(lead, agent, support_team, customer):
    calm = [
        talk(
            support_team,
            CustomerFactory(),
            agent,
            first="Hello, what are your opening hours?",
            reply=GOOD_REPLY,
        )
        for _ in range(4)
    ]
    risky = calm[0]
    Conversation.objects.filter(pk=risky.pk).update(reopen_count=1, bounce_back_count=1, effort=80)
    items = actions.do_draw_sample(support_team, lead, timezone.localdate())
    assert len(items) == 3  # 3 by risk wanted but only one is risky; 2 random
    why = {i.conversation_id: i.why for i in items}
    assert set(why[risky.pk]) == {"reopened", "bounced", "high_effort"}
    assert sum(1 for w in why.values() if w == ["random"]) == 2
    assert all(i.reviewer_id == lead.pk for i in items)
    assert actions.do_draw_sample(support_team, lead, timezone.localdate()) == []  # drawn once
    review = actions.do_start_review(risky, lead)
    assert SampleItem.objects.get(conversation=risky).review == review


def test_weekly_sample_flags_a_low_autoqa_score(lead, agent, support_team):
    good = [
        talk(support_team, CustomerFactory(), agent, first="What are your opening hours?", reply=GOOD_REPLY)
        for _ in range(2)
    ]
    curt = talk(support_team, CustomerFactory(), agent, first="What are your opening hours?", reply="9 to 5.")
    items = actions.do_draw_sample(support_team, lead, timezone.localdate())
    why = {i.conversation_id: i.why for i in items}
    assert why[curt.pk] == ["low_autoqa"]
    assert all(why[c.pk] == ["random"] for c in good)
    assert actions.RISKS["low_autoqa"] == "Low AutoQA score"


def test_sampler_query_count_does_not_grow_with_agents(
    lead, support_team, customer, django_assert_max_num_queries
):
    for i in range(6):
        talk(support_team, customer, AgentFactory(username=f"a{i}", teams=[support_team]))
    with django_assert_max_num_queries(15):  # the same for 6 agents or 60: one query for the candidates
        actions.do_draw_sample(support_team, lead, timezone.localdate())


def test_calibration_blind_then_revealed_with_alpha(lead, agent, support_team, customer, client):
    reviewer = AgentFactory(username="rita", first_name="Rita", role="lead", teams=[support_team])
    conversations = [talk(support_team, customer, agent) for _ in range(3)]
    session = actions.do_start_calibration(
        support_team, lead, "Week 1", [c.pk for c in conversations], [lead.pk, reviewer.pk]
    )
    for who in (lead, reviewer):
        for i, c in enumerate(conversations):
            review = actions.do_start_review(c, who, calibration=session)
            assert all(s.value is None for s in review.scores.all())  # blind: no AutoQA pre-fill
            values = {
                s.behaviour_id: ("1" if s.behaviour.scale == "yes_no" else str(3 + (i % 2)))
                for s in review.scores.select_related("behaviour")
            }
            if who == reviewer and i == 0:
                values = {k: ("0" if v == "1" else v) for k, v in values.items()}
            actions.do_score_review(review, who, values, submit=True)
    result = stats.calibration_result(session)
    assert result.submitted == 6 and result.overall is not None
    tone = next(b for b in result.behaviours if b.name == "Tone and empathy")
    assert tone.level == "ordinal" and tone.alpha == 1.0
    client.force_login(reviewer)
    body = client.get(reverse("quality:calibration", args=[session.pk])).content.decode()
    assert "α" in body  # rita is a lead too; an agent reviewer sees it only once revealed
    actions.do_reveal_calibration(session, lead)


def test_autoqa_agreement_from_real_reviews(lead, agent, support_team, customer):
    for _ in range(3):
        review = actions.do_start_review(talk(support_team, customer, agent), lead)
        values = {
            s.behaviour_id: ("1" if s.behaviour.scale == "yes_no" else "4")
            for s in review.scores.select_related("behaviour")
        }
        actions.do_score_review(review, lead, values, submit=True)
    rows = {r.name: r for r in stats.autoqa_agreement(support_team)}
    assert rows["Ownership"].pairs == 3 and rows["Ownership"].precision == 1.0
    assert rows["Ownership"].advisory  # too few reviews to trust


def test_pages_render_for_lead_and_agent(lead, agent, support_team, customer, client):
    conversation = talk(support_team, customer, agent)
    review = actions.do_start_review(conversation, lead)
    client.force_login(lead)
    for name, args in [
        ("quality:overview", []), ("quality:rubric", [support_team.pk]),
        ("quality:sample", [support_team.pk]),
        ("quality:calibrations", [support_team.pk]), ("quality:autoqa", [support_team.pk]),
        ("quality:scorecards", [support_team.pk]), ("quality:review", [review.pk]),
        ("conversations:detail", [conversation.pk]),
    ]:  # fmt: skip
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    assert (
        "Review this conversation"
        in client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    )
    assert client.get(reverse("quality:sample", args=[support_team.pk]) + "?week=nope").status_code == 404
    client.force_login(agent)
    assert client.get(reverse("quality:autoqa", args=[support_team.pk])).status_code == 403
    assert client.post(reverse("quality:rubric", args=[support_team.pk]), {"vision": "x"}).status_code == 403


def test_rubric_form_saves_a_new_version(lead, support_team, client):
    client.force_login(lead)
    url = reverse("quality:rubric", args=[support_team.pk])
    client.get(url)
    data = {"rows": "2", "name_0": "Ownership", "weight_0": "2", "scale_0": "yes_no", "critical_0": "on",
            "name_1": "Tone", "weight_1": "1", "scale_1": "five", "autoqa_1": "tone"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    rubric = queries.current_rubric(support_team)
    assert rubric.version == 2 and [b.critical for b in rubric.behaviours.all()] == [True, False]
    data["weight_0"] = "99"
    assert client.post(url, data).status_code == 400


def test_old_week_reviews_show_in_the_scorecard(lead, agent, support_team, customer):
    review = actions.do_start_review(talk(support_team, customer, agent), lead)
    values = {
        s.behaviour_id: ("1" if s.behaviour.scale == "yes_no" else "5")
        for s in review.scores.select_related("behaviour")
    }
    actions.do_score_review(review, lead, values, submit=True)
    Review.objects.filter(pk=review.pk).update(submitted_at=timezone.now() - timedelta(days=7))
    rows = stats.scorecard(support_team, agent)
    assert sum(r.reviews for r in rows) == 1 and any(r.score == 100 for r in rows)


def test_demo_has_reviews_by_two_reviewers_a_dispute_and_a_calibration(db):
    from herodesk.demo import seed_demo
    from herodesk.quality.models import CalibrationSession

    seed_demo(conversations=300, customers=100, seed=7)
    reviewers = set(Review.objects.filter(status="submitted").values_list("reviewer__username", flat=True))
    assert reviewers == {"lead", "chen"}
    assert Dispute.objects.filter(state="open").exists()
    session = CalibrationSession.objects.get()
    assert session.revealed_at and stats.calibration_result(session).overall is not None


def test_api_reviews_scores_disputes_and_scorecard(client, lead, agent, support_team, customer):
    from herodesk.accounts.actions import do_create_token
    from herodesk.tests.openapi import assert_matches_schema

    conversation = talk(support_team, customer, agent)
    _, lead_token = do_create_token(lead, "t")
    _, agent_token = do_create_token(agent, "t")
    as_lead = {"HTTP_AUTHORIZATION": f"Bearer {lead_token}"}
    as_agent = {"HTTP_AUTHORIZATION": f"Bearer {agent_token}"}
    path = f"/api/v1/quality/conversations/{conversation.pk}/reviews"
    started = client.post(path, content_type="application/json", **as_lead)
    assert_matches_schema("POST", path, started)
    body = started.json()
    assert any(s["autoqa_evidence"] for s in body["scores"])
    denied = client.post(path, content_type="application/json", **as_agent)
    assert denied.status_code == 422 and "cannot review" in denied.json()["error"]["message"]
    values = {str(s["behaviour_id"]): ("1" if s["scale"] == "yes_no" else "4") for s in body["scores"]}
    path = f"/api/v1/quality/reviews/{body['id']}/scores"
    scored = client.post(path, {"scores": values, "submit": True}, content_type="application/json", **as_lead)
    assert_matches_schema("POST", path, scored)
    assert scored.json()["status"] == "submitted" and scored.json()["score"] is not None
    listed = client.get("/api/v1/quality/reviews", **as_agent)
    assert_matches_schema("GET", "/api/v1/quality/reviews", listed)
    assert [r["id"] for r in listed.json()] == [body["id"]]
    score_id = body["scores"][0]["id"]
    path = f"/api/v1/quality/scores/{score_id}/dispute"
    disputed = client.post(
        path,
        {"reason": "The customer was calm; no relief needed."},
        content_type="application/json",
        **as_agent,
    )
    assert_matches_schema("POST", path, disputed)
    path = f"/api/v1/quality/teams/{support_team.pk}/scorecard"
    card = client.get(path, **as_lead)
    assert_matches_schema("GET", path, card)
    assert sum(w["reviews"] for w in card.json()) == 1
    assert client.get(path, **as_agent).status_code == 403
    assert client.get(f"{path}?agent_id={agent.pk}", **as_agent).status_code == 200


def test_huge_or_unknown_ids_are_404(lead, client):
    client.force_login(lead)
    for url in [
        "/quality/reviews/99999999999999999999/",
        "/quality/calibration/12345/",
        "/quality/teams/999/rubric/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post("/quality/scores/99999999999999999999/dispute/", {"reason": "x"}).status_code == 404


def test_skill_gaps_become_a_coaching_plan_with_progress_before_and_after(
    lead, agent, support_team, customer, client
):
    from herodesk.quality.models import CoachingPlan

    ben = AgentFactory(username="ben", first_name="Ben", teams=[support_team])
    for who, step in ((agent, "1"), (agent, "1"), (agent, "1"), (ben, "0"), (ben, "0"), (ben, "0")):
        review = actions.do_start_review(talk(support_team, customer, who), lead)
        scores = by_name(review)
        values = {s.behaviour_id: ("1" if s.behaviour.scale == "yes_no" else "4") for s in scores.values()}
        values[scores["Clear next step"].behaviour_id] = step
        actions.do_score_review(review, lead, values, submit=True)
    day_ago = timezone.now() - timedelta(days=1)
    Review.objects.update(submitted_at=day_ago)
    Message.objects.filter(author=ben).update(created_at=day_ago)
    gaps = stats.skill_gaps(support_team)
    assert [g.name for g in gaps[ben.pk]] == ["Clear next step"] and agent.pk not in gaps
    with pytest.raises(ActionError):
        actions.do_create_coaching_plan(support_team, lead, ben.pk, ["Not a behaviour"], "", None)
    plan = actions.do_create_coaching_plan(
        support_team, lead, ben.pk, ["Clear next step"], "End with the next step.",
        timezone.localdate() + timedelta(days=14),
    )  # fmt: skip
    CoachingPlan.objects.filter(pk=plan.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    plan.refresh_from_db()
    review = actions.do_start_review(
        talk(support_team, customer, ben, reply="I will refund you. You will receive the money by Friday."),
        lead,
    )
    scores = by_name(review)
    values = {s.behaviour_id: ("1" if s.behaviour.scale == "yes_no" else "4") for s in scores.values()}
    actions.do_score_review(review, lead, values, submit=True)
    (progress,) = stats.plan_progress(plan)
    assert (progress.before, progress.after) == (0, 100)
    assert progress.replies_before == 3 and progress.replies_after == 1
    client.force_login(lead)
    assert client.get(reverse("quality:coaching", args=[support_team.pk])).status_code == 200
    body = client.get(reverse("quality:coaching_plan", args=[plan.pk])).content.decode()
    assert "Clear next step" in body
    client.force_login(agent)
    assert client.get(reverse("quality:coaching_plan", args=[plan.pk])).status_code == 404


def test_kudos_must_be_specific_and_reach_the_agent(lead, agent, support_team, customer, client):
    from herodesk.quality.models import Kudos

    conversation = talk(support_team, customer, agent)
    reply = conversation.messages.get(kind="reply")
    for generic in ("Great job!", "well done, thanks, awesome work", ""):
        with pytest.raises(ActionError) as error:
            actions.do_give_kudos(lead, reply, generic)
        assert "text" in error.value.fields
    with pytest.raises(ActionError):
        actions.do_give_kudos(agent, reply, "I said sorry first and gave the refund date.")  # own message
    client.force_login(lead)
    url = reverse("quality:give_kudos", args=[reply.pk])
    client.post(url, {"text": "Great job"})
    assert not Kudos.objects.exists()
    client.post(url, {"text": "You apologised before explaining and gave the refund date right away."})
    kudos = Kudos.objects.get()
    assert kudos.agent == agent and Notification.objects.filter(recipient=agent, kind="kudos").exists()
    body = client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    assert "gave the refund date right away" in body


def test_customer_praise_is_credited_and_reaches_stories_and_the_smile_report(
    lead, agent, support_team, customer, client
):
    conversation = talk(support_team, customer, agent)
    conversation_actions.do_add_customer_message(
        conversation,
        conversation_actions.IncomingMessage(
            text="Thank you so much, Ada sorted it in minutes!", channel=Channel.EMAIL
        ),
    )
    now = timezone.now()
    (story,) = stats.praise_found(support_team, now - timedelta(days=1), now + timedelta(minutes=1))
    assert story.agent_id == agent.pk and story.evidence
    report = stats.smile_report(support_team, timezone.localdate())
    assert report.praise_count == 1 and report.per_agent[0][:2] == ("Ada", 1)
    client.force_login(agent)
    assert (
        "Ada sorted it in minutes"
        in client.get(reverse("quality:smiles", args=[support_team.pk])).content.decode()
    )
    assert "Ada sorted it" in client.get(reverse("quality:stories", args=[support_team.pk])).content.decode()
    assert (
        "Customer praise"
        in client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    )
    assert client.get(reverse("quality:smiles", args=[support_team.pk]) + "?month=nope").status_code == 404


def test_conversation_screen_queries_do_not_grow_with_messages(
    lead, agent, support_team, customer, client, django_assert_max_num_queries
):
    conversation = talk(support_team, customer, agent)
    client.force_login(lead)
    url = reverse("conversations:detail", args=[conversation.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(5):
        conversation_actions.do_add_reply(conversation, agent, f"Update {i}: the refund is on its way.")
    with django_assert_max_num_queries(len(few) + 2):
        client.get(url)


def test_demo_has_kudos_praise_and_a_coaching_plan(db):
    from herodesk.demo import seed_demo
    from herodesk.quality.models import CoachingPlan, Kudos

    seed_demo(conversations=300, customers=100, seed=7)
    from herodesk.accounts.models import Team

    team = Team.objects.get(name="Support")
    assert Kudos.objects.count() >= 3 and CoachingPlan.objects.exists()
    from herodesk.quality.models import PracticeAttempt, PracticeScenario

    assert PracticeScenario.objects.filter(team=team).count() == 2
    attempts = PracticeAttempt.objects.all()
    assert attempts.count() == 4 and attempts.filter(scored_at__isnull=False).count() == 2
    good = [a.autoqa_score or 0.0 for a in attempts if a.agent.username == "agent"]
    weak = [a.autoqa_score or 0.0 for a in attempts if a.agent.username == "ben"]
    assert min(good) > max(weak)
    assert (
        stats.smile_report(team, timezone.localdate()).praise_count
        + stats.smile_report(team, timezone.localdate().replace(day=1) - timedelta(days=1)).praise_count
        >= 3
    )
