from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "herodesk.conversations"
    label = "conversations"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from herodesk import memo
        from herodesk.conversations.models import ContactReason, Tag
        from herodesk.conversations.queries import REASONS_KEY, TAGS_KEY

        def forget(**kwargs: object) -> None:
            memo.forget(REASONS_KEY)

        def forget_tags(**kwargs: object) -> None:
            memo.forget(TAGS_KEY)

        post_save.connect(forget, sender=ContactReason, dispatch_uid="reasons-save", weak=False)
        post_delete.connect(forget, sender=ContactReason, dispatch_uid="reasons-delete", weak=False)
        post_save.connect(forget_tags, sender=Tag, dispatch_uid="tags-save", weak=False)
        post_delete.connect(forget_tags, sender=Tag, dispatch_uid="tags-delete", weak=False)
