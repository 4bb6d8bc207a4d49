from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "herodesk.notifications"
    label = "notifications"
