"""The JSON API: one NinjaAPI, its routers, and the one place domain errors become HTTP."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from townhall.articles.api import router as articles_router
from townhall.core.errors import DomainError, RateLimited, ValidationFailed
from townhall.core.limits import WEB_URL
from townhall.core.text import NO_NUL
from townhall.live.api import router as live_router
from townhall.notifications.api import router as notifications_router
from townhall.public.account import router as readers_router
from townhall.public.api import router as comments_router

logger = logging.getLogger("townhall.api")

api = NinjaAPI(
    title="Townhall API",
    version="1",
    description=(
        "Public JSON API of Townhall. Reads are anonymous and cacheable; writes authenticate "
        "with header tokens (X-Townhall-Token, X-Townhall-Edit-Token), never cookies. Errors are "
        "`{code, message, errors: [{field, message, code}]}`."
    ),
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("", comments_router)
api.add_router("", notifications_router)
api.add_router("", readers_router)
api.add_router("", articles_router)
api.add_router("", live_router)

# Request parts that are not the client's field names.
_LOC_NOISE = {"body", "query", "path", "payload", "header"}


def _error(request: HttpRequest, status: int, code: str, message: str, errors: list[dict[str, str]] | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "errors": errors or []}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    errors = None
    if isinstance(exc, ValidationFailed):
        errors = [{"field": e.field, "message": e.message, "code": e.code} for e in exc.errors]
    response = _error(request, exc.status, exc.code, exc.message, errors)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(NinjaValidationError)
def schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if str(p) not in _LOC_NOISE]
        field = ".".join(loc) or "body"
        message = str(err.get("msg", "is invalid"))
        kind, ctx = err.get("type"), err.get("ctx") or {}
        if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
            message, code = "is required", "required"
        elif kind in ("string_too_long", "too_long"):
            # The same words as the services' own length checks.
            limit = ctx.get("max_length")
            message, code = (f"is longer than {limit:,} characters" if kind == "string_too_long" else
                             f"has more than {limit:,} items"), "too_long"
        elif kind == "string_pattern_mismatch" and ctx.get("pattern") == NO_NUL:
            message, code = "contains a NUL character", "nul"
        elif kind == "string_pattern_mismatch" and ctx.get("pattern") == WEB_URL:
            message, code = "must be an absolute http or https URL", "invalid"
        else:
            code = str(kind or "invalid")
        errors.append({"field": field, "message": message, "code": code})
    message = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return _error(request, 422, "validation_failed", message, errors)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    # ninja adds Retry-After to this response itself.
    return _error(request, 429, "rate_limited", "too many requests; try again later")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja raises these for a body it cannot parse (not JSON, not UTF-8): a fault of the body.
    if exc.status_code == 400:
        message = "is not a JSON object (check the Content-Type and the encoding)"
        return _error(request, 400, "malformed_body", f"body: {message}",
                      [{"field": "body", "message": message, "code": "malformed"}])
    return _error(request, exc.status_code, "error", str(exc))


@api.exception_handler(Exception)
def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Never a traceback to a user; the log has it (with no request body: it may hold an email).
    logger.exception("unhandled error on %s %s", request.method, request.path)
    return _error(request, 500, "server_error", "something went wrong on our side")
