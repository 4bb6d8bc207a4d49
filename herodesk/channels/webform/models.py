"""The private link a customer uses to follow and answer a conversation they started on the web form."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models

from herodesk.conversations.models import Conversation
from herodesk.customers.models import Customer


def hash_link_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class CustomerLink(models.Model):
    """Only the token's hash is stored; the customer's URL carries the raw token."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="customer_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Link for #{self.conversation_id}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(24)


class Submission(models.Model):
    """One accepted or refused web-form post, kept for the per-address rate limit."""

    email = models.CharField(max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    accepted = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.email} at {self.created_at:%Y-%m-%d %H:%M}"


class AddressClaim(models.Model):
    """A web-form submission from an address that already belongs to a customer. Until the address is
    confirmed through a link mailed to it, the submission lives under a separate, marked customer, so a
    stranger never joins that customer's history; confirming merges it into them. Only the token's hash
    is kept."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    email = models.CharField(max_length=254, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Claim of {self.email} for #{self.conversation_id}"
