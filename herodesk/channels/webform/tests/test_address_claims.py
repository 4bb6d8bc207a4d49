"""A web-form submission from an existing customer's address stays apart until the address is confirmed."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from herodesk.channels.webform.models import AddressClaim
from herodesk.conversations.actions import do_add_reply
from herodesk.conversations.models import Conversation
from herodesk.customers.models import Customer
from herodesk.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Mallory",
    "email": "Carla@Example.com",
    "subject": "Refund to me",
    "message": "Send it here.",
}


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BASE_URL = "https://desk.example"


def _submit(client):
    response = client.post(reverse("webform:contact"), FORM)
    assert response.status_code == 200
    return re.search(r'id="status-link" href="([^"]+)"', response.content.decode()).group(1)


def _confirm_url() -> str:
    (notice,) = mail.outbox
    assert notice.to == ["carla@example.com"]
    return re.search(r"https://desk\.example(/contact/confirm/[^/\s]+/)", str(notice.body)).group(1)


def test_a_submission_from_a_known_address_starts_a_separate_marked_customer(
    client, customer, conversation, agent
):
    """GIVEN Carla with a conversation WHEN a stranger writes on the form as carla@example.com
    THEN it is filed under a separate, marked customer, and the status page shows none of Carla's history."""
    status_link = _submit(client)
    submitted = Conversation.objects.exclude(pk=conversation.pk).get()
    assert submitted.customer != customer
    assert submitted.customer.name == "Mallory (unverified)"
    assert not submitted.customer.identities.exists()
    assert customer.conversations.count() == 1  # Carla's history has nothing of the stranger's

    do_add_reply(conversation, agent, "Carla, your refund of 40 EUR went out today.")
    page = client.get(status_link).content.decode()
    assert "Refund to me" in page
    assert conversation.subject not in page and "40 EUR" not in page


def test_the_confirmation_link_is_mailed_to_the_address_and_hashed(client, customer, conversation):
    _submit(client)
    url = _confirm_url()
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert AddressClaim.objects.get().token_hash != token


def test_confirming_merges_the_submission_into_the_customer(client, customer, conversation):
    _submit(client)
    url = _confirm_url()
    assert client.get(url).status_code == 200  # a GET only asks: mail scanners follow links
    assert Conversation.objects.filter(customer=customer).count() == 1
    assert client.post(url).status_code == 200
    assert Conversation.objects.filter(customer=customer).count() == 2
    assert Customer.objects.get(name="Mallory (unverified)").merged_into == customer
    assert client.post(url).status_code == 404  # used once


def test_a_new_address_needs_no_confirmation(client, support_team):
    client.post(reverse("webform:contact"), {**FORM, "email": "new@example.com"})
    assert Conversation.objects.get().customer.identities.get().value == "new@example.com"
    assert mail.outbox == [] and not AddressClaim.objects.exists()


def test_an_unknown_confirmation_link_is_404(client):
    assert client.get(reverse("webform:confirm", args=["nope"])).status_code == 404


def test_an_unconfirmed_claim_on_an_erased_customers_address_is_erased_too(client, customer, admin_user):
    from herodesk.conversations.actions import do_erase_customer

    ConversationFactory(customer=customer)
    _submit(client)
    do_erase_customer(customer, admin_user)
    assert not AddressClaim.objects.exists()
    assert not Customer.objects.filter(name="Mallory (unverified)").exists()
