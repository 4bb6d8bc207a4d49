from django.apps import AppConfig


class SlasConfig(AppConfig):
    name = "herodesk.slas"
    label = "slas"

    def ready(self) -> None:
        from herodesk.conversations import hooks
        from herodesk.slas import tasks

        # Every change to a conversation brings its SLA targets up to date once the transaction commits.
        hooks.register_change_listener(tasks.schedule_sync)
