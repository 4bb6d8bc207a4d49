"""The SLA policy form: conditions, targets in business hours and minutes, the warning lead time."""

from __future__ import annotations

from django import forms

from herodesk.accounts.models import Team, User
from herodesk.conversations.models import Channel, ContactReason, Conversation
from herodesk.customers.models import Organization
from herodesk.slas.actions import PolicyFields
from herodesk.slas.models import SlaPolicy

MAX_MINUTES = 60 * 24 * 365


def minutes_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_MINUTES, required=False)


class PolicyForm(forms.Form):
    name = forms.CharField(max_length=100)
    position = forms.IntegerField(
        min_value=0, max_value=1_000_000, initial=100, help_text="Lower is tried first."
    )
    active = forms.BooleanField(required=False, initial=True)
    team = forms.ModelChoiceField(Team.objects.all(), required=False, empty_label="Any team")
    priority = forms.TypedChoiceField(
        choices=[("", "Any priority"), *Conversation.Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    channel = forms.ChoiceField(choices=[("", "Any channel"), *Channel.choices], required=False)
    contact_reason = forms.ModelChoiceField(
        ContactReason.objects.filter(active=True), required=False, empty_label="Any contact reason"
    )
    organization = forms.ModelChoiceField(
        Organization.objects.all(), required=False, empty_label="Any organization"
    )
    first_reply_minutes = minutes_field("First reply within (business minutes)")
    next_reply_minutes = minutes_field("Every next reply within (business minutes)")
    resolution_minutes = minutes_field("Resolved within (business minutes)")
    warn_before_minutes = forms.IntegerField(
        label="Warn the owner this many minutes before", min_value=0, max_value=60 * 24 * 7, initial=30
    )

    @classmethod
    def for_policy(cls, policy: SlaPolicy) -> PolicyForm:
        return cls(
            initial={
                "name": policy.name,
                "position": policy.position,
                "active": policy.active,
                "team": policy.team_id,
                "priority": policy.priority or "",
                "channel": policy.channel,
                "contact_reason": policy.contact_reason_id,
                "organization": policy.organization_id,
                "first_reply_minutes": policy.first_reply_minutes,
                "next_reply_minutes": policy.next_reply_minutes,
                "resolution_minutes": policy.resolution_minutes,
                "warn_before_minutes": policy.warn_before_minutes,
            }
        )

    def fields_for_action(self) -> PolicyFields:
        data = self.cleaned_data
        return PolicyFields(
            name=data["name"],
            position=data["position"],
            active=data["active"],
            team_id=data["team"].pk if data["team"] else None,
            priority=data["priority"],
            channel=data["channel"] or "",
            contact_reason_id=data["contact_reason"].pk if data["contact_reason"] else None,
            organization_id=data["organization"].pk if data["organization"] else None,
            first_reply_minutes=data["first_reply_minutes"],
            next_reply_minutes=data["next_reply_minutes"],
            resolution_minutes=data["resolution_minutes"],
            warn_before_minutes=data["warn_before_minutes"],
        )


class ScheduleForm(forms.Form):
    text = forms.CharField(max_length=100_000)
    send_at = forms.DateTimeField(label="Send at")
    follow_up = forms.BooleanField(required=False)


class EditScheduledForm(forms.Form):
    text = forms.CharField(max_length=100_000)
    send_at = forms.DateTimeField(label="Send at")


class RenegotiateForm(forms.Form):
    due_at = forms.DateTimeField(label="New due time")
    message = forms.CharField(max_length=100_000, label="Message to the customer")


class HandOverForm(forms.Form):
    owner = forms.ModelChoiceField(User.objects.filter(is_active=True), label="Hand over to")
