from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "townhall.moderation"
    label = "moderation"

    def ready(self) -> None:
        from townhall.comments.events import Event, subscribe
        from townhall.moderation.tasks import conversations_changed

        # After the commit, not inside the write: a conversation is derived data that the next
        # change in its branch rewrites, so the reply's own transaction stays as lean as before.
        for event in (Event.COMMENT_PUBLISHED, Event.COMMENT_HELD, Event.COMMENT_REJECTED, Event.COMMENT_DELETED):
            subscribe(event, conversations_changed)
