"""The desk-wide notice while a bulk signals run (the demo's first analysis) is still going."""

from __future__ import annotations

from django.http import HttpRequest

from herodesk.insights import progress


def signals_progress(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    running = progress.running()  # one small file read; nothing when no run was recorded
    return {"signals_progress": running} if running is not None else {}
