"""Mail to readers and moderators: confirmation, reply/follow/outcome notices, moderator alerts
(mail and a Slack-compatible webhook), one-click links, unsubscribes and bounces."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "townhall.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from townhall.moderators.privacy import register_eraser
        from townhall.notifications import consumers
        from townhall.notifications.services import notices_erase

        consumers.subscribe_all()
        register_eraser("mail_notices", notices_erase)
