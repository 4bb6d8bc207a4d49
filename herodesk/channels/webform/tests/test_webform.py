"""The public contact form and the customer's private status link."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from herodesk.channels.webform.models import CustomerLink
from herodesk.conversations.models import Channel, Conversation, Message

pytestmark = pytest.mark.django_db

FORM = {"name": "Wanda", "email": "wanda@example.com", "subject": "Broken kettle", "message": "It sparks."}


def submit(client, **overrides):
    return client.post(reverse("webform:contact"), {**FORM, **overrides})


def test_submission_creates_a_conversation_and_a_private_link(client, support_team):
    response = submit(client, attachment=SimpleUploadedFile("photo.jpg", b"\xff\xd8jpeg", "image/jpeg"))
    assert response.status_code == 200
    conversation = Conversation.objects.get()
    assert conversation.channel == Channel.WEBFORM
    assert conversation.customer.identities.get().value == "wanda@example.com"
    assert conversation.messages.get().attachments.get().filename == "photo.jpg"
    link = re.search(r'id="status-link" href="([^"]+)"', response.content.decode()).group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert CustomerLink.objects.get().token_hash != token  # only the hash is stored


def test_customer_sees_status_and_replies_through_the_link(client, support_team):
    response = submit(client)
    link = re.search(r'id="status-link" href="([^"]+)"', response.content.decode()).group(1)
    page = client.get(link)
    assert "Broken kettle" in page.content.decode()
    client.post(link, {"message": "Also it smells of smoke."})
    conversation = Conversation.objects.get()
    assert conversation.messages.filter(kind=Message.Kind.CUSTOMER).count() == 2


def test_internal_notes_never_show_on_the_status_page(client, support_team, agent):
    from herodesk.conversations.actions import do_add_note

    response = submit(client)
    link = re.search(r'id="status-link" href="([^"]+)"', response.content.decode()).group(1)
    do_add_note(Conversation.objects.get(), agent, "Secret internal remark")
    assert "Secret internal remark" not in client.get(link).content.decode()


def test_unknown_link_is_404(client):
    assert client.get(reverse("webform:status", args=["not-a-token"])).status_code == 404


def test_honeypot_submission_is_silently_dropped(client):
    response = submit(client, website="http://spam.example")
    assert response.status_code == 200
    assert Conversation.objects.count() == 0


def test_rate_limit_per_address(client, settings, support_team):
    settings.WEBFORM_RATE_LIMIT = 2
    submit(client)
    submit(client)
    response = submit(client)
    assert "Too many messages" in response.content.decode()
    assert Conversation.objects.count() == 2


def test_oversized_attachment_is_refused_with_a_clear_message(client, settings):
    settings.MAX_ATTACHMENT_BYTES = 10
    response = submit(client, attachment=SimpleUploadedFile("big.bin", b"x" * 11))
    assert "larger than" in response.content.decode()
    assert Conversation.objects.count() == 0


def test_missing_fields_show_errors_and_keep_the_input(client):
    response = submit(client, email="", message="Keep me")
    body = response.content.decode()
    assert "This field is required" in body and "Keep me" in body


# --- Limits that cannot be walked around (issue 14, finding 14) ----------------------------------------


def test_plus_addresses_count_as_one_address(client, support_team, settings):
    settings.WEBFORM_RATE_LIMIT = 2
    statuses = [submit(client, email=f"wanda+{n}@example.com").status_code for n in range(3)]
    assert Conversation.objects.count() == 2 and statuses == [200, 200, 200]
    assert b"Too many messages from this address" in submit(client, email="Wanda@example.com").content


def test_new_addresses_from_one_network_are_limited_too(client, support_team, settings):
    settings.WEBFORM_NETWORK_RATE_LIMIT = 3
    url = reverse("webform:contact")
    for n in range(5):
        client.post(url, {**FORM, "email": f"stranger{n}@example.net"}, REMOTE_ADDR=f"203.0.113.{n + 1}")
    assert Conversation.objects.count() == 3
    other_network = client.post(url, {**FORM, "email": "someone@example.org"}, REMOTE_ADDR="198.51.100.7")
    assert other_network.status_code == 200 and Conversation.objects.count() == 4


def test_status_link_replies_are_limited(client, support_team, settings):
    settings.WEBFORM_REPLY_RATE_LIMIT = 2
    page = submit(client)
    link = re.search(r'id="status-link" href="([^"]+)"', page.content.decode()).group(1)
    for n in range(4):
        client.post(link, {"message": f"Any news? ({n})"})
    conversation = Conversation.objects.get()
    # The first message came through the form itself; then two replies within the limit.
    assert conversation.messages.filter(kind=Message.Kind.CUSTOMER).count() == 2
    refused = client.post(link, {"message": "Hello?"})
    assert b"Too many messages in the last hour" in refused.content


def test_an_oversized_upload_is_refused_before_it_is_read(client, support_team, settings):
    settings.MAX_ATTACHMENT_BYTES = 1024
    big = SimpleUploadedFile("video.mp4", b"x" * 600_000, "video/mp4")  # over the limit with the text
    response = submit(client, attachment=big)
    assert response.status_code == 413
    assert b"too large" in response.content and not Conversation.objects.exists()
