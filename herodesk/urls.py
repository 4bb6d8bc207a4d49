from django.urls import include, path

from herodesk.api import api

urlpatterns = [
    path("accounts/", include("herodesk.accounts.urls")),
    path("customers/", include("herodesk.customers.urls")),
    path("hero/", include("herodesk.insights.urls")),
    path("notifications/", include("herodesk.notifications.urls")),
    path("presence/", include("herodesk.presence.urls")),
    path("quality/", include("herodesk.quality.urls")),
    path("saved-replies/", include("herodesk.macros.urls")),
    path("settings/", include("herodesk.administration.urls")),
    path("slas/", include("herodesk.slas.urls")),
    path("api/v1/", api.urls),
    path("mail/", include("herodesk.channels.email.urls")),
    path("", include("herodesk.channels.webform.urls")),
    path("", include("herodesk.channels.phone.urls")),
    path("", include("herodesk.conversations.urls")),
]
