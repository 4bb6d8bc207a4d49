"""Writes of the customers app: finding or creating customers by identity, editing, merging, deleting."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from herodesk.accounts.models import User
from herodesk.conversations.models import Conversation, Event, Message
from herodesk.customers.models import Customer, Identity


class CustomerError(Exception):
    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


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
        raise CustomerError(
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
def do_update_customer(customer: Customer, actor: User | None, details: CustomerDetails) -> Customer:
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
            raise CustomerError(
                "That identity belongs to another customer", {kind: "Merge the customers instead."}
            )
        _add_identity(customer, kind, value)
        changed[kind] = True
    customer.save()
    if changed:
        Event.objects.create(
            customer=customer,
            actor=actor,
            kind=Event.Kind.CUSTOMER_CHANGED,
            data={"fields": sorted(changed)},
            created_at=timezone.now(),
        )
    return customer


@transaction.atomic
def do_merge_customers(survivor: Customer, duplicate: Customer, actor: User | None) -> Customer:
    """Move everything of ``duplicate`` onto ``survivor``; nothing of the history is lost."""
    if actor is not None and not actor.is_lead:
        raise CustomerError("Only team leads and admins can merge customers", {"other": "Ask a team lead."})
    if survivor.pk == duplicate.pk:
        raise CustomerError("A customer cannot be merged into itself", {"other": "Choose another customer."})
    now = timezone.now()
    moved = list(Conversation.objects.filter(customer=duplicate).values_list("pk", flat=True))
    # What an undo needs: which rows moved, and the survivor's fields as they were.
    undo = {
        "messages": list(Message.objects.filter(customer=duplicate).values_list("pk", flat=True)),
        "identities": list(Identity.objects.filter(customer=duplicate).values_list("pk", flat=True)),
        "survivor_before": {
            "name": survivor.name,
            "notes": survivor.notes,
            "organization": survivor.organization_id,
        },
    }
    Conversation.objects.filter(customer=duplicate).update(customer=survivor)
    Message.objects.filter(customer=duplicate).update(customer=survivor)
    Identity.objects.filter(customer=duplicate).update(customer=survivor)
    if duplicate.notes:
        survivor.notes = (survivor.notes + "\n\n" + duplicate.notes).strip()
    survivor.name = survivor.name or duplicate.name
    survivor.organization = survivor.organization or duplicate.organization
    survivor.save()
    duplicate.merged_into = survivor
    duplicate.save(update_fields=["merged_into"])
    Event.objects.create(
        customer=survivor,
        actor=actor,
        kind=Event.Kind.MERGED,
        created_at=now,
        data={"merged": duplicate.pk, "conversations": moved, **undo},
    )
    for pk in moved:
        Event.objects.create(
            conversation_id=pk,
            customer=survivor,
            actor=actor,
            kind=Event.Kind.MERGED,
            created_at=now,
            data={"from_customer": duplicate.pk, "to_customer": survivor.pk},
        )
    from herodesk.conversations import search

    for conversation in Conversation.objects.filter(pk__in=moved).select_related("customer"):
        search.schedule_index(conversation.pk)
    return survivor


@transaction.atomic
def do_delete_customer(customer: Customer, actor: User | None) -> int:
    """Erase a customer and their conversations (right to erasure). Returns conversations deleted."""
    from herodesk.conversations import search

    ids = list(Conversation.objects.filter(customer=customer).values_list("pk", flat=True))
    for pk in ids:
        search.remove_conversation(pk)
    Conversation.objects.filter(pk__in=ids).delete()
    Event.objects.create(
        actor=actor,
        kind=Event.Kind.CUSTOMER_DELETED,
        created_at=timezone.now(),
        data={"customer": customer.pk, "conversations": len(ids)},
    )
    Customer.objects.filter(merged_into=customer).delete()
    customer.delete()
    return len(ids)
