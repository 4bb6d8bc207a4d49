from django.apps import AppConfig


class WebformConfig(AppConfig):
    name = "herodesk.channels.webform"
    label = "webform"
