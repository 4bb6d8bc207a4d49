"""Writes of the web-form channel: accept a submission, give the customer a private link, take replies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from herodesk.accounts.queries import default_team
from herodesk.channels.webform.models import CustomerLink, Submission, hash_link_token
from herodesk.conversations import actions
from herodesk.conversations.models import Channel, Conversation
from herodesk.customers.actions import CustomerDetails, do_find_or_create_customer


class RateLimited(Exception):
    pass


@dataclass
class WebSubmission:
    name: str
    email: str
    subject: str
    message: str
    attachments: list[actions.AttachmentUpload]
    ip_address: str | None = None


def check_rate_limit(email: str) -> None:
    since = timezone.now() - timedelta(hours=1)
    recent = Submission.objects.filter(email=email.lower(), created_at__gte=since, accepted=True).count()
    if recent >= settings.WEBFORM_RATE_LIMIT:
        raise RateLimited("Too many messages from this address in the last hour. Please try again later.")


@transaction.atomic
def do_submit(submission: WebSubmission) -> tuple[Conversation, str]:
    """Create the conversation and return it with the raw token of the customer's private link."""
    check_rate_limit(submission.email)
    customer = do_find_or_create_customer(CustomerDetails(name=submission.name, email=submission.email))
    draft = actions.NewConversation(
        subject=submission.subject,
        channel=Channel.WEBFORM,
        customer=customer,
        team=default_team(),
        first_message=actions.IncomingMessage(
            text=submission.message, channel=Channel.WEBFORM, attachments=submission.attachments
        ),
    )
    conversation = actions.do_create_conversation(draft)
    Submission.objects.create(
        email=submission.email.lower(), ip_address=submission.ip_address, created_at=timezone.now()
    )
    return conversation, new_link(conversation)


def new_link(conversation: Conversation) -> str:
    raw = CustomerLink.new_token()
    CustomerLink.objects.create(conversation=conversation, token_hash=hash_link_token(raw))
    return raw


def conversation_for_link(raw_token: str) -> Conversation | None:
    link = (
        CustomerLink.objects.select_related("conversation")
        .filter(token_hash=hash_link_token(raw_token))
        .first()
    )
    if link is None:
        return None
    CustomerLink.objects.filter(pk=link.pk).update(last_seen_at=timezone.now())
    return link.conversation


def do_customer_reply(conversation: Conversation, text: str) -> None:
    actions.do_add_customer_message(conversation, actions.IncomingMessage(text=text, channel=Channel.WEBFORM))
