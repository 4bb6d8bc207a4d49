from django.apps import AppConfig


class PresenceConfig(AppConfig):
    name = "herodesk.presence"
    label = "presence"
