from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "herodesk.accounts"
    label = "accounts"

    def ready(self) -> None:
        from herodesk.accounts import directory

        directory.connect()
