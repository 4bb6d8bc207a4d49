from django.apps import AppConfig


class EmailChannelConfig(AppConfig):
    name = "herodesk.channels.email"
    label = "email_channel"
    verbose_name = "Email channel"

    def ready(self) -> None:
        from herodesk.channels.email import actions, send
        from herodesk.conversations import hooks

        # Agent replies on email, web-form and API conversations go out by email when the customer has
        # a working address (send.EMAILED_CHANNELS); phone customers read them on their status link.
        hooks.register_reply_delivery(send.accept_reply)
        # An erased customer's raw mails go with them.
        hooks.register_customer_eraser(actions.do_erase_customer_mail)
