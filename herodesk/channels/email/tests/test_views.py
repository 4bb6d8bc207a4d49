"""Mailbox admin pages (admins only) and the inbound webhook."""

from __future__ import annotations

import pytest
from django.urls import reverse

from herodesk.channels.email import credentials, intake
from herodesk.channels.email.actions import do_issue_webhook_token
from herodesk.channels.email.models import InboundMail, Mailbox
from herodesk.channels.email.tests.mails import raw_mail
from herodesk.conversations.models import Conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_agents_get_403_and_anonymous_users_the_login_page(client, agent, mailbox):
    pages = [
        reverse("email_channel:mailboxes"),
        reverse("email_channel:mailbox_new"),
        reverse("email_channel:mailbox_edit", args=[mailbox.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 302
    client.force_login(agent)
    for url in pages:
        assert client.get(url).status_code == 403
    assert client.post(reverse("email_channel:mailbox_poll", args=[mailbox.pk])).status_code == 403


def test_unknown_mailbox_is_404_for_admins(admin_client):
    assert admin_client.get(reverse("email_channel:mailbox_edit", args=[999])).status_code == 404


def test_list_shows_health(admin_client, mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host="imap.example.com", imap_user="u", failures=2, last_error="login failed"
    )
    page = admin_client.get(reverse("email_channel:mailboxes")).content.decode()
    assert "support@desk.example" in page and "failing (2×)" in page and "login failed" in page


def test_admin_creates_a_mailbox_and_the_password_is_never_shown_back(admin_client, support_team):
    response = admin_client.post(
        reverse("email_channel:mailbox_new"),
        {
            "name": "Billing",
            "address": "Billing@Desk.example",
            "team": support_team.pk,
            "active": "on",
            "imap_host": "imap.desk.example",
            "imap_port": 993,
            "imap_security": "tls",
            "imap_user": "billing",
            "imap_folder": "INBOX",
            "password_source": "stored",
            "imap_password": "s3cret-imap-pass",
            "poll_interval_minutes": 5,
            "auto_ack_text": "We reply within 4 business hours.",
            "smtp_port": 587,
            "smtp_security": "starttls",
        },
    )
    mailbox = Mailbox.objects.get(name="Billing")
    assert response.status_code == 302
    assert mailbox.address == "billing@desk.example"
    assert mailbox.password_encrypted and "s3cret" not in mailbox.password_encrypted
    page = admin_client.get(reverse("email_channel:mailbox_edit", args=[mailbox.pk])).content.decode()
    assert "s3cret-imap-pass" not in page and mailbox.password_encrypted not in page
    assert credentials.mailbox_password(mailbox) == "s3cret-imap-pass"


def test_form_requires_the_variable_name_for_env_passwords(admin_client):
    response = admin_client.post(
        reverse("email_channel:mailbox_new"),
        {"name": "X", "address": "x@desk.example", "password_source": "env", "imap_port": 993,
         "imap_security": "tls", "imap_folder": "INBOX", "poll_interval_minutes": 1, "smtp_port": 587,
         "smtp_security": "starttls", "auto_ack_text": "t"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Name the environment variable" in response.content.decode()


def test_form_refuses_a_server_file_or_variable_as_password_source(admin_client):
    base = {"name": "X", "address": "x@desk.example", "imap_port": 993, "imap_security": "tls",
            "imap_folder": "INBOX", "poll_interval_minutes": 1, "smtp_port": 587,
            "smtp_security": "starttls", "auto_ack_text": "t"}  # fmt: skip
    url = reverse("email_channel:mailbox_new")
    as_file = admin_client.post(url, {**base, "password_source": "file", "password_file": "/etc/shadow"})
    assert "Password files must be inside" in as_file.content.decode()
    as_env = admin_client.post(url, {**base, "password_source": "env", "password_env": "HERODESK_SECRET_KEY"})
    assert "must start with HERODESK_MAILBOX_" in as_env.content.decode()
    assert not Mailbox.objects.filter(name="X").exists()


def test_test_connection_reports_an_unreachable_server(admin_client, mailbox):
    from herodesk.bench.mailservers import free_port

    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host="127.0.0.1", imap_port=free_port(), imap_user="u", imap_security="none"
    )
    response = admin_client.post(reverse("email_channel:mailbox_test", args=[mailbox.pk]), follow=True)
    page = response.content.decode()
    assert "IMAP: cannot connect to 127.0.0.1" in page and "SMTP: uses the desk" in page


def test_poll_now_polls_and_records_the_outcome(admin_client, mailbox):
    from herodesk.bench.mailservers import free_port

    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host="127.0.0.1", imap_port=free_port(), imap_user="u", imap_security="none"
    )
    response = admin_client.post(reverse("email_channel:mailbox_poll", args=[mailbox.pk]))
    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.failures == 1 and "cannot connect" in mailbox.last_error


def test_webhook_token_page_shows_the_token_once(admin_client, mailbox):
    response = admin_client.post(reverse("email_channel:mailbox_webhook_token", args=[mailbox.pk]))
    token = response.context["token"]
    mailbox.refresh_from_db()
    assert token in response.content.decode() and token not in mailbox.webhook_token_hash


def test_reprocess_button_files_a_refused_mail(admin_client, mailbox, settings):
    settings.EMAIL_SENDER_RATE_LIMIT = 0
    inbound = intake.ingest(raw_mail(), mailbox)
    settings.EMAIL_SENDER_RATE_LIMIT = 20
    admin_client.post(reverse("email_channel:inbound_reprocess", args=[inbound.pk]))
    inbound.refresh_from_db()
    assert inbound.state == InboundMail.State.PROCESSED


# --- Webhook ----------------------------------------------------------------------------------------


def test_webhook_with_the_token_files_the_mail(client, mailbox):
    token = do_issue_webhook_token(mailbox)
    response = client.post(
        reverse("email_channel:inbound", args=[mailbox.pk]),
        data=raw_mail(),
        content_type="message/rfc822",
        HTTP_X_HERODESK_TOKEN=token,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "processed" and body["conversation"] == Conversation.objects.get().pk
    assert InboundMail.objects.get().source == InboundMail.Source.WEBHOOK


def test_webhook_accepts_a_bearer_token_and_reports_refusals(client, mailbox):
    token = do_issue_webhook_token(mailbox)
    response = client.post(
        reverse("email_channel:inbound", args=[mailbox.pk]),
        data=b"not a mail at all",
        content_type="message/rfc822",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200 and response.json()["state"] == "rejected"


def test_webhook_without_or_with_a_wrong_token_is_403_and_stores_nothing(client, mailbox):
    url = reverse("email_channel:inbound", args=[mailbox.pk])
    assert client.post(url, data=raw_mail(), content_type="message/rfc822").status_code == 403
    do_issue_webhook_token(mailbox)
    wrong = client.post(
        url, data=raw_mail(), content_type="message/rfc822", HTTP_X_HERODESK_TOKEN="hdm_wrong"
    )
    assert wrong.status_code == 403
    assert client.get(url).status_code == 405
    assert not InboundMail.objects.exists()
