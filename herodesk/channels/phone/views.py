"""Log a call: the agent types notes while the customer talks and fills in the rest afterwards."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from herodesk.accounts.requests import AuthedRequest
from herodesk.channels.phone.forms import PhoneCallForm
from herodesk.conversations import actions


@login_required
def new_call(request: AuthedRequest) -> HttpResponse:
    form = PhoneCallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = actions.do_log_call(request.user, form.call())
        except actions.ActionError as error:
            for field, message in error.fields.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, "Call logged.")
            return redirect("conversations:detail", pk=conversation.pk)
    return render(request, "phone/call.html", {"form": form})
