"""Service-level policies and the targets they set on conversations (first reply, next reply, resolution)."""

from __future__ import annotations

from django.db import models

from herodesk.accounts.models import Team
from herodesk.conversations.models import Channel, ContactReason, Conversation, Message
from herodesk.customers.models import Organization
from herodesk.insights.models import Promise


class SlaPolicy(models.Model):
    """Targets in business minutes, for the conversations that match every condition that is set.

    Policies are tried in ``position`` order; the first one that matches applies. An empty condition
    matches everything, so a last policy without conditions is the default.
    """

    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=100, help_text="Lower is tried first.")
    active = models.BooleanField(default=True)
    # Conditions (all that are set must match)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    priority = models.PositiveSmallIntegerField(null=True, blank=True, choices=Conversation.Priority.choices)
    channel = models.CharField(max_length=10, blank=True, choices=Channel.choices)
    contact_reason = models.ForeignKey(
        ContactReason, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Targets in business minutes; empty = no target of that kind
    first_reply_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_reply_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    # The owner is warned this many business minutes before a target is due.
    warn_before_minutes = models.PositiveIntegerField(default=30)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """One deadline set on a conversation. Its due time never changes when the policy does.

    Open while neither met nor stopped; ``breached_at`` and ``warned_at`` are stamps the periodic job sets
    once (a conditional update), so a restarted worker never tells anyone twice.
    """

    class Kind(models.TextChoices):
        FIRST_REPLY = "first_reply", "First reply"
        NEXT_REPLY = "next_reply", "Next reply"
        RESOLUTION = "resolution", "Resolution"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="sla_targets")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    policy_name = models.CharField(max_length=100)
    why = models.CharField(max_length=300, blank=True, help_text="Which conditions matched.")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target_seconds = models.PositiveIntegerField(help_text="Business seconds allowed.")
    warn_before_seconds = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0, help_text="Business seconds spent paused.")
    met_at = models.DateTimeField(null=True, blank=True)
    met_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Business seconds from start to met, pauses left out (the report's "time to ...").
    elapsed_seconds = models.PositiveIntegerField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True, help_text="No longer needed (resolved first).")
    warn_at = models.DateTimeField(null=True, blank=True, help_text="When the owner is warned.")
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "kind"], name="sla_target_conversation"),
            # The periodic job reads only running targets not yet breached (or warned), by time.
            models.Index(
                fields=["due_at"],
                name="sla_target_to_breach",
                condition=models.Q(
                    met_at__isnull=True,
                    stopped_at__isnull=True,
                    paused_at__isnull=True,
                    breached_at__isnull=True,
                ),
            ),
            models.Index(
                fields=["warn_at"],
                name="sla_target_to_warn",
                condition=models.Q(
                    met_at__isnull=True,
                    stopped_at__isnull=True,
                    paused_at__isnull=True,
                    warned_at__isnull=True,
                ),
            ),
            models.Index(fields=["started_at"], name="sla_target_started"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.conversation_id}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.stopped_at is None


class FollowUp(models.Model):
    """A scheduled reply that is sent only if the customer has not written since it was scheduled."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="follow_up")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Follow-up {self.message_id}"


class PromiseNotice(models.Model):
    """When the owner was reminded of a promise and the lead told it is overdue: each is sent once."""

    promise = models.OneToOneField(Promise, on_delete=models.CASCADE, related_name="notice")
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_told_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Notices of promise {self.promise_id}"
