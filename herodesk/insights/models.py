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


class HeroMoment(models.Model):
    """One hero moment of a conversation: from the intense customer message that made it until the first
    agent reply or call after it (the relief). Rebuilt from the messages by the analysis job, so a retried
    job or a re-analysis never duplicates it. The deadline is the soonest one the customer stated in their
    own words while waiting (``signals/deadline.py``)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="hero_moments")
    started_at = models.DateTimeField()
    intensity = models.FloatField()
    deadline_at = models.DateTimeField(null=True, blank=True)
    deadline_words = models.CharField(max_length=200, blank=True, default="")
    relieved_at = models.DateTimeField(null=True, blank=True)
    relieved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The conversation's team when it was relieved (time to relief per team).
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    relief_seconds = models.PositiveIntegerField(null=True, blank=True)
    relief_business_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "started_at"], name="hero_moment_once"),
        ]
        indexes = [models.Index(fields=["relieved_at"], name="hero_moment_relieved")]

    def __str__(self) -> str:
        return f"hero moment of conversation {self.conversation_id} at {self.started_at:%Y-%m-%d %H:%M}"
