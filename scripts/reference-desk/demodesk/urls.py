"""Upstream demodesk/config/urls.py, without the media route (served by Django only with DEBUG on)."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("helpdesk.urls", namespace="helpdesk")),
    path("api/auth/", include("rest_framework.urls", namespace="rest_framework")),
]
