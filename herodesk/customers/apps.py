from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "herodesk.customers"
    label = "customers"
