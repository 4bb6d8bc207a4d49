from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    name = "herodesk.administration"
    label = "administration"
    verbose_name = "Settings pages"
