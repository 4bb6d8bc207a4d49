from __future__ import annotations

from django import forms
from django.conf import settings


class ContactForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.EmailField()
    subject = forms.CharField(max_length=300)
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=settings.MAX_MESSAGE_CHARS)
    attachment = forms.FileField(required=False)
    # Honeypot: hidden from people by CSS; bots fill every field.
    website = forms.CharField(required=False, label="Leave this empty")

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload and upload.size > settings.MAX_ATTACHMENT_BYTES:
            limit = settings.MAX_ATTACHMENT_BYTES // (1024 * 1024)
            raise forms.ValidationError(
                f"The attachment is larger than {limit} MB. Please send a smaller file."
            )
        return upload


class CustomerReplyForm(forms.Form):
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=settings.MAX_MESSAGE_CHARS)
