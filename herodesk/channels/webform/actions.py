"""Writes of the web-form channel: accept a submission, give the customer a private link, take replies."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from herodesk.accounts.queries import default_team
from herodesk.channels.webform import queries
from herodesk.channels.webform.models import CustomerLink, Submission, hash_link_token
from herodesk.conversations import actions
from herodesk.conversations.hooks import ErasedCustomer
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


def check_rate_limit(email: str, ip_address: str | None = None) -> None:
    """Per address (+tags count as one) and per network, so new addresses from one machine do not pass."""
    if queries.submissions_in_last_hour(email) >= settings.WEBFORM_RATE_LIMIT:
        raise RateLimited("Too many messages from this address in the last hour. Please try again later.")
    if queries.submissions_from_network_in_last_hour(ip_address) >= settings.WEBFORM_NETWORK_RATE_LIMIT:
        raise RateLimited("Too many messages from your network in the last hour. Please try again later.")


@transaction.atomic
def do_submit(submission: WebSubmission) -> tuple[Conversation, str]:
    """Create the conversation and return it with the raw token of the customer's private link."""
    check_rate_limit(submission.email, submission.ip_address)
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
        email=queries.rate_key(submission.email), ip_address=submission.ip_address, created_at=timezone.now()
    )
    return conversation, do_issue_link(conversation)


@transaction.atomic
def do_issue_link(conversation: Conversation) -> str:
    """A new private status link for the customer; only its hash is kept, the raw token is returned once."""
    raw = CustomerLink.new_token()
    CustomerLink.objects.create(conversation=conversation, token_hash=hash_link_token(raw))
    return raw


@transaction.atomic
def do_note_link_seen(link: CustomerLink) -> None:
    CustomerLink.objects.filter(pk=link.pk).update(last_seen_at=timezone.now())


def do_customer_reply(conversation: Conversation, text: str) -> None:
    if queries.replies_in_last_hour(conversation) >= settings.WEBFORM_REPLY_RATE_LIMIT:
        raise RateLimited("Too many messages in the last hour. Please wait a little before writing again.")
    actions.do_add_customer_message(conversation, actions.IncomingMessage(text=text, channel=Channel.WEBFORM))


@transaction.atomic
def do_erase_customer_submissions(erased: ErasedCustomer) -> int:
    """Delete the rate-limit rows of an erased customer's addresses. Returns how many."""
    deleted, _ = Submission.objects.filter(email__in=erased.emails).delete()
    return deleted
