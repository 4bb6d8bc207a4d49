"""Writes of the web-form channel: accept a submission, give the customer a private link, take replies."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from herodesk.accounts.queries import default_team
from herodesk.channels.webform import queries
from herodesk.channels.webform.models import AddressClaim, CustomerLink, Submission, hash_link_token
from herodesk.conversations import actions, hooks
from herodesk.conversations.hooks import ErasedCustomer
from herodesk.conversations.models import Channel, Conversation
from herodesk.customers.actions import (
    CustomerDetails,
    do_create_customer_without_identity,
    do_find_or_create_customer,
    find_by_identity,
    normalize_email,
)
from herodesk.customers.models import Customer, Identity
from herodesk.errors import ActionError


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
    email = normalize_email(submission.email)
    owner = find_by_identity(Identity.Kind.EMAIL, email)
    if owner is None:  # a new address: nobody's history to join
        customer = do_find_or_create_customer(CustomerDetails(name=submission.name, email=email))
    else:
        customer = do_create_customer_without_identity(
            f"{submission.name.strip() or email} (unverified)",
            f"Wrote on the web form as {email}, an address of another customer; not confirmed yet.",
        )
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
    if owner is not None:
        _claim_address(customer, conversation, email)
    return conversation, do_issue_link(conversation)


CONFIRM_SUBJECT = "Please confirm your email address"
CONFIRM_TEXT = (
    "Someone sent us a message through our contact form with this email address.\n\n"
    "If it was you, confirm the address so we can add it to your history with us:\n{url}\n\n"
    "If it was not you, ignore this mail: the message stays apart from your history."
)


def _claim_address(customer: Customer, conversation: Conversation, email: str) -> None:
    raw = CustomerLink.new_token()
    AddressClaim.objects.create(
        customer=customer,
        conversation=conversation,
        email=email,
        token_hash=hash_link_token(raw),
        created_at=timezone.now(),
    )
    url = f"{settings.BASE_URL.rstrip('/')}/contact/confirm/{raw}/"
    hooks.send_notice(email, CONFIRM_SUBJECT, CONFIRM_TEXT.format(url=url))


@transaction.atomic
def do_confirm_address(raw_token: str) -> Conversation:
    """The address is the submitter's: their submission joins the customer who owns it (a merge)."""
    claim = queries.claim_for(raw_token)
    if claim is None:
        raise ActionError("This confirmation link is not valid", {"token": "Unknown or already used."})
    owner = find_by_identity(Identity.Kind.EMAIL, claim.email)
    if owner is None:  # the owner was erased meanwhile: the address is now the submitter's alone
        survivor = actions.do_update_customer(claim.customer, None, CustomerDetails(email=claim.email))
    else:
        survivor = actions.do_merge_customers(owner, claim.customer, None)
    AddressClaim.objects.filter(pk=claim.pk).update(confirmed_at=timezone.now(), customer=survivor)
    return claim.conversation


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
    """Delete the rate-limit rows and address claims of an erased customer's addresses. Returns how many."""
    keys = {*erased.emails, *(queries.rate_key(email) for email in erased.emails)}  # stored as rate keys
    deleted, _ = Submission.objects.filter(email__in=keys).delete()
    # Someone wrote as this person and never confirmed it: that submission names them, so it goes too.
    claims = AddressClaim.objects.filter(email__in=erased.emails, confirmed_at__isnull=True)
    for customer in Customer.objects.filter(pk__in=claims.values("customer_id")).exclude(
        pk__in=erased.customer_ids
    ):
        actions.do_erase_customer(customer, None)
    erased_claims, _ = AddressClaim.objects.filter(email__in=erased.emails).delete()
    return deleted + erased_claims
