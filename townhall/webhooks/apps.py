from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "townhall.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from townhall.webhooks import checks  # noqa: F401 - registers the settings check
        from townhall.webhooks.consumers import subscribe_all

        subscribe_all()
