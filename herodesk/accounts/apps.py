from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "herodesk.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from herodesk.accounts import directory
        from herodesk.accounts.middleware import note_two_factor_requirement

        directory.connect()
        user_logged_in.connect(note_two_factor_requirement, dispatch_uid="herodesk-two-factor-required")
