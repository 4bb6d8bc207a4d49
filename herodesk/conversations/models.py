"""Conversations, their messages and attachments, and the event trail of every change."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from herodesk.accounts.models import Team
from herodesk.customers.models import Customer


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBFORM = "webform", "Web form"
    PHONE = "phone", "Phone"
    API = "api", "API"


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ContactReason(models.Model):
    """Why the customer got in touch, in the team's own words (e.g. "billing: first bill higher")."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def new_reply_token() -> str:
    return secrets.token_hex(8)


class Conversation(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "Open"
        PENDING = "pending", "Pending (waiting on customer)"
        SNOOZED = "snoozed", "Snoozed"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    class Priority(models.IntegerChoices):
        LOW = 1, "Low"
        NORMAL = 2, "Normal"
        HIGH = 3, "High"
        URGENT = 4, "Urgent"

    OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING)
    DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)

    subject = models.CharField(max_length=300)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="conversations"
    )
    # No single-column indexes: the (team|owner, is_open, activity) indexes below serve these lookups and
    # let the inbox read one page in order; a lone FK index tempts SQLite into sorting every match.
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, help_text="Channel of first contact.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    # Kept after a customer reply wakes the conversation, as a visible reminder.
    snoozed_until = models.DateTimeField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    tags = models.ManyToManyField(Tag, blank=True, related_name="conversations")
    contact_reason = models.ForeignKey(
        ContactReason, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    suggested_reason = models.ForeignKey(
        ContactReason, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggested_reason_confidence = models.FloatField(null=True, blank=True)
    reply_token = models.CharField(max_length=32, unique=True, default=new_reply_token, editable=False)

    created_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField()
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    # Transfers back to a team or agent the conversation had already left (customer effort; leads see it).
    bounce_back_count = models.PositiveSmallIntegerField(default=0, db_default=0)  # db_default: bulk seeding
    # A conversation merged into another one: its page redirects there.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    # The next SLA target's deadline (owned by herodesk.slas), cached so the inbox sorts and shows it.
    sla_due_at = models.DateTimeField(null=True, blank=True)

    # Cached hero signals (owned by herodesk.insights) so the inbox sorts and badges without joins.
    intensity = models.FloatField(null=True, blank=True)
    effort = models.PositiveSmallIntegerField(null=True, blank=True)
    awaiting_relief = models.BooleanField(default=False)
    # 1 while new, open or pending, else 0; derived by the database. The inbox views filter on
    # ``is_open = 1`` and read an (owner|team, is_open, activity) index in order instead of sorting
    # every open conversation. An integer, not a boolean: SQLite only uses an index for an explicit
    # equality, and Django writes a boolean filter as a bare column.
    is_open = models.GeneratedField(
        expression=models.Case(
            models.When(status__in=["new", "open", "pending"], then=models.Value(1)),
            default=models.Value(0),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )

    class Meta:
        indexes = [
            models.Index(fields=["-last_activity_at", "-id"], name="conv_activity"),
            models.Index(fields=["is_open", "-last_activity_at", "-id"], name="conv_open_activity"),
            models.Index(fields=["status", "-last_activity_at", "-id"], name="conv_status_activity"),
            models.Index(fields=["owner", "is_open", "-last_activity_at", "-id"], name="conv_owner_activity"),
            models.Index(fields=["team", "is_open", "-last_activity_at", "-id"], name="conv_team_activity"),
            models.Index(fields=["customer", "-created_at"], name="conv_customer"),
            models.Index(fields=["awaiting_relief", "-intensity"], name="conv_relief"),
            models.Index(fields=["status", "snoozed_until"], name="conv_snooze"),
            # The SLA job and the inbox's "due first" order read open conversations by deadline.
            models.Index(fields=["is_open", "sla_due_at"], name="conv_sla_due"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def tag_names(self) -> list[str]:
        """Tag names, as a list query loaded them (``listed_tag_names``, or the ``tag_list`` prefetch)."""
        listed: list[str] | None = getattr(self, "listed_tag_names", None)
        if listed is not None:
            return listed
        tags = getattr(self, "tag_list", None)
        if tags is None:
            tags = self.tags.all()
        return [tag.name for tag in tags]


class Message(models.Model):
    class Direction(models.TextChoices):
        IN = "in", "Incoming"
        OUT = "out", "Outgoing"

    class Kind(models.TextChoices):
        CUSTOMER = "customer", "Customer message"
        REPLY = "reply", "Agent reply"
        NOTE = "note", "Internal note"
        PHONE = "phone", "Phone note"
        SYSTEM = "system", "System event"

    class SendStatus(models.TextChoices):
        NONE = "", "Not sent"
        SCHEDULED = "scheduled", "Scheduled"
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    text = models.TextField(help_text="Plain text: for email, the new part without quotes or signature.")
    html = models.TextField(blank=True, help_text="Sanitized HTML, when the source had HTML.")
    full_text = models.TextField(blank=True, help_text="The whole original body, quotes included.")
    created_at = models.DateTimeField()

    external_id = models.CharField(max_length=998, blank=True, db_index=True, help_text="Message-ID.")
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)

    send_status = models.CharField(max_length=10, choices=SendStatus.choices, blank=True, default="")
    send_error = models.TextField(blank=True)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A reply written now and sent later (scheduled send), or a follow-up sent unless the customer writes.
    scheduled_for = models.DateTimeField(null=True, blank=True)

    # Hero signals for this message (owned by herodesk.insights): intensity, reasons, behaviours.
    intensity = models.FloatField(null=True, blank=True)
    signals = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="msg_conversation"),
            # The scheduled-send job finds what is due without reading every message.
            models.Index(
                fields=["scheduled_for"],
                name="msg_scheduled",
                condition=models.Q(send_status="scheduled"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.conversation_id}"

    @property
    def is_from_customer(self) -> bool:
        return self.kind == self.Kind.CUSTOMER


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.message.conversation_id}/{secrets.token_hex(8)}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=500)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255, default="application/octet-stream")
    size = models.PositiveIntegerField()
    content_id = models.CharField(max_length=255, blank=True, help_text="For inline images (cid:).")
    inline = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.filename


class Event(models.Model):
    """One change, by whom and when: the audit trail and the raw material for effort analysis."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        ASSIGNED = "assigned", "Assigned"
        TRANSFERRED = "transferred", "Transferred"
        STATUS = "status", "Status changed"
        SNOOZED = "snoozed", "Snoozed"
        WOKEN = "woken", "Woken up"
        REOPENED = "reopened", "Reopened"
        TAGGED = "tagged", "Tag added"
        UNTAGGED = "untagged", "Tag removed"
        PRIORITY = "priority", "Priority changed"
        REASON = "reason", "Contact reason set"
        CUSTOMER = "customer", "Customer set"
        SUBJECT = "subject", "Subject changed"
        MERGED = "merged", "Customers merged"
        CUSTOMER_CHANGED = "customer_changed", "Customer changed"
        CUSTOMER_DELETED = "customer_deleted", "Customer deleted"
        CHANNEL_SWITCH = "channel_switch", "Customer switched channel"
        DELIVERY_FAILED = "delivery_failed", "Reply not delivered"
        SNOOZE_CLEARED = "snooze_cleared", "Snooze reminder cleared"
        HANDOFF_SEEN = "handoff_seen", "Hand-off note read"
        MERGED_INTO = "merged_into", "Merged into another conversation"
        MERGED_FROM = "merged_from", "Conversation merged in"
        SPLIT_OFF = "split_off", "Message split off"
        SPLIT_FROM = "split_from", "Split from another conversation"
        # Quality reviews (herodesk.quality)
        REVIEW_SUBMITTED = "review_submitted", "Quality review submitted"
        REVIEW_ACKNOWLEDGED = "review_acknowledged", "Quality review acknowledged"
        REVIEW_DISPUTED = "review_disputed", "Quality score disputed"
        DISPUTE_RESOLVED = "dispute_resolved", "Quality dispute resolved"
        ADMIN_CHANGE = "admin_change", "Settings changed"  # no conversation: agents, teams, reasons, tags
        # Promise follow-through and scheduled replies (recorded by insights and slas through do_record_event)
        PROMISE_KEPT = "promise_kept", "Promise marked kept"
        PROMISE_RENEGOTIATED = "promise_renegotiated", "Promise renegotiated"
        PROMISE_HANDED_OVER = "promise_handed_over", "Promise handed over"
        REPLY_SCHEDULED = "reply_scheduled", "Reply scheduled"
        SCHEDULED_CANCELLED = "scheduled_cancelled", "Scheduled reply cancelled"
        FOLLOW_UP_CANCELLED = "follow_up_cancelled", "Follow-up cancelled: the customer wrote"

    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # One of Kind, checked in code rather than by the schema: apps add kinds of events without a
    # migration of this table (see get_kind_display for the words a person reads).
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True, help_text="The hand-off note of a transfer.")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="event_conversation")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.conversation_id}"

    def get_kind_display(self) -> str:
        try:
            return str(Event.Kind(self.kind).label)
        except ValueError:  # a kind this version does not know (e.g. written by a newer one)
            return self.kind.replace("_", " ").capitalize()


class SearchDocument(models.Model):
    """PostgreSQL full-text vector per conversation. SQLite keeps its FTS5 table instead (see search.py)."""

    conversation = models.OneToOneField(
        Conversation, primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    vector = SearchVectorField(null=True)

    def __str__(self) -> str:
        return f"Search entry for #{self.conversation_id}"


class PendingWork(models.Model):
    """Work owed to a conversation after a commit (its search entry, its analysis), recorded in the same
    transaction as the change: a crash right after the commit delays the work, never loses it. The
    after-commit step does it and deletes the row; a periodic sweep finishes rows a crash left behind."""

    class Kind(models.TextChoices):
        INDEX = "index", "Search index"
        ANALYSE = "analyse", "Analysis"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.kind} #{self.conversation_id}"
