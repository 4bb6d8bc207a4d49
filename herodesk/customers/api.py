"""API endpoints for customers: create, read, update, delete and search."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db import transaction
from ninja import Field, Query, Router, Schema

from herodesk.accounts.requests import AuthedRequest
from herodesk.api_schema import WRITE_ERRORS
from herodesk.conversations import actions as conversation_actions
from herodesk.customers import actions, queries
from herodesk.customers.models import Customer, Identity
from herodesk.params import MAX_ID

router = Router(tags=["customers"])


class IdentityOut(Schema):
    kind: Literal["email", "phone"]
    value: str
    bouncing: bool


class CustomerOut(Schema):
    id: int
    name: str
    notes: str
    organization: str | None
    identities: list[IdentityOut]
    effort: int | None = Field(
        None,
        description="This customer's effort over all their conversations, 0–100 (bands: 0–39 low, "
        "40–59 moderate, 60–79 high, 80–100 very high). Each conversation has its own effort too.",
    )
    created_at: datetime

    @staticmethod
    def resolve_organization(obj: Customer) -> str | None:
        return obj.organization.name if obj.organization else None

    @staticmethod
    def resolve_identities(obj: Customer) -> list[Identity]:
        return list(obj.identities.all())


class CustomerIn(Schema):
    name: str = Field("", max_length=200)
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(None, max_length=40)
    notes: str | None = Field(None, max_length=20_000)


class CustomerSearch(Schema):
    q: str = Field("", max_length=200)
    after_id: int | None = Field(None, ge=1, le=MAX_ID)
    limit: int = Field(50, ge=1, le=100)


@router.get(
    "", response={200: list[CustomerOut], **WRITE_ERRORS}, summary="Search customers by name, email or phone"
)
def list_customers(request: AuthedRequest, params: Query[CustomerSearch]):
    return queries.search_customers(request.user, params.q, params.limit, params.after_id)


@router.post(
    "",
    response={201: CustomerOut, **WRITE_ERRORS},
    summary="Create a customer (or return the one owning the identity)",
)
def create_customer(request: AuthedRequest, payload: CustomerIn):
    with transaction.atomic():
        customer = actions.do_find_or_create_customer(
            actions.CustomerDetails(name=payload.name, email=payload.email or "", phone=payload.phone or "")
        )
        if payload.notes is not None:
            conversation_actions.do_update_customer(
                customer, request.user, actions.CustomerDetails(notes=payload.notes, name=customer.name)
            )
    return 201, queries.customer_for_agent(request.user, customer.pk)


@router.get("/{customer_id}", response={200: CustomerOut, **WRITE_ERRORS}, summary="Read one customer")
def get_customer(request: AuthedRequest, customer_id: int):
    return queries.customer_for_agent(request.user, customer_id)


@router.patch(
    "/{customer_id}",
    response={200: CustomerOut, **WRITE_ERRORS},
    summary="Update name and notes, or add an identity",
)
def update_customer(request: AuthedRequest, customer_id: int, payload: CustomerIn):
    customer = queries.customer_for_agent(request.user, customer_id)
    details = actions.CustomerDetails(
        name=payload.name or customer.name,
        email=payload.email or "",
        phone=payload.phone or "",
        notes=payload.notes,
    )
    conversation_actions.do_update_customer(customer, request.user, details)
    return queries.customer_for_agent(request.user, customer_id)


@router.delete(
    "/{customer_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Erase a customer and their conversations (admins)",
)
def delete_customer(request: AuthedRequest, customer_id: int):
    from ninja.errors import HttpError

    user = request.user
    if not user.is_admin:
        raise HttpError(403, "Only admins can erase customers.")
    conversation_actions.do_erase_customer(queries.customer_for_agent(user, customer_id), user)
    return 204, None
