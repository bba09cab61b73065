from django.apps import AppConfig


class WidgetConfig(AppConfig):
    name = "townhall.widget"
    label = "widget"
