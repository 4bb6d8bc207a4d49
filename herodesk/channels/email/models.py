"""Mailboxes the desk reads, and every inbound mail exactly as it arrived (stored before it is parsed)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models

from herodesk.accounts.models import Team
from herodesk.conversations.models import Conversation, Message

DEFAULT_ACK_TEXT = (
    "Thank you for writing to us. We have received your message and will reply within 4 business hours."
)


class Security(models.TextChoices):
    TLS = "tls", "TLS (implicit, e.g. port 993 / 465)"
    STARTTLS = "starttls", "STARTTLS (e.g. port 143 / 587)"
    NONE = "none", "None (only on a trusted network)"


class PasswordSource(models.TextChoices):
    STORED = "stored", "Stored in the desk (encrypted)"
    ENV = "env", "Environment variable"
    FILE = "file", "File on the server"


def hash_webhook_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_webhook_token() -> str:
    return "hdm_" + secrets.token_urlsafe(32)


class Mailbox(models.Model):
    """One address customers write to, read over IMAP (and/or fed by a pipe or webhook)."""

    name = models.CharField(max_length=100)
    address = models.EmailField(unique=True, help_text="The address customers write to.")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    active = models.BooleanField(default=True, help_text="Inactive mailboxes are not polled.")

    imap_host = models.CharField(max_length=255, blank=True, help_text="Blank: no IMAP (pipe/webhook only).")
    imap_port = models.PositiveIntegerField(default=993)
    imap_security = models.CharField(max_length=10, choices=Security.choices, default=Security.TLS)
    imap_user = models.CharField(max_length=255, blank=True)
    imap_folder = models.CharField(max_length=255, default="INBOX")
    password_source = models.CharField(
        max_length=10, choices=PasswordSource.choices, default=PasswordSource.STORED
    )
    password_env = models.CharField(max_length=100, blank=True, help_text="Name of the variable.")
    password_file = models.CharField(max_length=500, blank=True, help_text="Path of the file.")
    password_encrypted = models.TextField(blank=True, editable=False)
    poll_interval_minutes = models.PositiveSmallIntegerField(default=1)
    move_to_folder = models.CharField(
        max_length=255, blank=True, help_text="Move mail here once it is filed. Blank: leave it in place."
    )

    auto_ack = models.BooleanField(default=False, help_text="Acknowledge each new conversation by email.")
    auto_ack_text = models.TextField(default=DEFAULT_ACK_TEXT)

    smtp_host = models.CharField(max_length=255, blank=True, help_text="Blank: the desk's global SMTP.")
    smtp_port = models.PositiveIntegerField(default=587)
    smtp_security = models.CharField(max_length=10, choices=Security.choices, default=Security.STARTTLS)
    smtp_user = models.CharField(max_length=255, blank=True)
    smtp_password_encrypted = models.TextField(blank=True, editable=False)

    webhook_token_hash = models.CharField(max_length=64, blank=True, editable=False)

    # IMAP progress: every UID up to last_uid under this UIDVALIDITY has a stored InboundMail.
    uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(default=0, editable=False)

    # Health, shown to admins.
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    failures = models.PositiveIntegerField(default=0, editable=False, help_text="Consecutive failed polls.")
    next_poll_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The poll lease: who holds it ("host:pid") and until when; the holder renews it as it works (a
    # heartbeat), so a killed poll's lease runs out within a minute, at once on its own host.
    poll_lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    poll_holder = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    @property
    def uses_imap(self) -> bool:
        return bool(self.imap_host and self.imap_user)

    @property
    def healthy(self) -> bool:
        return self.failures == 0


class InboundMail(models.Model):
    """One received mail, raw bytes first; ``state`` says how far intake got with it."""

    class Source(models.TextChoices):
        IMAP = "imap", "IMAP"
        PIPE = "pipe", "Mail server pipe"
        WEBHOOK = "webhook", "Webhook"

    class State(models.TextChoices):
        RECEIVED = "received", "Received, not yet filed"
        PROCESSED = "processed", "Filed"
        DUPLICATE = "duplicate", "Duplicate of a filed mail"
        REJECTED = "rejected", "Refused"
        FAILED = "failed", "Failed (can be reprocessed)"

    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mails"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    raw = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)

    message_id_header = models.CharField(max_length=998, blank=True, db_index=True, help_text="Without <>.")
    from_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    auto_submitted = models.BooleanField(default=False)

    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED)
    reason = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mails"
    )
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    received_at = models.DateTimeField()
    # When the mail server got it (IMAP INTERNALDATE); empty for a pipe or webhook, whose mail arrives as
    # it is received. The sender rate limit's backlog exception uses this, never the forgeable Date header.
    arrived_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"],
                condition=models.Q(uid__isnull=False),
                name="inbound_unique_imap_uid",
            )
        ]
        indexes = [
            models.Index(fields=["from_address", "received_at"], name="inbound_sender"),
            models.Index(fields=["state", "received_at"], name="inbound_state"),
            models.Index(fields=["mailbox", "-received_at"], name="inbound_mailbox"),
        ]

    def __str__(self) -> str:
        return f"Inbound mail {self.pk} ({self.state})"

    @property
    def done(self) -> bool:
        return self.state not in (self.State.RECEIVED, self.State.FAILED)
