"""Hero moments (intense conversations not yet relieved) and the promises agents must keep."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from herodesk.insights import queries


@login_required
def hero_moments(request: HttpRequest) -> HttpResponse:
    return render(request, "insights/hero_moments.html", {"moments": queries.hero_moments(request.user)})  # type: ignore[arg-type]


@login_required
def promises(request: HttpRequest) -> HttpResponse:
    try:
        owner_id = int(request.GET.get("owner", "")) or None
    except ValueError:
        owner_id = None
    return render(request, "insights/promises.html", queries.promises_page(request.user, owner_id))  # type: ignore[arg-type]
