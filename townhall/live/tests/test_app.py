"""The ASGI layer: answers from memory are Django's own (body and headers), a commit is seen at
once, nothing is older than MAX_STALE, and the live stream delivers, resumes and beats."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client

from townhall.comments.models import Site, Status, Thread
from townhall.comments.services import site_create
from townhall.comments.tests.factories import make_comment
from townhall.core.testing import ORIGIN, PAGE, post_json
from townhall.live.hub import MAX_STALE, POLL_SECONDS
from townhall.live.tests.asgi import Driver, Reply, driven
from townhall.moderation.seed import load_seed_document, seed_timestamps
from townhall.posting.services import ImportRow, comment_import

pytestmark = pytest.mark.django_db(transaction=True)  # Django answers on the app's own thread
THREAD = urlencode({"site": "blog", "url": PAGE})


@pytest.fixture
def blog(transactional_db: None) -> Site:
    site = site_create(slug="blog", name="A blog", origins=[ORIGIN])
    for i in range(3):
        top = make_comment(site, text=f"Top {i}", author_name=f"Reader {i}")
        make_comment(site, parent=top, text=f"A reply to {i}")
    return site


@pytest.fixture
def seed(transactional_db: None) -> Site:
    """The seed thread (the demo's 60 comments, nested and partly held), through the pipeline."""
    site = site_create(slug="blog", name="A blog", origins=[ORIGIN])
    comments = load_seed_document()["comments"]
    rows = [ImportRow(ref=c["id"], parent_ref=c["parent"], text=c["text"], created=at, author_name=c["author"] or "")
            for c, at in zip(comments, seed_timestamps(len(comments)), strict=True)]
    comment_import(site=site, url=PAGE, rows=rows)
    return site


@pytest.fixture
def asgi() -> Iterator[Driver]:
    with driven() as driver:
        yield driver


def django_reply(path: str, query: str, **headers: str) -> Reply:
    response = Client().get(f"{path}?{query}", headers=headers)
    return Reply(response.status_code, [(k.lower().encode(), v.encode()) for k, v in response.items()], response.content)


def post(text: str, **extra: object) -> dict:
    response = post_json(Client(), "/api/v1/comments", {"site": "blog", "url": PAGE, "text": text, "author_name": "Ann", **extra})
    assert response.status_code == 201, response.content
    return response.json()


def test_memory_answers_with_djangos_body_and_headers(seed: Site, asgi: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    # Here only the bytes matter: entries must not age out between two requests of a busy
    # machine (the staleness bound has tests of its own).
    monkeypatch.setattr("townhall.live.app.MAX_STALE", 30.0)
    etag = django_reply("/api/v1/threads", THREAD).header("etag")
    assert etag
    cases = {
        "the thread, from its site's page": ("/api/v1/threads", THREAD, {"Origin": ORIGIN}),
        "an unknown site": ("/api/v1/threads", urlencode({"site": "nope", "url": PAGE}), {"Origin": ORIGIN}),
        "a foreign origin": ("/api/v1/threads", THREAD, {"Origin": "https://evil.example"}),
        "a conditional request": ("/api/v1/threads", THREAD, {"Origin": ORIGIN, "If-None-Match": etag}),
        "counts": ("/api/v1/counts", urlencode({"site": "blog", "url": [PAGE, ORIGIN + "/x"]}, doseq=True), {}),
        "config": ("/api/v1/config", "site=blog", {"Origin": ORIGIN}),
    }
    for name, (path, query, headers) in cases.items():
        calls = asgi.django.calls
        first = asgi.get(path, query, **headers)
        assert asgi.django.calls == calls + 1, name  # Django made it
        again = asgi.get(path, query, **headers)
        assert asgi.django.calls == calls + 1, name  # memory answered
        assert again == first, name
        direct = django_reply(path, query, **headers)
        assert (first.status, sorted(first.headers), first.body) == (direct.status, sorted(direct.headers), direct.body), name
    thread = asgi.get("/api/v1/threads", THREAD, Origin=ORIGIN)
    assert thread.header("access-control-allow-origin") == ORIGIN and {v.strip().lower() for v in (thread.header("vary") or "").split(",")} == {
        "origin", "accept-language"}  # error messages speak the reader's language
    assert thread.header("content-security-policy") and thread.header("x-content-type-options") == "nosniff"
    assert f"s-maxage={int(MAX_STALE)}" in (thread.header("cache-control") or "")
    page = json.loads(thread.body)
    assert page["thread"]["count"] > 40 and page["comments"][0]["replies"]  # the seed thread
    assert b"worthless crap article" not in thread.body  # seed comment 3 is held
    assert asgi.get("/api/v1/threads", THREAD, Origin="https://evil.example").header("access-control-allow-origin") is None
    assert asgi.get("/api/v1/threads", THREAD, **{"If-None-Match": etag}).status == 304
    assert asgi.get("/api/v1/threads", urlencode({"site": "nope", "url": PAGE})).status == 404


def test_a_comment_shows_at_once_to_the_next_read(blog: Site, asgi: Driver) -> None:
    post("The first post loads the moderation models.")
    before = asgi.get("/api/v1/threads", THREAD, Origin=ORIGIN)
    counts = asgi.get("/api/v1/counts", urlencode({"site": "blog", "url": PAGE}))
    kept = time.monotonic()
    assert asgi.get("/api/v1/threads", THREAD, Origin=ORIGIN) == before  # from memory
    post("Fresh words from a new reader.")
    after = asgi.get("/api/v1/threads", THREAD, Origin=ORIGIN)
    assert time.monotonic() - kept < MAX_STALE  # so the commit dropped it, not its age
    assert b"Fresh words" in after.body and after.header("etag") != before.header("etag")
    assert asgi.get("/api/v1/counts", urlencode({"site": "blog", "url": PAGE})).body != counts.body


def test_a_change_no_event_announces_is_served_within_the_bound(blog: Site, asgi: Driver) -> None:
    asgi.get("/api/v1/threads", THREAD)
    # Written as another process or a raw import would: no event, no broker message.
    Thread.objects.filter(url=PAGE).update(title="Renamed", version=F("version") + 1)
    # SQLite's data_version tells every process within POLL_SECONDS; otherwise the entry ages out.
    bound = POLL_SECONDS if connection.vendor == "sqlite" else MAX_STALE
    start = time.monotonic()
    while b"Renamed" not in asgi.get("/api/v1/threads", THREAD).body:
        time.sleep(0.01)
    assert time.monotonic() - start <= bound + 0.1


def test_the_stream_carries_what_the_public_thread_shows_and_beats_after_djangos_handshake(blog: Site, asgi: Driver) -> None:
    stream = asgi.stream(THREAD, Origin=ORIGIN)
    written = post("Live words for the readers.")
    took = stream.wait_for(lambda t: "event: published" in t)
    assert took < 1.0
    assert stream.status == 200 and dict(stream.headers)[b"content-type"].startswith(b"text/event-stream")
    assert dict(stream.headers)[b"access-control-allow-origin"] == ORIGIN.encode()
    assert b"x-townhall-stream" not in dict(stream.headers)
    assert "Live words for the readers." in stream.text and f'"id": {written["id"]}' in stream.text.replace('"id":', '"id": ')
    make_comment(blog, text="Held back", status=Status.PENDING)
    response = Client().delete(f"/api/v1/comments/{written['id']}", headers={"X-Townhall-Edit-Token": written["edit_token"]})
    assert response.status_code == 200
    stream.wait_for(lambda t: "event: deleted" in t)
    stream.wait_for(lambda t: ": heartbeat" in t)
    assert "Held back" not in stream.text and "email" not in stream.text
    asgi.close_stream(stream)
    # The handshake is Django's: an unknown site is its 404, a foreign page gets no CORS header.
    unknown = urlencode({"site": "nope", "url": PAGE})
    direct = django_reply("/api/v1/live", unknown, Origin=ORIGIN)
    refused = asgi.stream(unknown, Origin=ORIGIN)
    refused.wait_for(lambda t: "site_not_found" in t)
    assert refused.status == direct.status == 404 and refused.text.encode() == direct.body
    foreign = asgi.stream(THREAD, Origin="https://evil.example")
    foreign.wait_for(lambda t: "retry:" in t)
    assert b"access-control-allow-origin" not in dict(foreign.headers)
    asgi.close_stream(foreign)


def test_last_event_id_resumes_and_an_unprovable_gap_says_reset(blog: Site, asgi: Driver) -> None:
    first = asgi.stream(THREAD, Origin=ORIGIN)
    post("Before the drop.")
    first.wait_for(lambda t: "event: published" in t)
    last_id = next(line[4:] for line in first.text.splitlines() if line.startswith("id: "))
    asgi.close_stream(first)
    post("Missed one.")
    post("Missed two.")
    resumed = asgi.stream(THREAD, Origin=ORIGIN, **{"Last-Event-ID": last_id})
    resumed.wait_for(lambda t: "Missed two." in t)
    assert "Before the drop." not in resumed.text and resumed.text.index("Missed one.") < resumed.text.index("Missed two.")
    stale = asgi.stream(THREAD, Origin=ORIGIN, **{"Last-Event-ID": "1"})  # before this process listened
    stale.wait_for(lambda t: "event: reset" in t)
    for stream in (resumed, stale):
        asgi.close_stream(stream)


def test_a_body_over_the_limit_gets_djangos_answer_without_being_read_whole(blog: Site, asgi: Driver, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"site": "blog", "url": PAGE, "text": "x" * 5000, "author_name": "Ann"}).encode()
    direct = Client().post("/api/v1/comments", data=body, content_type="application/json")
    assert direct.status_code >= 400
    headers = {"Content-Type": "application/json"}
    declared = asgi.request("POST", "/api/v1/comments", "", [body], **headers, **{"Content-Length": str(len(body))})
    assert (declared.status, declared.body) == (direct.status_code, direct.content)
    assert asgi.read == 0  # declared too large: not read at all
    chunked = asgi.request("POST", "/api/v1/comments", "", [body[i : i + 100] for i in range(0, len(body), 100)], **headers)
    assert (chunked.status, chunked.body) == (direct.status_code, direct.content)
    assert asgi.read <= 11  # read up to one byte past the limit, no further


def test_behind_a_tls_proxy_a_plain_http_read_gets_djangos_redirect_not_a_kept_page(seed: Site, settings: Any) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    with driven() as asgi:  # Django's middleware reads these settings when it is built
        https = asgi.get("/api/v1/threads", THREAD, Origin=ORIGIN, **{"X-Forwarded-Proto": "https"})
        assert https.status == 200
        assert asgi.get("/api/v1/threads", THREAD, Origin=ORIGIN, **{"X-Forwarded-Proto": "https"}) == https  # kept
        plain = asgi.get("/api/v1/threads", THREAD, Origin=ORIGIN)
        assert plain.status == 301 and (plain.header("location") or "").startswith("https://")
