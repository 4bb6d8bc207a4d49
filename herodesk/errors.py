"""The one error every action raises when a change cannot be made.

``fields`` maps field names to messages, so a form shows each under its field and the API returns them
in its error format (422). Pages join the messages for a flash with ``ActionError.summary()``.
"""

from __future__ import annotations


class ActionError(Exception):
    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def summary(self) -> str:
        """The field messages as sentences ("…resolving. Choose…"), or the message when there are none."""
        parts = [text.strip() for text in self.fields.values() if text.strip()] or [self.message]
        return " ".join(part if part.endswith((".", "!", "?")) else part + "." for part in parts)
