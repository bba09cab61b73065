from django.apps import AppConfig


class ModeratorsConfig(AppConfig):
    name = "townhall.moderators"
    label = "moderators"
    verbose_name = "Moderators"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from townhall.comments.events import Event, subscribe
        from townhall.moderators.services import staff_post_audit

        # Staff posts are audited once written (published, or held).
        subscribe(Event.COMMENT_PUBLISHED, staff_post_audit)
        subscribe(Event.COMMENT_HELD, staff_post_audit)
