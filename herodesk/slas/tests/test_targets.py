"""SLA policies choose targets; targets start, pause, resume, meet and breach with the conversation."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from herodesk.accounts.models import Holiday
from herodesk.conversations import actions as conv
from herodesk.conversations.models import Conversation
from herodesk.errors import ActionError
from herodesk.notifications.models import Notification
from herodesk.slas.actions import PolicyFields, do_check_targets, do_save_policy, do_sync_targets
from herodesk.slas.models import SlaTarget
from herodesk.slas.queries import conversation_sla

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
Kind = SlaTarget.Kind


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc,arg-type]


@pytest.fixture
def office(support_team):
    support_team.time_zone = "Europe/London"
    support_team.opens_at, support_team.closes_at = time(9), time(17)
    support_team.save()
    return support_team


@pytest.fixture
def policies(lead, office):
    urgent = do_save_policy(
        lead,
        PolicyFields(name="Urgent", position=1, priority=4, first_reply_minutes=30, resolution_minutes=240),
    )
    default = do_save_policy(
        lead,
        PolicyFields(
            name="Standard", position=10, first_reply_minutes=120, next_reply_minutes=240,
            resolution_minutes=960, warn_before_minutes=30,
        ),
    )  # fmt: skip
    return urgent, default


def open_conversation(customer, team, when: datetime, priority: int = 2) -> Conversation:
    with time_machine.travel(when, tick=False):
        return conv.do_create_conversation(
            conv.NewConversation(
                subject="Where is my parcel?",
                channel="email",
                customer=customer,
                team=team,
                priority=priority,
                first_message=conv.IncomingMessage(text="Where is it?", channel="email"),
            )
        )


def targets(conversation: Conversation) -> dict[str, SlaTarget]:
    return {t.kind: t for t in SlaTarget.objects.filter(conversation=conversation).order_by("id")}


def test_the_first_matching_policy_sets_deadlines_in_business_time(customer, office, policies):
    # Friday 16:00: two business hours of first reply end Monday 10:00 (BST after the DST change).
    conversation = open_conversation(customer, office, at(2026, 3, 27, 16))
    found = targets(conversation)
    assert set(found) == {Kind.FIRST_REPLY, Kind.RESOLUTION}
    assert found[Kind.FIRST_REPLY].due_at == at(2026, 3, 30, 10)
    assert found[Kind.FIRST_REPLY].policy_name == "Standard"
    assert found[Kind.FIRST_REPLY].why == "The default policy (no conditions)"
    conversation.refresh_from_db()
    assert conversation.sla_due_at == at(2026, 3, 30, 10)

    urgent = open_conversation(customer, office, at(2026, 3, 27, 16), priority=4)
    assert targets(urgent)[Kind.FIRST_REPLY].why == "Applies because priority is Urgent"
    assert targets(urgent)[Kind.FIRST_REPLY].due_at == at(2026, 3, 27, 16, 30)


def test_holidays_push_the_deadline(customer, office, policies):
    Holiday.objects.create(team=office, date=date(2026, 5, 11), name="Bank holiday")
    conversation = open_conversation(customer, office, at(2026, 5, 8, 16))  # Friday
    assert targets(conversation)[Kind.FIRST_REPLY].due_at == at(2026, 5, 12, 10)  # Tuesday


def test_reply_meets_then_customer_restarts_next_reply(customer, office, policies, agent):
    conversation = open_conversation(customer, office, at(2026, 5, 11, 9))
    with time_machine.travel(at(2026, 5, 11, 10), tick=False):
        conv.do_add_reply(conversation, agent, "We are on it.")
    first = targets(conversation)[Kind.FIRST_REPLY]
    assert first.met_at == at(2026, 5, 11, 10) and first.elapsed_seconds == 3600 and first.met_by == agent
    with time_machine.travel(at(2026, 5, 11, 15), tick=False):
        conv.do_add_customer_message(conversation, conv.IncomingMessage(text="Any news?", channel="email"))
    next_reply = targets(conversation)[Kind.NEXT_REPLY]
    assert next_reply.started_at == at(2026, 5, 11, 15)
    assert next_reply.due_at == at(2026, 5, 12, 11)  # 2 h today, 2 h tomorrow from 09:00
    with time_machine.travel(at(2026, 5, 12, 9, 30), tick=False):
        conv.do_add_reply(conversation, agent, "It ships today.")
    assert targets(conversation)[Kind.NEXT_REPLY].met_at == at(2026, 5, 12, 9, 30)
    conversation.refresh_from_db()
    assert conversation.sla_due_at == targets(conversation)[Kind.RESOLUTION].due_at


def test_pending_pauses_the_clock_and_resuming_moves_the_deadline(customer, office, policies, agent):
    conversation = open_conversation(customer, office, at(2026, 5, 11, 9))
    with time_machine.travel(at(2026, 5, 11, 10), tick=False):
        conv.do_add_reply(conversation, agent, "Which size do you need?", then_status="pending")
    resolution = targets(conversation)[Kind.RESOLUTION]
    assert resolution.paused_at == at(2026, 5, 11, 10)
    conversation.refresh_from_db()
    assert conversation.sla_due_at is None  # nothing is running
    # The customer answers the next day at 11:00: the 15 business hours left run from then.
    with time_machine.travel(at(2026, 5, 12, 11), tick=False):
        conv.do_add_customer_message(conversation, conv.IncomingMessage(text="Size M", channel="email"))
    resolution = targets(conversation)[Kind.RESOLUTION]
    assert resolution.paused_at is None
    assert resolution.paused_seconds == 9 * 3600  # Mon 10-17 and Tue 9-11
    assert resolution.due_at == at(2026, 5, 14, 10)  # 15 h left: Tue 11-17, Wed 9-17, Thu 9-10


@pytest.mark.parametrize("for_customer, paused", [(True, True), (False, False)])
def test_a_snooze_stops_the_clock_only_when_the_customer_asked_to_wait(
    customer, office, policies, agent, for_customer, paused
):
    """"Call me after the 15th" stops the clocks like pending; the team's own snooze does not."""
    conversation = open_conversation(customer, office, at(2026, 5, 11, 9))
    with time_machine.travel(at(2026, 5, 11, 10), tick=False):
        conv.do_add_reply(conversation, agent, "Thanks, I will look into it.")
        conv.do_snooze(conversation, agent, at(2026, 5, 15, 9), for_customer=for_customer)
    resolution = targets(conversation)[Kind.RESOLUTION]
    assert (resolution.paused_at is not None) is paused


def test_warnings_and_breaches_are_sent_once(customer, office, policies, agent, lead):
    conversation = open_conversation(customer, office, at(2026, 5, 11, 9))
    conv.do_assign(conversation, lead, agent)
    # 10:35: 25 minutes before the 11:00 first-reply deadline, inside the 30-minute warning.
    with time_machine.travel(at(2026, 5, 11, 10, 35), tick=False):
        assert do_check_targets().warned == 1
        assert do_check_targets().warned == 0  # a restarted worker runs again: no second warning
    warning = Notification.objects.get(kind=Notification.Kind.SLA_WARNING)
    assert warning.recipient == agent and "in 25 min" in warning.text
    with time_machine.travel(at(2026, 5, 11, 11, 1), tick=False):
        assert do_check_targets().breached == 1
        assert do_check_targets().breached == 0
    assert set(
        Notification.objects.filter(kind=Notification.Kind.SLA_BREACH).values_list("recipient", flat=True)
    ) == {
        lead.pk,
        agent.pk,
    }
    with time_machine.travel(at(2026, 5, 11, 12), tick=False):
        conv.do_add_reply(conversation, agent, "Sorry for the wait.")
        card = conversation_sla(conversation.pk)
    assert card is not None
    states = {s.target.kind: s.state for s in card.states}
    assert states[Kind.FIRST_REPLY] == "met late"


def test_changing_a_policy_keeps_deadlines_already_set(customer, office, policies, lead):
    conversation = open_conversation(customer, office, at(2026, 5, 11, 9))
    before = targets(conversation)[Kind.FIRST_REPLY].due_at
    _, standard = policies
    do_save_policy(lead, PolicyFields(name="Standard", position=10, first_reply_minutes=15), standard)
    do_sync_targets(conversation.pk)
    assert targets(conversation)[Kind.FIRST_REPLY].due_at == before
    later = open_conversation(customer, office, at(2026, 5, 11, 9))
    assert targets(later)[Kind.FIRST_REPLY].due_at == at(2026, 5, 11, 9, 15)


def test_resolving_meets_resolution_and_stops_reply_targets(customer, office, policies, agent, lead):
    conversation = open_conversation(customer, office, at(2026, 5, 11, 9))
    conversation.contact_reason = conv.do_create_contact_reason(lead, "Delivery")
    conversation.save()
    with time_machine.travel(at(2026, 5, 11, 9, 30), tick=False):
        conv.do_change_status(conversation, agent, "resolved")
    found = targets(conversation)
    assert found[Kind.RESOLUTION].met_at is not None
    assert found[Kind.FIRST_REPLY].stopped_at is not None
    conversation.refresh_from_db()
    assert conversation.sla_due_at is None


def test_only_leads_change_policies(agent):
    with pytest.raises(ActionError):
        do_save_policy(agent, PolicyFields(name="Mine", first_reply_minutes=5))


def test_a_policy_needs_a_target(lead):
    with pytest.raises(ActionError) as info:
        do_save_policy(lead, PolicyFields(name="Empty"))
    assert "first_reply_minutes" in info.value.fields


def test_the_periodic_pass_reads_a_constant_number_of_rows_per_change(
    customer, office, policies, django_assert_max_num_queries
):
    for _ in range(5):
        open_conversation(customer, office, at(2026, 5, 11, 9))
    with time_machine.travel(at(2026, 5, 11, 9, 1), tick=False), django_assert_max_num_queries(2):
        assert do_check_targets().breached == 0  # nothing due: two reads, no writes
