from django.urls import path

from herodesk.conversations.views import detail, inbox, search

app_name = "conversations"
urlpatterns = [
    path("", inbox.home, name="home"),
    path("c/<int:pk>/", detail.detail, name="detail"),
    path("c/<int:pk>/reply/", detail.reply, name="reply"),
    path("c/<int:pk>/note/", detail.note, name="note"),
    path("c/<int:pk>/status/", detail.status, name="status"),
    path("c/<int:pk>/snooze/", detail.snooze, name="snooze"),
    path("c/<int:pk>/assign/", detail.assign, name="assign"),
    path("c/<int:pk>/transfer/", detail.transfer, name="transfer"),
    path("c/<int:pk>/tags/", detail.tags, name="tags"),
    path("c/<int:pk>/priority/", detail.priority, name="priority"),
    path("c/<int:pk>/reason/", detail.reason, name="reason"),
    path("c/<int:pk>/customer/", detail.customer, name="customer"),
    path("c/<int:pk>/handoff-seen/", detail.handoff_seen, name="handoff_seen"),
    path("c/<int:pk>/merge/", detail.merge, name="merge"),
    path("c/<int:pk>/split/", detail.split, name="split"),
    path("inbox/bulk/", inbox.bulk, name="bulk"),
    path("inbox/<slug:view>/", inbox.inbox, name="inbox"),
    path("attachments/<int:pk>/", detail.attachment, name="attachment"),
    path("search/", search.search, name="search"),
]
