from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "townhall.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from townhall.moderators.privacy import register_eraser
        from townhall.webhooks import checks  # noqa: F401 - registers the settings check
        from townhall.webhooks.consumers import subscribe_all
        from townhall.webhooks.services import deliveries_erase

        subscribe_all()
        register_eraser("webhook_bodies", deliveries_erase)
