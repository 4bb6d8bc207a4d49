"""The project's URLs plus the email channel's, until herodesk/urls.py includes them itself."""

from django.urls import include, path

from herodesk.urls import urlpatterns as project_urlpatterns

_included = any(getattr(pattern, "namespace", None) == "email_channel" for pattern in project_urlpatterns)
urlpatterns = (
    project_urlpatterns
    if _included
    else [*project_urlpatterns, path("mail/", include("herodesk.channels.email.urls"))]
)
