from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "herodesk.conversations"
    label = "conversations"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from herodesk import memo
        from herodesk.conversations.models import ContactReason
        from herodesk.conversations.queries import REASONS_KEY

        def forget(**kwargs: object) -> None:
            memo.forget(REASONS_KEY)

        post_save.connect(forget, sender=ContactReason, dispatch_uid="reasons-save", weak=False)
        post_delete.connect(forget, sender=ContactReason, dispatch_uid="reasons-delete", weak=False)
