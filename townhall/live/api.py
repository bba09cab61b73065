"""The live stream's handshake, as a Django view: the site, the page and the Origin are checked
here with the rest of the API's rules (CORS, security headers, errors), and the ASGI layer
(townhall.live.app) then keeps the response open with the thread's events."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from townhall.comments.cache import site_cache
from townhall.comments.schemas import ErrorOut
from townhall.comments.selectors import thread_locate
from townhall.live.changes import stream_key

router = Router(tags=["live"])

# Names the stream for the ASGI layer, which removes it before the response leaves.
STREAM_HEADER = "X-Townhall-Stream"
# Served without the ASGI layer (plain WSGI), the stream ends at once and the browser retries.
RETRY_MS = 5000


@router.get("/live", response={200: None, 404: ErrorOut, 422: ErrorOut})
def live_stream(request: HttpRequest, site: str, url: str) -> HttpResponse:
    """GET /api/v1/live?site=&url= — anyone (CORS: the site's origins). A Server-Sent Events
    stream of the thread's comments as the public thread shows them: events `published` and
    `edited` (data: the comment, as in GET /comments/{id}), `deleted` and `removed` (data:
    {id, placeholder}), `reset` (events were missed: reload the thread); a comment line as
    heartbeat. Send Last-Event-ID to resume. No side effects."""
    found = site_cache.get(site)
    canonical = thread_locate(site=found, url=url)
    response = HttpResponse(f"retry: {RETRY_MS}\n\n", content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    response[STREAM_HEADER] = stream_key(found.slug, canonical)
    return response
