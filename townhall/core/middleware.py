"""Headers every response gets: a Content-Security-Policy and related hardening."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import get_resolver

from townhall.core.limits import body_limit_for, too_large_message

# Pages served by Townhall (demo, no-JS thread, moderation) load only their own scripts, styles
# and data; inline scripts are never needed. Embedded pages on other sites set their own CSP.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The API docs page (Swagger UI) ships its own inline bootstrap script.
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            csp = DOCS_CSP if request.path.startswith("/api/v1/docs") else CSP
            response["Content-Security-Policy"] = csp
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        return response


class RejectNulMiddleware:
    """A NUL character in the query string is never meaningful, and PostgreSQL refuses to store
    or even compare it (a 500 on every lookup); answer 400 before any view sees it. JSON bodies
    are checked by the API's schemas (townhall.core.text)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = next((k for k, values in request.GET.lists() for v in [k, *values] if "\x00" in v), None)
        if bad is not None or "\x00" in request.path:
            field = (bad or "path").replace("\x00", "")
            message = f"{field}: contains a NUL character"
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "validation_failed", "message": message,
                                     "errors": [{"field": field, "message": "contains a NUL character", "code": "nul"}]},
                                    status=422)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class BodyLimitMiddleware:
    """Refuse a body over its endpoint's limit (townhall.core.limits) from its Content-Length,
    before anything reads it: a 413 that names the limit, never a 10 MB body in memory or the
    500 Django's own RequestDataTooBig becomes inside the API. Without a Content-Length the WSGI
    request reads no body at all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Endpoints declare their limits where they are defined: load the URLconf now, so every
        # limit is known before the first request (Django loads it lazily, after middleware).
        get_resolver().url_patterns  # noqa: B018

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if size > 0:
            limit = body_limit_for(request.path)
            if size > limit.max_bytes:
                message = too_large_message(size, max_bytes=limit.max_bytes, what=limit.what)
                if request.path.startswith("/api/"):
                    return JsonResponse({"code": "too_large", "message": message,
                                         "errors": [{"field": "body", "message": message, "code": "too_large"}]},
                                        status=413)
                return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
