from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "herodesk.insights"
    label = "insights"

    def ready(self) -> None:
        from herodesk.conversations import hooks
        from herodesk.insights import actions, tasks

        # Every change to a conversation queues its analysis once the transaction commits.
        hooks.register_change_listener(tasks.schedule_analysis)
        # Promises follow their messages when a conversation is merged or a message split off.
        hooks.register_move_listener(actions.do_move_promises)
