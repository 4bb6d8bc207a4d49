from django.urls import path

from herodesk.channels.email import views

app_name = "email_channel"
urlpatterns = [
    path("mailboxes/", views.mailbox_list, name="mailboxes"),
    path("mailboxes/new/", views.mailbox_create, name="mailbox_new"),
    path("mailboxes/<int:mailbox_id>/", views.mailbox_edit, name="mailbox_edit"),
    path("mailboxes/<int:mailbox_id>/test/", views.mailbox_test, name="mailbox_test"),
    path("mailboxes/<int:mailbox_id>/poll/", views.mailbox_poll, name="mailbox_poll"),
    path(
        "mailboxes/<int:mailbox_id>/webhook-token/", views.mailbox_webhook_token, name="mailbox_webhook_token"
    ),
    path("inbound-mail/<int:inbound_id>/reprocess/", views.inbound_reprocess, name="inbound_reprocess"),
    path("inbound/<int:mailbox_id>/", views.inbound_webhook, name="inbound"),
]
