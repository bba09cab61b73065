from django.apps import AppConfig


class ModeratorsConfig(AppConfig):
    name = "townhall.moderators"
    label = "moderators"
