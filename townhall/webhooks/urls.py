"""Routes of the webhooks pages, mounted at /moderate/sites/<slug>/webhooks/."""

from django.urls import path

from townhall.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoints, name="endpoints"),
    path("<int:pk>/", views.endpoint, name="endpoint"),
    path("<int:pk>/<str:action>/", views.endpoint_action, name="endpoint_action"),
]
