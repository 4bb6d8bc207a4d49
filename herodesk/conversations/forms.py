"""Forms for the agent's conversation pages. They parse input only; actions do the work."""

from __future__ import annotations

from django import forms
from django.conf import settings

from herodesk.accounts.models import Team, User
from herodesk.conversations.models import Channel, ContactReason, Conversation

STATUS_CHOICES = [
    (Conversation.Status.OPEN, "Open"),
    (Conversation.Status.PENDING, "Pending"),
    (Conversation.Status.RESOLVED, "Resolved"),
    (Conversation.Status.CLOSED, "Closed"),
]


class ReplyForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=settings.MAX_MESSAGE_CHARS)
    then_status = forms.ChoiceField(choices=[("", "Keep status"), *STATUS_CHOICES], required=False)
    attachment = forms.FileField(required=False)


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=settings.MAX_MESSAGE_CHARS)
    kind = forms.ChoiceField(choices=[("note", "Internal note"), ("phone", "Phone note")], initial="note")


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_CHOICES)


class SnoozeForm(forms.Form):
    until = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


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
