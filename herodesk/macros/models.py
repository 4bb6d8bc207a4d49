"""Saved replies (macros): personal or team texts with variables, and changes applied when one is sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from herodesk.accounts.models import Team
from herodesk.conversations.models import ContactReason


class SavedReply(models.Model):
    """A reply an agent inserts from the compose box. Exactly one of ``owner`` (personal) or ``team``."""

    title = models.CharField(max_length=100)
    body = models.TextField(
        help_text="The text, with variables like {first_name} or {next business day 16:00}."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_replies",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="saved_replies"
    )

    # Optional changes made to the conversation when the reply is sent (blank: leave as it is).
    set_status = models.CharField(max_length=10, blank=True)
    add_tags = models.CharField(max_length=200, blank=True, help_text="Comma-separated tags to add.")
    contact_reason = models.ForeignKey(
        ContactReason, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    transfer_to = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    transfer_note = models.TextField(blank=True, help_text="The hand-off note when the reply transfers.")

    usage_count = models.PositiveIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(owner__isnull=False, team__isnull=True)
                    | models.Q(owner__isnull=True, team__isnull=False)
                ),
                name="saved_reply_personal_or_team",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_personal(self) -> bool:
        return self.owner_id is not None

    @property
    def tag_list(self) -> list[str]:
        return [name.strip() for name in self.add_tags.split(",") if name.strip()]

    @property
    def has_actions(self) -> bool:
        return bool(
            self.set_status
            or self.tag_list
            or self.contact_reason_id
            or self.assign_to_id
            or self.transfer_to_id
        )
