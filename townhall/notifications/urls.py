"""Routes of the links inside mail (/mail/...) and the moderators' alert settings page."""

from django.urls import path

from townhall.notifications import views

app_name = "notifications"

urlpatterns = [
    path("mail/confirm/<str:token>/", views.confirm, name="confirm"),
    path("mail/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("mail/act/<str:token>/", views.act, name="act"),
    path("mail/bounces/<str:secret>/", views.bounces, name="bounces"),
    path("moderate/alerts/", views.alerts, name="alerts"),
]
