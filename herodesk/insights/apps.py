from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "herodesk.insights"
    label = "insights"

    def ready(self) -> None:
        from herodesk.conversations import hooks
        from herodesk.insights import actions, tasks

        # Every change to a conversation queues its analysis once the transaction commits (conversations
        # records the change in the same transaction, so a crash after the commit only delays it).
        hooks.register_after_change(tasks.enqueue)
        # Promises follow their messages when a conversation is merged or a message split off.
        hooks.register_move_listener(actions.do_move_promises)
