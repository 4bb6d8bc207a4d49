"""The weekly digest email per agent: best moments, one tip, sent once per week, off per team."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.models import Channel
from herodesk.errors import ActionError
from herodesk.insights.models import Promise
from herodesk.quality import actions, digest, tasks
from herodesk.quality.models import DigestSent, TeamQuality
from herodesk.quality.tests.test_quality import talk
from herodesk.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def week():
    return actions.week_start(timezone.localdate())


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_digest_lists_the_weeks_best_moments_and_a_tip(lead, agent, support_team, customer):
    conversation = talk(support_team, customer, agent)
    reply = conversation.messages.get(kind="reply")
    actions.do_give_kudos(lead, reply, "You apologised first and gave the <refund> date straight away.")
    conversation_actions.do_add_customer_message(
        conversation,
        conversation_actions.IncomingMessage(
            text="Thank you so much, Ada sorted it in <b>minutes</b>!", channel=Channel.EMAIL
        ),
    )
    Promise.objects.filter(conversation=conversation).update(state=Promise.State.KEPT, kept_at=timezone.now())
    review = actions.do_start_review(conversation, lead)
    values = {s.behaviour_id: ("1" if s.behaviour.scale == "yes_no" else "5") for s in review.scores.all()}
    weak = review.scores.get(behaviour__name="Clear next step")
    values[weak.behaviour_id] = "0"
    actions.do_score_review(review, lead, values, submit=True)

    assert actions.send_weekly_digests(week()) == 2  # the agent and the lead
    (sent,) = to(agent.email)
    assert isinstance(sent, EmailMultiAlternatives)
    text = sent.body
    assert "gave the <refund> date" in text and "Ada sorted it in <b>minutes</b>" in text
    assert "Promises you kept" in text and "I will refund the second charge today" in text
    assert "Hero moments you relieved" in text and "Charged twice" in text
    assert "One tip for next week: Clear next step" in text and "next step" in digest.TIPS["next_step"]
    html, kind = sent.alternatives[0]
    assert kind == "text/html" and isinstance(html, str)
    assert "&lt;refund&gt;" in html and "&lt;b&gt;minutes&lt;/b&gt;" in html and "<b>minutes</b>" not in html
    assert reverse("quality:overview") in html


def test_digest_is_sent_once_per_week_even_when_the_job_runs_again(lead, agent, support_team, customer):
    talk(support_team, customer, agent)
    assert actions.send_weekly_digests(week()) == 2
    assert actions.send_weekly_digests(week()) == 0
    assert len(to(agent.email)) == len(to(lead.email)) == 1 and DigestSent.objects.count() == 2


def test_the_hourly_job_sends_on_monday_at_seven_in_the_teams_time_zone(
    lead, agent, support_team, billing_team
):
    support_team.time_zone = "America/New_York"
    support_team.save()
    otto = AgentFactory(username="otto2", first_name="Otto", teams=[billing_team])  # billing: UTC
    monday = datetime(2026, 11, 30, tzinfo=UTC)  # a Monday
    assert actions.send_weekly_digests(now=monday - timedelta(hours=1)) == 0  # Sunday
    assert actions.send_weekly_digests(now=monday + timedelta(hours=6, minutes=5)) == 0  # 06:05 UTC
    assert actions.send_weekly_digests(now=monday + timedelta(hours=7, minutes=5)) == 1  # Otto, 07:05 UTC
    assert to(otto.email) and not to(agent.email)
    assert actions.send_weekly_digests(now=monday + timedelta(hours=8, minutes=5)) == 0  # New York: 03:05
    assert actions.send_weekly_digests(now=monday + timedelta(hours=12, minutes=5)) == 2  # 07:05 there
    assert actions.send_weekly_digests(now=monday + timedelta(hours=13, minutes=5)) == 0  # once a week
    assert set(DigestSent.objects.values_list("week", flat=True)) == {date(2026, 11, 23)}
    assert tasks.send_weekly_digests.call_local() >= 0  # the periodic job runs the same code


def test_a_failed_send_is_retried_next_run(agent, support_team, monkeypatch):
    def broken(self, fail_silently=False):
        raise OSError("SMTP down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", broken)
    with pytest.raises(OSError):
        actions.send_weekly_digests(week())
    assert not DigestSent.objects.exists()
    monkeypatch.undo()
    assert actions.send_weekly_digests(week()) == 1
    (sent,) = to(agent.email)
    assert "A quiet week" in sent.body


def test_leads_turn_the_digest_off_per_team(lead, agent, support_team, client):
    with pytest.raises(ActionError):
        actions.do_set_digest(support_team, agent, False)
    client.force_login(lead)
    client.post(reverse("quality:sample", args=[support_team.pk]), {"digest_form": "1"})
    assert TeamQuality.objects.get(team=support_team).digest is False
    assert actions.send_weekly_digests(week()) == 0 and mail.outbox == []
    client.post(reverse("quality:sample", args=[support_team.pk]), {"digest_form": "1", "digest": "1"})
    assert TeamQuality.objects.get(team=support_team).digest is True
    page = client.get(reverse("quality:sample", args=[support_team.pk])).content.decode()
    assert 'name="digest" value="1" checked' in page
