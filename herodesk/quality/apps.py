from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "herodesk.quality"
    label = "quality"
