"""Customer list and customer page: identities, notes, history, merge, export and erasure."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from herodesk.accounts.requests import AuthedRequest
from herodesk.conversations import actions as conversation_actions
from herodesk.conversations import queries as conversation_queries
from herodesk.customers import actions, queries
from herodesk.customers.forms import CustomerEditForm, MergeForm
from herodesk.errors import ActionError
from herodesk.params import query_int


@login_required
def customer_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    after = query_int(request.GET, "after")
    customers = queries.search_customers(request.user, query, limit=51, after_id=after)
    next_after = customers[49].pk if len(customers) > 50 else None
    return render(
        request,
        "customers/list.html",
        {"customers": customers[:50], "query": query, "next_after": next_after},
    )


@login_required
def customer_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    customer = queries.customer_for_agent(request.user, pk)
    form = CustomerEditForm(request.POST or None, initial={"name": customer.name, "notes": customer.notes})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = actions.CustomerDetails(
            name=data["name"], email=data["email"], phone=data["phone"], notes=data["notes"]
        )
        try:
            conversation_actions.do_update_customer(customer, request.user, details)
        except ActionError as error:
            messages.error(request, f"{error.message}. {'; '.join(error.fields.values())}")
        else:
            messages.success(request, "Customer saved.")
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "form": form,
            "conversations": conversation_queries.customer_conversations(request.user, customer),
            "merge_form": MergeForm(),
        },
    )


@login_required
def merge(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET previews the merge of customer ``other`` into this one; a POST with ``confirm`` does it."""
    if not request.user.is_lead:
        raise PermissionDenied("Only team leads and admins can merge customers.")
    customer = queries.customer_for_agent(request.user, pk)
    form = MergeForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        messages.error(request, "Give the id of the duplicate customer to merge into this one.")
        return redirect("customers:detail", pk=customer.pk)
    duplicate = queries.customer_for_agent(request.user, form.cleaned_data["other"])
    if request.method != "POST" or not form.cleaned_data["confirm"]:
        preview = {
            "survivor": conversation_queries.merge_side(customer),
            "duplicate": conversation_queries.merge_side(duplicate),
        }
        return render(request, "customers/merge.html", preview)
    try:
        conversation_actions.do_merge_customers(customer, duplicate, request.user)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Merged customer {duplicate.pk} into this one.")
    return redirect("customers:detail", pk=customer.pk)


@login_required
def export(request: AuthedRequest, pk: int) -> JsonResponse:
    customer = queries.customer_for_agent(request.user, pk)
    document = conversation_queries.export_customer(request.user, customer)
    response = JsonResponse(document, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.json"'
    return response


@login_required
@require_POST
def delete(request: AuthedRequest, pk: int) -> HttpResponse:
    if not request.user.is_admin:
        raise PermissionDenied("Only admins can erase customers.")
    customer = queries.customer_for_agent(request.user, pk)
    count = conversation_actions.do_erase_customer(customer, request.user)
    messages.success(request, f"Customer and {count} conversations erased.")
    return redirect("customers:list")
