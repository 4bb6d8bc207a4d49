"""Customers, the addresses and numbers they reach us from, and their organizations."""

from __future__ import annotations

from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    domain = models.CharField(max_length=200, blank=True, db_index=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """A person who contacts support. A merged customer points at the one that absorbed it."""

    name = models.CharField(max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    notes = models.TextField(blank=True, help_text="What any agent should know before answering.")
    value = models.DecimalField(max_digits=12, decimal_places=2, default=0, help_text="Yearly value.")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_customers"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Cached from the signals engine; recomputed when the customer's conversations change.
    effort = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["merged_into"])]

    def __str__(self) -> str:
        return self.name or self.primary_address or f"Customer {self.pk}"

    @property
    def primary_address(self) -> str:
        # Lists prefetch identities into identity_list; elsewhere the related manager is used.
        identities = getattr(self, "identity_list", None)
        if identities is None:
            identities = self.identities.all()
        identity = next(iter(identities), None)
        return identity.value if identity else ""


class Identity(models.Model):
    """An email address or phone number that belongs to exactly one customer."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=254, help_text="Normalized: lower-case email, digits-only phone.")
    bouncing = models.BooleanField(default=False)
    bounced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="identity_unique_value")]

    def __str__(self) -> str:
        return self.value
