from django.apps import AppConfig


class WebformConfig(AppConfig):
    name = "herodesk.channels.webform"
    label = "webform"

    def ready(self) -> None:
        from herodesk.channels.webform import actions
        from herodesk.conversations import hooks

        # An erased customer's form submissions (address and network address) go with them; their status
        # links go with their conversations.
        hooks.register_customer_eraser(actions.do_erase_customer_submissions)
