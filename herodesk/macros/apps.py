from django.apps import AppConfig


class MacrosConfig(AppConfig):
    name = "herodesk.macros"
    label = "macros"
    verbose_name = "Saved replies"
