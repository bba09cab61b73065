"""CORS for the JSON API: an origin is allowed when some site lists it."""

from typing import Any

from django.http import HttpRequest


def origin_allowed_by_a_site(sender: Any, request: HttpRequest, **kwargs: Any) -> bool:
    from townhall.comments.selectors import origin_is_registered

    origin = request.headers.get("origin")
    return origin is not None and origin_is_registered(origin)
