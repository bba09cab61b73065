from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views import defaults

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


def _api_aware(status: int, code: str, message: str, fallback: Any) -> Any:
    """Django's own error pages, except under /api/, where every answer is the API's error body
    (a path no endpoint matches, a host not allowed, a malformed request)."""

    def handler(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"code": code, "message": message, "errors": []}, status=status)
        return fallback(request, exception) if exception is not None else fallback(request)

    return handler


handler400 = _api_aware(400, "bad_request", "the request could not be understood", defaults.bad_request)
handler404 = _api_aware(404, "not_found", "no such endpoint", defaults.page_not_found)
handler500 = _api_aware(500, "server_error", "something went wrong on our side", defaults.server_error)
