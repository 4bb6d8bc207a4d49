"""Erasing a customer removes everything about them: every table and every file that can hold personal data.

The table list is not written down here: every model with a link to a customer, conversation or message,
or a field for an address, must be seeded with the person below (or listed in NO_PERSON with the reason),
so a new table cannot be forgotten. After the erasure no row of any model and no stored file may still
name them, and nothing may point at their old records.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone

from herodesk.channels.email import intake
from herodesk.channels.email.models import InboundMail, Mailbox
from herodesk.channels.email.tests.mails import raw_mail
from herodesk.channels.webform import actions as webform_actions
from herodesk.conversations import actions
from herodesk.conversations.models import Conversation, Message
from herodesk.customers.actions import CustomerDetails
from herodesk.customers.models import Customer
from herodesk.notifications.actions import do_notify
from herodesk.presence.actions import do_record_presence
from herodesk.slas import actions as sla_actions
from herodesk.tests.factories import ConversationFactory, CustomerFactory

pytestmark = pytest.mark.django_db

# What identifies the person, as it may appear anywhere: the name, the phone digits, the network address.
TRACES = ("quixmarker", "2079460123", "203.0.113.7")
PERSON_EMAIL = "zeb.quixmarker@example.com"

# Models that match the rule but never hold a customer's data, with the reason.
NO_PERSON = {
    "accounts.User": "agents, not customers",
    "accounts.LoginFailure": "agents' login attempts",
    "email_channel.Mailbox": "the desk's own addresses",
    "conversations.PendingWork": "ids only, gone after the commit and with the conversation",
    "quality.CalibrationSession": "a lead's session (name, dates); its links to conversations go with them",
}
if connection.vendor == "sqlite":
    NO_PERSON["conversations.SearchDocument"] = "PostgreSQL only; SQLite's FTS5 table is checked apart"

PERSONAL_TARGETS = (Customer, Conversation, Message)
ADDRESS_WORDS = ("email", "phone", "address", "from_")


def _label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def _can_hold_personal_data(model: type[models.Model]) -> bool:
    if model in PERSONAL_TARGETS:
        return True
    for field in model._meta.get_fields():
        if field.is_relation and field.concrete and field.related_model in PERSONAL_TARGETS:
            return True
        if field.concrete and any(word in field.name for word in ADDRESS_WORDS):
            return True
    return False


def _row_text(row: dict) -> str:
    parts = []
    for value in row.values():
        if isinstance(value, memoryview | bytes):
            parts.append(bytes(value).decode("utf-8", "replace"))
        elif isinstance(value, dict | list):
            parts.append(json.dumps(value))
        else:
            parts.append(str(value))
    return "\n".join(parts).lower()


def _rows_about(model: type[models.Model], ids: dict[type[models.Model], set[int]]) -> list[dict]:
    """Rows of ``model`` that name the person or point at one of their records."""
    found = []
    links = [
        field
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model in PERSONAL_TARGETS
    ]
    for row in model._default_manager.all().values():
        pointed = any(row[field.attname] in ids[field.related_model] for field in links)  # type: ignore[index]
        if model in PERSONAL_TARGETS and row["id"] in ids[model]:
            pointed = True
        if pointed or any(trace in _row_text(row) for trace in TRACES):
            found.append(row)
    return found


def _files_about(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return [
        path
        for path in root.rglob("*")
        if any(trace in str(path).lower() for trace in TRACES)
        or (path.is_file() and any(trace.encode() in path.read_bytes().lower() for trace in TRACES))
    ]


def _fts_rows_about() -> int:
    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM conversation_fts WHERE conversation_fts MATCH 'quixmarker'")
        return cursor.fetchone()[0]


def _seed_the_person(agent, lead, billing_team) -> Customer:
    """Zebulon writes by mail (with a file) and on the web form (not confirmed), had a duplicate merged in, is
    answered with a promise and a follow-up, held to an SLA, transferred with a note naming him, and an agent
    is notified about him."""
    sla_actions.do_save_policy(lead, sla_actions.PolicyFields(name="Standard", first_reply_minutes=60))
    mailbox = Mailbox.objects.create(name="Support", address="support@desk.example", team=agent.teams.first())
    mail = raw_mail(
        sender=f"Zebulon Quixmarker <{PERSON_EMAIL}>",
        subject="Quixmarker: lost passport",
        body="My passport for Quixmarker was lost, flight in 40 minutes.",
        message_id="<passport@quixmarker.example>",
        attachments=[("quixmarker-passport.pdf", b"%PDF quixmarker passport scan", "application/pdf")],
    )
    inbound = intake.ingest(mail, mailbox)
    intake.ingest(mail, mailbox)  # a duplicate: refused, but its raw bytes are stored
    conversation = inbound.conversation
    assert conversation is not None and conversation.messages.first().attachments.count() == 1
    customer = conversation.customer
    assert customer is not None

    webform_actions.do_submit(
        webform_actions.WebSubmission(
            name="Zebulon Quixmarker",
            email=PERSON_EMAIL.upper(),
            subject="Quixmarker again",
            message="Still waiting, Quixmarker here.",
            attachments=[],
            ip_address="203.0.113.7",
        )
    )
    webform_actions.do_issue_link(conversation)  # a status link to his mailed conversation
    duplicate = CustomerFactory(name="Zeb Quixmarker", email="zq@quixmarker.example")
    ConversationFactory(customer=duplicate, subject="Quixmarker old record")
    actions.do_merge_customers(customer, duplicate, lead)
    actions.do_update_customer(
        customer, lead, CustomerDetails(phone="+44 20 7946 0123", notes="Quixmarker prefers calls")
    )
    reply = actions.do_add_reply(
        conversation, agent, "Dear Mr Quixmarker, I will call you back by Monday at 4pm."
    )
    sla_actions.do_schedule_reply(
        conversation, agent, "Mr Quixmarker, did we call?", timezone.now() + timedelta(days=3), follow_up=True
    )
    _seed_quality(conversation, reply, agent, lead)
    actions.do_transfer(
        conversation, agent, actions.Transfer(note="Quixmarker needs billing", to_team=billing_team)
    )
    do_notify([lead], "mention", "Quixmarker asked for you", conversation=conversation)
    do_record_presence(lead, conversation.pk, "reply")  # the lead has his conversation open
    return Customer.objects.get(pk=customer.pk)


def _seed_quality(conversation, reply, agent, lead) -> None:
    """A review with a pinned comment, kudos, a calibration session, a sample naming his conversation, and a
    practice scenario made of it (anonymised) with an agent's attempt."""
    from herodesk.quality import actions as quality_actions
    from herodesk.quality.models import SampleItem

    team = conversation.team
    review = quality_actions.do_start_review(conversation, lead)
    quality_actions.do_pin_comment(review, lead, reply.pk, "Told Quixmarker exactly when we will call.")
    quality_actions.do_give_kudos(lead, reply, "You gave Mr Quixmarker a call-back time: Monday at 4pm.")
    scenario = quality_actions.do_create_scenario(conversation, lead)
    quality_actions.do_practise(scenario, agent, "I am sorry about your passport; I will call you at 4pm.")
    quality_actions.do_start_calibration(
        team, lead, "Week 49 calibration", [conversation.pk], [lead.pk, agent.pk]
    )
    SampleItem.objects.create(
        team=team,
        week=quality_actions.week_start(timezone.localdate()),
        agent=agent,
        conversation=conversation,
        why=["random"],
    )


def _someone_else(agent) -> Conversation:
    mailbox = Mailbox.objects.get(address="support@desk.example")
    inbound = intake.ingest(raw_mail(message_id="<carla@example.com>"), mailbox)
    webform_actions.do_submit(
        webform_actions.WebSubmission(
            name="Carla Customer", email="carla@example.com", subject="Hi", message="Hello", attachments=[]
        )
    )
    assert inbound.conversation is not None
    return inbound.conversation


def test_erasing_a_customer_leaves_nothing_about_them_in_any_table_or_file(
    agent, lead, admin_user, billing_team, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    customer = _seed_the_person(agent, lead, billing_team)
    carla = _someone_else(agent)
    ids: dict[type[models.Model], set[int]] = {
        Customer: {customer.pk, *customer.merged_customers.values_list("pk", flat=True)},
        Conversation: set(Conversation.objects.filter(customer=customer).values_list("pk", flat=True)),
    }
    ids[Message] = set(
        Message.objects.filter(conversation__in=ids[Conversation]).values_list("pk", flat=True)
    )
    # The web-form message came from his address unconfirmed: it waits apart, under a marked customer.
    assert len(ids[Customer]) == 2 and len(ids[Conversation]) == 2

    personal = [model for model in apps.get_models() if _can_hold_personal_data(model)]
    unseeded = [
        _label(model) for model in personal if _label(model) not in NO_PERSON and not _rows_about(model, ids)
    ]
    assert not unseeded, f"seed the person into these tables in _seed_the_person: {unseeded}"
    media = Path(settings.MEDIA_ROOT)
    assert _files_about(media), "the person's attachment should be on disk before the erasure"
    assert _fts_rows_about() or connection.vendor != "sqlite"

    actions.do_erase_customer(customer, admin_user)

    left = {_label(model): rows for model in apps.get_models() if (rows := _rows_about(model, ids))}
    assert left == {}
    assert _files_about(media) == []
    assert _fts_rows_about() == 0
    # Someone else's records stay whole.
    assert Conversation.objects.filter(pk=carla.pk).exists()
    assert InboundMail.objects.filter(conversation=carla).count() == 1
    assert webform_actions.Submission.objects.filter(email="carla@example.com").count() == 1


def test_an_erasure_that_rolls_back_keeps_the_files(
    agent, lead, admin_user, billing_team, settings, monkeypatch
):
    """Files are deleted only after the commit: a failed erasure leaves the attachment readable."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    customer = _seed_the_person(agent, lead, billing_team)
    customer_id = customer.pk
    callbacks: list = []
    monkeypatch.setattr(
        transaction, "on_commit", lambda func, using=None, robust=False: callbacks.append(func)
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.do_erase_customer(customer, admin_user)
        raise RuntimeError("crash before the commit")
    assert _files_about(Path(settings.MEDIA_ROOT))
    assert Customer.objects.filter(pk=customer_id).exists()
    assert len(callbacks) >= 1  # the deletion waits for a commit that never came
