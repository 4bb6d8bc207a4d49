"""Full-text search over the conversations the agent may see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from herodesk.accounts.requests import AuthedRequest
from herodesk.conversations import queries
from herodesk.conversations.rows import render_rows
from herodesk.customers.queries import customers_by_identity_prefix
from herodesk.params import MAX_PAGE, query_int


@login_required
def search(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    page = query_int(request.GET, "page", maximum=MAX_PAGE) or 1
    results = queries.search_conversations(request.user, query, page) if query else []
    customers = customers_by_identity_prefix(request.user, query) if query and page == 1 else []
    return render(
        request,
        "conversations/search.html",
        {
            "query": query,
            "results": results,
            "rows": render_rows(results),
            "customers": customers,
            "page": page,
            "has_next": len(results) == queries.PAGE_SIZE,
        },
    )
