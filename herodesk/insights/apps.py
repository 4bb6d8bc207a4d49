from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "herodesk.insights"
    label = "insights"
