from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "herodesk.notifications"
    label = "notifications"

    def ready(self) -> None:
        from herodesk.conversations import hooks
        from herodesk.notifications import listeners

        # Hand-overs, customer replies and mentions tell the agents concerned, in the same transaction.
        hooks.register_event_listener(listeners.on_event)
        hooks.register_change_listener(listeners.on_change)
