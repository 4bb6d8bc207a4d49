"""Writes of the customers app: finding or creating customers by identity, editing, merging, deleting."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from herodesk.customers.models import Customer, Identity
from herodesk.errors import ActionError


def normalize_email(value: str) -> str:
    return (value or "").strip().lower()


def normalize_phone(value: str) -> str:
    """Digits only, keeping a leading + so international numbers stay distinct."""
    value = (value or "").strip()
    digits = re.sub(r"\D", "", value)
    return ("+" + digits) if value.startswith("+") and digits else digits


def find_by_identity(kind: str, value: str) -> Customer | None:
    identity = Identity.objects.select_related("customer").filter(kind=kind, value=value).first()
    if identity is None:
        return None
    customer = identity.customer
    while customer.merged_into_id is not None:  # follow merges to the surviving customer
        customer = customer.merged_into  # type: ignore[assignment]
    return customer


@dataclass
class CustomerDetails:
    name: str = ""
    email: str = ""
    phone: str = ""
    notes: str | None = None


@transaction.atomic
def do_find_or_create_customer(details: CustomerDetails) -> Customer:
    """The customer who owns this email or phone; a new one if nobody does."""
    email, phone = normalize_email(details.email), normalize_phone(details.phone)
    if not email and not phone:
        raise ActionError(
            "An email address or phone number is required", {"email": "Give an email or phone."}
        )
    customer = (email and find_by_identity(Identity.Kind.EMAIL, email)) or (
        phone and find_by_identity(Identity.Kind.PHONE, phone)
    )
    if not customer:
        customer = Customer.objects.create(name=details.name.strip()[:200])
    elif details.name and not customer.name:
        customer.name = details.name.strip()[:200]
        customer.save(update_fields=["name"])
    _add_identity(customer, Identity.Kind.EMAIL, email)
    _add_identity(customer, Identity.Kind.PHONE, phone)
    return customer


def _add_identity(customer: Customer, kind: str, value: str) -> None:
    if value:
        Identity.objects.get_or_create(kind=kind, value=value, defaults={"customer": customer})


@transaction.atomic
def do_mark_identities_bouncing(addresses: list[str], at: datetime) -> int:
    """Mail to these addresses bounced: replies are not emailed to them until the customer writes again."""
    return Identity.objects.filter(kind=Identity.Kind.EMAIL, value__in=addresses).update(
        bouncing=True, bounced_at=at
    )


@transaction.atomic
def do_mark_identity_working(address: str) -> None:
    """The customer wrote from this address, which proves it works again."""
    Identity.objects.filter(kind=Identity.Kind.EMAIL, value=address, bouncing=True).update(
        bouncing=False, bounced_at=None
    )


def do_cache_effort(customer_id: int, effort: float | None) -> None:
    """The customer's effort over all their conversations (computed by insights), for lists and badges.

    One statement inside the analysis job's transaction, so no savepoint of its own.
    """
    Customer.objects.filter(pk=customer_id).update(effort=effort)


@transaction.atomic
def do_update_customer_details(customer: Customer, details: CustomerDetails) -> list[str]:
    """Change name, notes and identities; returns the names of what changed (for the audit trail)."""
    changed = {}
    if details.name is not None and details.name.strip() != customer.name:
        changed["name"] = True
        customer.name = details.name.strip()[:200]
    if details.notes is not None and details.notes != customer.notes:
        changed["notes"] = True
        customer.notes = details.notes
    for kind, value in (
        (Identity.Kind.EMAIL, normalize_email(details.email)),
        (Identity.Kind.PHONE, normalize_phone(details.phone)),
    ):
        if not value:
            continue
        owner = Identity.objects.filter(kind=kind, value=value).exclude(customer=customer).first()
        if owner is not None:
            raise ActionError(
                "That identity belongs to another customer", {kind: "Merge the customers instead."}
            )
        _add_identity(customer, kind, value)
        changed[kind] = True
    customer.save()
    return sorted(changed)


@transaction.atomic
def do_merge_customer_records(survivor: Customer, duplicate: Customer) -> None:
    """The customer side of a merge (conversations.actions.do_merge_customers moves the conversations)."""
    Identity.objects.filter(customer=duplicate).update(customer=survivor)
    if duplicate.notes:
        survivor.notes = (survivor.notes + "\n\n" + duplicate.notes).strip()
    survivor.name = survivor.name or duplicate.name
    survivor.organization = survivor.organization or duplicate.organization
    survivor.save()
    duplicate.merged_into = survivor
    duplicate.save(update_fields=["merged_into"])


@transaction.atomic
def do_erase_customer_records(customer: Customer, merged_ids: Sequence[int] = ()) -> None:
    """Delete the customer, their identities and the records merged into them (after their conversations)."""
    Customer.objects.filter(Q(merged_into=customer) | Q(pk__in=merged_ids)).exclude(pk=customer.pk).delete()
    customer.delete()
