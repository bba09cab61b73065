from django.apps import AppConfig


class ModeratorsConfig(AppConfig):
    name = "townhall.moderators"
    label = "moderators"
    verbose_name = "Moderators"
    default_auto_field = "django.db.models.BigAutoField"
