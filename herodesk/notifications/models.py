"""What an agent is told: mentions, hand-overs, customer replies, promises and SLA targets coming due."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from herodesk.conversations.models import Conversation


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", "Mentioned you"
        ASSIGNED = "assigned", "Assigned to you"
        TRANSFERRED = "transferred", "Transferred to you"
        CUSTOMER_REPLY = "customer_reply", "Customer replied"
        PROMISE_DUE = "promise_due", "Promise due soon"
        PROMISE_OVERDUE = "promise_overdue", "Promise overdue"
        SLA_WARNING = "sla_warning", "SLA target due soon"
        SLA_BREACH = "sla_breach", "SLA target breached"
        FOLLOW_UP = "follow_up", "Follow-up"
        REVIEW = "review", "Quality review"
        KUDOS = "kudos", "Kudos"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # One of Kind; checked in code, so an app adds a kind without a migration (as Event.kind).
    kind = models.CharField(max_length=40)
    text = models.CharField(max_length=300)
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    url = models.CharField(max_length=300, blank=True, help_text="Where opening it leads (a desk path).")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
            models.Index(fields=["emailed_at", "created_at"], name="notification_mail"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text}"

    def get_kind_display(self) -> str:
        try:
            return str(Notification.Kind(self.kind).label)
        except ValueError:
            return self.kind.replace("_", " ").capitalize()

    @property
    def target(self) -> str:
        if self.url:
            return self.url
        return f"/c/{self.conversation_id}/" if self.conversation_id else "/notifications/"


class EmailPreference(models.Model):
    """An agent who also wants their notifications by email, batched: at most one mail per few minutes."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    enabled = models.BooleanField(default=False)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Email notifications for {self.user_id}: {'on' if self.enabled else 'off'}"
