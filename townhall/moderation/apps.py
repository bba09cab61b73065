from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "townhall.moderation"
    label = "moderation"

    def ready(self) -> None:
        from townhall.comments.events import Event, subscribe
        from townhall.moderation.tasks import conversations_changed

        for event in (Event.COMMENT_PUBLISHED, Event.COMMENT_HELD, Event.COMMENT_REJECTED, Event.COMMENT_DELETED):
            subscribe(event, conversations_changed, durable=True)
