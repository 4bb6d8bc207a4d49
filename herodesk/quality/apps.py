from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "herodesk.quality"
    label = "quality"

    def ready(self) -> None:
        from herodesk.conversations import hooks
        from herodesk.quality import actions

        hooks.register_customer_eraser(actions.do_erase_customer_scenarios)
