"""Forms for the agent's conversation pages. They parse input only; actions do the work."""

from __future__ import annotations

from django import forms
from django.conf import settings

from herodesk.accounts.models import Team, User
from herodesk.conversations.models import Channel, ContactReason, Conversation
from herodesk.params import MAX_ID

STATUS_CHOICES = [
    (Conversation.Status.OPEN, "Open"),
    (Conversation.Status.PENDING, "Pending"),
    (Conversation.Status.RESOLVED, "Resolved"),
    (Conversation.Status.CLOSED, "Closed"),
]


def seen_field() -> forms.IntegerField:
    """The newest message id the sender had on screen (the collision check); absent: not checked."""
    return forms.IntegerField(required=False, min_value=0, max_value=MAX_ID, widget=forms.HiddenInput)


class ReplyForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=settings.MAX_MESSAGE_CHARS)
    then_status = forms.ChoiceField(choices=[("", "Keep status"), *STATUS_CHOICES], required=False)
    attachment = forms.FileField(required=False)
    seen_message = seen_field()


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=settings.MAX_MESSAGE_CHARS)
    kind = forms.ChoiceField(choices=[("note", "Internal note"), ("phone", "Phone note")], initial="note")
    seen_message = seen_field()


class EmptyForm(forms.Form):
    """A button with nothing to fill in."""


class MergeForm(forms.Form):
    into = forms.IntegerField(min_value=1, max_value=MAX_ID, label="Merge into")
    confirm = forms.BooleanField(required=True, label="I checked: same customer, same issue")


class SplitForm(forms.Form):
    message = forms.IntegerField(min_value=1, max_value=MAX_ID)


BULK_ACTIONS = [
    ("assign", "Assign to"),
    ("transfer", "Transfer to"),
    ("tag", "Add tag"),
    ("status", "Set status"),
    ("priority", "Set priority"),
]


class BulkForm(forms.Form):
    """One action for the selected inbox rows (their ids are read by the view)."""

    action = forms.ChoiceField(choices=BULK_ACTIONS)
    owner = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), required=False)
    to_team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    to_owner = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), required=False)
    note = forms.CharField(max_length=5000, required=False, label="Hand-off note")
    tag = forms.CharField(max_length=50, required=False)
    status = forms.ChoiceField(choices=[("", "—"), *STATUS_CHOICES], required=False)
    priority = forms.TypedChoiceField(choices=[("", "—"), *Conversation.Priority.choices], coerce=int,
                                      required=False, empty_value=None)  # fmt: skip

    def clean(self):
        data = super().clean() or {}
        action = data.get("action")
        needs = {"transfer": "note", "tag": "tag", "status": "status", "priority": "priority"}
        if action == "transfer" and not (data.get("to_team") or data.get("to_owner")):
            self.add_error("to_team", "Choose a team or an agent to transfer to.")
        if action in needs and data.get(needs[action]) in (None, ""):
            self.add_error(needs[action], "This field is required for this action.")
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_CHOICES)


class SnoozeForm(forms.Form):
    until = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    # The customer asked us to wait (e.g. "call me after the 15th"): SLA clocks stop, as while pending.
    for_customer = forms.BooleanField(required=False)


def agent_choices() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), required=False)


class AssignForm(forms.Form):
    owner = agent_choices()


class TransferForm(forms.Form):
    to_owner = agent_choices()
    to_team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Hand-off note")

    def clean(self):
        data = super().clean() or {}
        if not data.get("to_owner") and not data.get("to_team"):
            raise forms.ValidationError("Choose an agent or a team to hand the conversation to.")
        return data


class TagsForm(forms.Form):
    tags = forms.CharField(required=False, max_length=500, help_text="Comma-separated")

    def tag_names(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(choices=Conversation.Priority.choices, coerce=int)


class ReasonForm(forms.Form):
    contact_reason = forms.ModelChoiceField(
        queryset=ContactReason.objects.filter(active=True), required=False
    )


class CustomerForm(forms.Form):
    """Pick or create the customer of a conversation by email or phone."""

    name = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)

    def clean(self):
        data = super().clean() or {}
        if not data.get("email") and not data.get("phone"):
            raise forms.ValidationError("Give the customer's email address or phone number.")
        return data


CHANNEL_CHOICES = [("", "Any channel"), *Channel.choices]
