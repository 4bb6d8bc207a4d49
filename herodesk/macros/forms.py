"""Forms of the saved reply pages."""

from __future__ import annotations

from django import forms
from django.conf import settings

from herodesk.accounts.models import Team, User
from herodesk.conversations.models import ContactReason
from herodesk.params import MAX_ID

STATUS_CHOICES = [
    ("", "keep status"),
    ("open", "Open"),
    ("pending", "Pending (waiting on customer)"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
]


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class SavedReplyForm(forms.Form):
    title = forms.CharField(max_length=100)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=10_000, label="Text")
    team = forms.ModelChoiceField(
        Team.objects.none(), required=False, empty_label="Personal (only me)", label="Shared with"
    )
    set_status = forms.ChoiceField(choices=STATUS_CHOICES, required=False, label="Then set status")
    add_tags = forms.CharField(max_length=200, required=False, label="Add tags", help_text="Comma-separated")
    contact_reason = forms.ModelChoiceField(
        ContactReason.objects.filter(active=True), required=False, empty_label="keep reason"
    )
    assign_to = AgentChoiceField(
        User.objects.filter(is_active=True).order_by("first_name", "username"),
        required=False,
        empty_label="keep owner",
        label="Assign to",
    )
    transfer_to = forms.ModelChoiceField(
        Team.objects.order_by("name"), required=False, empty_label="no transfer", label="Transfer to team"
    )
    transfer_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Hand-off note"
    )

    def __init__(self, *args, teams: list[Team], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Team.objects.filter(pk__in=[team.pk for team in teams]).order_by("name")


class SendSavedReplyForm(forms.Form):
    text = forms.CharField(max_length=settings.MAX_MESSAGE_CHARS)
    saved_reply = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    attachment = forms.FileField(required=False)
    then_status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    # The newest message the agent had on screen: the same collision check as a plain reply.
    seen_message = forms.IntegerField(required=False, min_value=0, max_value=MAX_ID, widget=forms.HiddenInput)
