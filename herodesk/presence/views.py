"""The presence poll of the conversation screen, leaving a conversation, and viewers for inbox rows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from herodesk.accounts.requests import AuthedRequest
from herodesk.conversations import queries as conversation_queries
from herodesk.params import bounded_int
from herodesk.presence import actions, queries

MAX_INBOX_IDS = 100


@login_required
@require_POST
def poll(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every few seconds from an open conversation: I am here (typing or not); who else is, and is
    there anything new since the newest message my screen shows?"""
    conversation_id = conversation_queries.conversation_id_for_agent(request.user, pk)
    seen = bounded_int(request.POST.get("seen"), name="seen", minimum=0)
    actions.do_record_presence(request.user, conversation_id, request.POST.get("typing", ""))
    unseen = 0
    if seen is not None:
        unseen = conversation_queries.unseen_messages(conversation_id, request.user, seen).count()
    context = {
        "conversation_id": conversation_id,
        "viewers": queries.viewers(conversation_id, exclude=request.user),
        "unseen": unseen,
    }
    return render(request, "presence/_bar.html", context)


@login_required
@require_POST
def leave(request: AuthedRequest, pk: int) -> HttpResponse:
    actions.do_leave(request.user, conversation_queries.conversation_id_for_agent(request.user, pk))
    return HttpResponse(status=204)


@login_required
@require_GET
def inbox(request: AuthedRequest) -> JsonResponse:
    """Who else has each listed conversation open now: {id: [{"initials", "name", "typing"}]}."""
    ids: list[int] = []
    for raw in request.GET.get("ids", "").split(",")[:MAX_INBOX_IDS]:
        number = bounded_int(raw, name="ids")
        if number is not None:
            ids.append(number)
    visible = conversation_queries.visible_conversations(request.user).filter(pk__in=ids)
    allowed = list(visible.values_list("pk", flat=True))
    found = queries.live_viewers_by_conversation(allowed, exclude=request.user)
    return JsonResponse(
        {
            str(pk): [{"initials": v.initials, "name": v.name, "typing": v.typing} for v in viewers]
            for pk, viewers in found.items()
        }
    )
