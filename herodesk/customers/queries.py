"""Reads of the customers app, filtered by what the agent may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from herodesk.accounts.models import User
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


def erasure_scope(customer: Customer) -> tuple[list[int], dict[str, list[str]]]:
    """The customer and every record merged into them (at any depth), and all their identities by kind."""
    ids = [customer.pk]
    frontier = [customer.pk]
    while frontier:
        frontier = list(Customer.objects.filter(merged_into__in=frontier).values_list("pk", flat=True))
        frontier = [pk for pk in frontier if pk not in ids]
        ids.extend(frontier)
    identities: dict[str, list[str]] = {Identity.Kind.EMAIL: [], Identity.Kind.PHONE: []}
    for kind, value in Identity.objects.filter(customer_id__in=ids).values_list("kind", "value"):
        identities.setdefault(kind, []).append(value)
    return ids, identities
