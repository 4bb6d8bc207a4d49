"""Who has a conversation open right now, and who is typing in it: one row per agent and conversation.

Each open conversation screen refreshes its row every few seconds (an htmx poll), so a row older than
LIVE_SECONDS means the agent left. Kept in the database: it works on the embedded SQLite default and
behind a load balancer alike, with no shared cache or socket server.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from herodesk.conversations.models import Conversation


class Presence(models.Model):
    class Typing(models.TextChoices):
        NONE = "", "Viewing"
        REPLY = "reply", "Typing a reply"
        NOTE = "note", "Typing a note"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    typing = models.CharField(max_length=10, choices=Typing.choices, blank=True, default="")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Also the index the screen reads: the rows of one conversation.
            models.UniqueConstraint(fields=["conversation", "user"], name="presence_once_per_agent"),
        ]
        indexes = [models.Index(fields=["seen_at"], name="presence_expiry")]

    def __str__(self) -> str:
        return f"{self.user_id} on #{self.conversation_id} ({self.typing or 'viewing'})"
