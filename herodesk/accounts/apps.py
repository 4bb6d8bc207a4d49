from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "herodesk.accounts"
    label = "accounts"
