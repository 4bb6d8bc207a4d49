from django.urls import include, path

urlpatterns = [
    path("", include("herodesk.conversations.urls")),
]
