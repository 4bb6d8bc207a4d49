"""What the hero signals leave behind in the desk: promises agents made and must keep."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from herodesk.conversations.models import Conversation, Message


class Promise(models.Model):
    """A commitment written in an agent reply, tracked until the owner acts on the conversation."""

    class Kind(models.TextChoices):
        SPECIFIC = "specific", "Specific"
        VAGUE = "vague", "Vague"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        KEPT = "kept", "Kept"
        BROKEN = "broken", "Broken"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="promises")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="promises")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="promises"
    )
    text = models.TextField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_at = models.DateTimeField(null=True, blank=True)
    # For a vague promise: the specific wording the agent could have used (shown for coaching).
    suggestion = models.TextField(blank=True, default="")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    kept_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["owner", "state", "due_at"], name="promise_owner_state")]

    def __str__(self) -> str:
        return self.text[:80]
