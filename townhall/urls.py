from django.contrib import admin
from django.urls import include, path

from townhall.api import api
from townhall.core.views import healthz

urlpatterns = [
    path("api/v1/", api.urls),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("townhall.notifications.urls")),  # /mail/... and /moderate/alerts/
    path("moderate/", include("townhall.moderators.urls")),
    path("", include("townhall.widget.urls")),
    path("", include("townhall.demo.urls")),
]
