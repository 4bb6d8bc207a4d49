from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "herodesk.conversations"
    label = "conversations"
