"""Navigation data every agent page shows: the inbox views with their counts."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from herodesk.conversations import queries


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counts = SimpleLazyObject(lambda: queries.view_counts(user))  # only computed if the page shows it
    return {"inbox_views": queries.VIEWS, "inbox_counts": counts, "count_cap": queries.COUNT_CAP}
