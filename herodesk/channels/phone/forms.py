"""The "log a call" form: notes first; everything else may be filled in afterwards."""

from __future__ import annotations

from typing import Any

from django import forms

from herodesk.conversations.actions import PhoneCall
from herodesk.conversations.models import ContactReason, Conversation
from herodesk.customers.actions import CustomerDetails


class PhoneCallForm(forms.Form):
    """Log a call: notes first; everything else may be filled in afterwards (required only at resolve)."""

    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 10, "autofocus": True}))
    subject = forms.CharField(max_length=300, required=False)
    name = forms.CharField(max_length=200, required=False)
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False)
    contact_reason = forms.ModelChoiceField(
        queryset=ContactReason.objects.filter(active=True), required=False, empty_label="—"
    )
    tags = forms.CharField(required=False, max_length=500)
    priority = forms.TypedChoiceField(
        choices=Conversation.Priority.choices, coerce=int, initial=Conversation.Priority.NORMAL
    )
    resolve = forms.BooleanField(required=False, help_text="Resolved during the call")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("name", "").strip() and not data.get("email") and not data.get("phone"):
            # A name alone cannot find or create a customer: say so instead of dropping it.
            self.add_error("phone", "Give the caller's phone number or email address to keep their name.")
        return data

    def call(self) -> PhoneCall:
        data = self.cleaned_data
        return PhoneCall(
            notes=data["notes"],
            subject=data.get("subject") or "",
            customer=CustomerDetails(
                name=data.get("name") or "", email=data.get("email") or "", phone=data.get("phone") or ""
            ),
            contact_reason=data.get("contact_reason"),
            tags=[tag.strip() for tag in (data.get("tags") or "").split(",") if tag.strip()],
            priority=data.get("priority") or Conversation.Priority.NORMAL,
            resolve=bool(data.get("resolve")),
        )
