"""Reads of the customers app, filtered by what the agent may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from herodesk.accounts.models import User
from herodesk.conversations.models import Conversation, Message
from herodesk.conversations.queries import access_filter
from herodesk.customers.models import Customer, Identity


def customers_for_agent(user: User) -> QuerySet[Customer]:
    """Agents work for the whole company's customers; merged-away records are hidden."""
    return Customer.objects.filter(merged_into__isnull=True)


def customer_for_agent(user: User, customer_id: int) -> Customer:
    try:
        return (
            customers_for_agent(user)
            .prefetch_related("identities")
            .select_related("organization")
            .get(pk=customer_id)
        )
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404("No such customer") from None


def search_customers(user: User, query: str, limit: int = 50, after_id: int | None = None) -> list[Customer]:
    qs = customers_for_agent(user)
    query = (query or "").strip()
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(identities__value__icontains=query.lower())).distinct()
    if after_id:
        qs = qs.filter(pk__lt=after_id)
    return list(qs.prefetch_related("identities").order_by("-pk")[:limit])


def customers_by_identity_prefix(user: User, query: str, limit: int = 5) -> list[Customer]:
    """Customers whose email or phone starts with the query: an index range, fast on any size."""
    value = query.strip().lower()
    if len(value) < 3:
        return []
    ids = Identity.objects.filter(
        value__gte=value, value__lt=value + "\uffff", kind__in=["email", "phone"]
    ).values_list("customer_id", flat=True)[:limit]
    return list(customers_for_agent(user).filter(pk__in=list(ids)).prefetch_related("identities"))


def conversations_of(user: User, customer: Customer, limit: int = 50) -> list[Conversation]:
    return list(
        Conversation.objects.filter(customer=customer)
        .filter(access_filter(user))
        .select_related("owner", "contact_reason")
        .order_by("-created_at")[:limit]
    )


@dataclass(frozen=True)
class MergeSide:
    """One customer as the merge preview shows it."""

    customer: Customer
    identities: list[Identity]
    conversations: int


def merge_side(customer: Customer) -> MergeSide:
    # The count covers every team: a merge moves all of them, and a lead must see what it will touch.
    return MergeSide(
        customer=customer,
        identities=list(customer.identities.all()),
        conversations=Conversation.objects.filter(customer=customer).count(),
    )


def export_customer(user: User, customer: Customer) -> dict[str, Any]:
    """What the agent may see of a customer, for a data-access request; an admin's export is complete.

    Conversations of teams the agent is not in are left out and only counted, so an export never
    shows more than the agent could open in the desk.
    """
    everything = Conversation.objects.filter(customer=customer)
    conversations = everything.filter(access_filter(user)).prefetch_related("messages").order_by("pk")
    exported = list(conversations)
    return {
        "id": customer.pk,
        "name": customer.name,
        "notes": customer.notes,
        "identities": [{"kind": i.kind, "value": i.value} for i in customer.identities.all()],
        "conversations_not_included": everything.count() - len(exported),
        "conversations": [
            {
                "id": c.pk,
                "subject": c.subject,
                "status": c.status,
                "created_at": c.created_at.isoformat(),
                "messages": [
                    {"kind": m.kind, "created_at": m.created_at.isoformat(), "text": m.text}
                    for m in c.messages.all()
                    if m.kind != Message.Kind.NOTE
                ],
            }
            for c in exported
        ],
    }
