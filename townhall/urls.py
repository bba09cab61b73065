from django.contrib import admin
from django.urls import include, path

from townhall.api import api
from townhall.core.views import healthz
from townhall.public import feeds

urlpatterns = [
    path("api/v1/", api.urls),
    path("healthz", healthz, name="healthz"),
    path("feeds/<slug:site>/thread.<str:kind>", feeds.thread_feed, name="feed-thread"),
    path("feeds/<slug:site>/comments.<str:kind>", feeds.site_feed, name="feed-site"),
    path("admin/", admin.site.urls),
    path("", include("townhall.notifications.urls")),  # /mail/... and /moderate/alerts/
    path("moderate/sites/<slug:slug>/webhooks/", include("townhall.webhooks.urls")),
    path("moderate/", include("townhall.moderators.urls")),
    path("", include("townhall.widget.urls")),
    path("", include("townhall.demo.urls")),
]
