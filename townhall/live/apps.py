from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "townhall.live"
    label = "live"

    def ready(self) -> None:
        from townhall.comments.events import Event, subscribe
        from townhall.live.consumers import on_comment_event

        # On commit, never inside the transaction: readers must not be told about a write
        # that is rolled back, and a reader told too early would fetch the old version.
        for event in Event:
            subscribe(event, on_comment_event(event))
