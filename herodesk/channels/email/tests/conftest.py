"""Fixtures of the email channel's tests: a mailbox, ingesting raw mail, and the real mail servers."""

from __future__ import annotations

import pytest

from herodesk.channels.email.models import Mailbox


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.DEFAULT_FROM_EMAIL = "help@desk.example"
    settings.SERVER_EMAIL = "help@desk.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def mailbox(support_team):
    """support@desk.example, owned by the Support team, with no IMAP (fed by pipe or webhook)."""
    return Mailbox.objects.create(name="Support", address="support@desk.example", team=support_team)
