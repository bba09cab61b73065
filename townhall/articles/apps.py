from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "townhall.articles"
    label = "articles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from townhall.articles.tasks import quotes_changed
        from townhall.comments.events import Event, subscribe

        # Held comments too: moderators see the marks in the queue.
        for event in (Event.COMMENT_PUBLISHED, Event.COMMENT_HELD, Event.COMMENT_EDITED):
            subscribe(event, quotes_changed, durable=True)
