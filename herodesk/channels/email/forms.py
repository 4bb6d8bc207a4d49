"""The admin's mailbox form. Passwords are write-only: the field is always empty when shown."""

from __future__ import annotations

from django import forms

from herodesk.channels.email import credentials
from herodesk.channels.email.models import Mailbox, PasswordSource

# How the form is laid out; the model fields it edits are these minus the write-only passwords.
FIELDSETS = (
    ("Mailbox", ("name", "address", "team", "active")),
    (
        "IMAP (incoming)",
        (
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_user",
            "imap_folder",
            "password_source",
            "password_env",
            "password_file",
            "imap_password",
            "poll_interval_minutes",
            "move_to_folder",
        ),
    ),
    ("Auto-acknowledgement", ("auto_ack", "auto_ack_text")),
    (
        "SMTP (outgoing; leave the host empty for the desk's global settings)",
        ("smtp_host", "smtp_port", "smtp_security", "smtp_user", "smtp_password"),
    ),
)
PASSWORD_FIELDS = ("imap_password", "smtp_password")


class MailboxForm(forms.ModelForm):
    imap_password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted. Leave empty to keep the current one.",
    )
    smtp_password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to keep the current one (or to reuse the IMAP password for the same user).",
    )

    class Meta:
        model = Mailbox
        fields = [name for _, names in FIELDSETS for name in names if name not in PASSWORD_FIELDS]
        widgets = {"auto_ack_text": forms.Textarea(attrs={"rows": 3})}

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in FIELDSETS]

    def clean_poll_interval_minutes(self) -> int:
        value = self.cleaned_data["poll_interval_minutes"]
        if value < 1:
            raise forms.ValidationError("Poll at most once a minute.")
        return value

    def clean(self) -> dict:
        data = super().clean() or {}
        source = data.get("password_source")
        if source == PasswordSource.ENV:
            self._check_source("password_env", "Name the environment variable that holds the password.")
        if source == PasswordSource.FILE:
            self._check_source("password_file", "Give the path of the file that holds the password.")
        if data.get("imap_host") and not data.get("imap_user"):
            self.add_error("imap_user", "IMAP needs a user name.")
        return data

    def _check_source(self, field: str, missing: str) -> None:
        value = self.cleaned_data.get(field) or ""
        if not value:
            self.add_error(field, missing)
            return
        check = credentials.check_env_name if field == "password_env" else credentials.check_file_path
        try:
            check(value)
        except credentials.CredentialError as error:
            message = str(error)
            self.add_error(field, f"{message[:1].upper()}{message[1:]}.")

    def new_password(self, field: str) -> str | None:
        """None (keep the stored password) when the field was left empty."""
        return self.cleaned_data.get(field) or None
