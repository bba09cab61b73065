"""Hostile input against the API and the no-JS pages: each answer is a 4xx naming the field (or
the limit), never a 500. Found by a hostile tester on SQLite and PostgreSQL (issue 14)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from townhall.comments.models import MAX_TEXT, Comment, Site
from townhall.core.limits import MAX_ID, comment_body_limit
from townhall.core.testing import ORIGIN, PAGE, post_json
from townhall.moderation.services import policy_update
from townhall.posting.services import comment_create

pytestmark = pytest.mark.django_db
HUGE = 2**70  # past 64 bits
API = "/api/v1"


def fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


HOSTILE_CURSORS = {
    "infinity": cursor('{"s":"oldest","k":Infinity}'),
    "nan": cursor('{"s":"oldest","k":NaN}'),
    "1e400": cursor('{"s":"oldest","k":1e400}'),
    "huge int": cursor(f'{{"s":"oldest","k":{HUGE}}}'),
    "top huge": cursor(f'{{"s":"top","k":[{HUGE},1]}}'),
    "replies huge": cursor(f'{{"r":{HUGE},"p":"1"}}'),
    "deep nesting": cursor('{"s":"oldest","k":' + "[" * 100_000 + "]" * 100_000 + "}")[:150],
    "deep nesting, short": cursor("[" * 140),
    "float": cursor('{"s":"oldest","k":1.5}'),
    "not base64": "!!!",
    "very long": "A" * 5000,
}


@pytest.fixture
def comment(site: Site) -> Comment:
    return comment_create(site=site, url=PAGE, text="A first comment", author_name="Ann").comment


@pytest.mark.parametrize("size", [3_000_000, 10_000_000])
def test_a_huge_body_is_a_413_naming_the_limit(client: Client, site: Site, size: int) -> None:
    body = json.dumps({"site": "blog", "url": PAGE, "text": "x" * size})
    r = client.post(f"{API}/comments", data=body, content_type="application/json")
    assert r.status_code == 413
    assert f"{comment_body_limit(MAX_TEXT):,} bytes" in r.json()["message"]
    assert fields(r) == {"body"}


def test_the_comment_body_limit_follows_the_sites_text_limit(client: Client, site: Site) -> None:
    policy_update(site=site, max_length=1000)
    text = "\\u00e9" * 1000  # escaped in JSON: six bytes a character, still within 1,000 characters
    ok = client.post(f"{API}/comments", data=f'{{"site":"blog","url":"{PAGE}","text":"{text}"}}',
                     content_type="application/json", headers={"Origin": ORIGIN})
    assert ok.status_code == 201, ok.content
    # Whitespace between JSON tokens: a body over the site's limit that no field check would catch.
    padded = json.dumps({"site": "blog", "url": PAGE, "text": "hi"})[:-1] + " " * comment_body_limit(1000) + "}"
    r = client.post(f"{API}/comments", data=padded, content_type="application/json")
    assert r.status_code == 413 and "1,000 characters of text" in r.json()["message"]


def test_other_endpoints_have_small_limits(client: Client, comment: Comment) -> None:
    r = post_json(client, f"{API}/comments/{comment.pk}/reports", {"reason": "spam", "note": "x" * 100_000})
    assert r.status_code == 413 and "bytes" in r.json()["message"]


@pytest.mark.parametrize("method,path,body", [
    ("patch", "/comments/{id}", {"text": "edited"}),
    ("delete", "/comments/{id}", None),
    ("post", "/comments/{id}/votes", {"value": 1}),
    ("post", "/comments/{id}/reports", {"reason": "spam"}),
    ("get", "/comments/{id}", None),
    ("get", "/comments/{id}/replies", None),
    ("get", "/comments/{id}/outcome", None),
])
@pytest.mark.parametrize("bad_id", [HUGE, MAX_ID + 1, 0])
def test_ids_out_of_range_are_a_422_on_the_id(client: Client, comment: Comment, method: str, path: str,
                                               body: Any, bad_id: int) -> None:
    kwargs: dict[str, Any] = {"content_type": "application/json", "headers": {"X-Townhall-Token": "x"}}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    r = getattr(client, method)(API + path.format(id=bad_id), **kwargs)
    assert r.status_code == 422, r.content
    assert fields(r) == {"comment_id"}


def test_an_id_at_the_top_of_the_range_is_just_unknown(client: Client, comment: Comment) -> None:
    assert client.get(f"{API}/comments/{MAX_ID}").status_code == 404
    assert client.delete(f"{API}/comments/{MAX_ID}").status_code == 404


@pytest.mark.parametrize("parent", [HUGE, -HUGE, MAX_ID + 1, 0, 1e400])
def test_a_parent_out_of_range_is_a_422_on_parent(client: Client, site: Site, parent: Any) -> None:
    raw = json.dumps(parent) if parent != 1e400 else "1e400"
    body = f'{{"site":"blog","url":"{PAGE}","text":"hi","parent":{raw}}}'
    r = client.post(f"{API}/comments", data=body, content_type="application/json")
    assert r.status_code == 422 and fields(r) == {"parent"}


@pytest.mark.parametrize("name", HOSTILE_CURSORS)
def test_hostile_cursors_are_a_4xx_on_every_surface(client: Client, comment: Comment, name: str) -> None:
    bad = HOSTILE_CURSORS[name]
    r = client.get(f"{API}/threads", {"site": "blog", "url": PAGE, "cursor": bad})
    assert r.status_code == 422 and fields(r) == {"cursor"}
    for sort in ("newest", "top"):
        assert client.get(f"{API}/threads", {"site": "blog", "url": PAGE, "cursor": bad, "sort": sort}).status_code == 422
    r = client.get(f"{API}/comments/{comment.pk}/replies", {"cursor": bad})
    assert r.status_code == 422 and fields(r) == {"cursor"}
    page = client.get("/embed/thread", {"site": "blog", "url": PAGE, "cursor": bad})
    assert page.status_code in (400, 422) and b"cursor" in page.content
    page = client.get(f"/embed/comments/{comment.pk}", {"cursor": bad})
    assert page.status_code in (400, 422) and b"cursor" in page.content


def test_the_no_js_page_of_an_id_past_64_bits_is_a_404(client: Client, comment: Comment) -> None:
    assert client.get(f"/embed/comments/{HUGE}").status_code == 404


def test_a_url_over_2000_characters_is_a_422_on_url(client: Client, site: Site) -> None:
    long_url = PAGE + "/" + "a" * 2100
    r = post_json(client, f"{API}/comments", {"site": "blog", "url": long_url, "text": "hi"})
    assert r.status_code == 422 and fields(r) == {"url"}
    r = client.get(f"{API}/threads", {"site": "blog", "url": long_url})
    assert r.status_code == 422 and fields(r) == {"url"}
    r = client.get(f"{API}/counts", {"site": "blog", "url": long_url})
    assert r.status_code == 422
    assert client.get("/embed/thread", {"site": "blog", "url": long_url}).status_code == 422
    # Just under the limit, with a scheme the site's origin lengthens (http -> https): still refused
    # rather than overflowing the column.
    edge = "http://blog.example/" + "b" * (2000 - len("http://blog.example/"))
    r = post_json(client, f"{API}/comments", {"site": "blog", "url": edge, "text": "hi"})
    assert r.status_code == 422 and fields(r) == {"url"}


@pytest.mark.parametrize("length", [255, 300, 320])
def test_an_email_of_255_to_320_characters_is_a_422(client: Client, site: Site, length: int) -> None:
    local = "a" * 64
    domain = ".".join(["b" * 60] * 10)[: length - len(local) - 1 - 4] + ".com"
    email = f"{local}@{domain}"
    assert len(email) == length
    r = post_json(client, f"{API}/comments", {"site": "blog", "url": PAGE, "text": "hi", "author_email": email})
    assert r.status_code == 422 and fields(r) == {"author_email"}


@pytest.mark.parametrize("body", ["{not json", '{"site": "bl', "\xff\xfe", "[" * 100_000 + "]" * 100_000])
def test_a_body_that_is_not_json_is_a_400_on_body(client: Client, site: Site, body: str) -> None:
    r = client.post(f"{API}/comments", data=body.encode("latin-1"), content_type="application/json")
    assert r.status_code in (400, 413)
    assert fields(r) == {"body"}


@pytest.mark.parametrize("body", [[], "a string", 1, None, {"site": ["blog"]}, {"site": {"$ne": 1}}])
def test_a_body_of_the_wrong_shape_is_a_422(client: Client, site: Site, body: Any) -> None:
    r = client.post(f"{API}/comments", data=json.dumps(body), content_type="application/json")
    assert r.status_code == 422


def test_missing_query_parameters_are_a_422_the_schema_lists(client: Client, site: Site) -> None:
    r = client.get(f"{API}/config")
    assert r.status_code == 422 and fields(r) == {"site"}
    schema = client.get(f"{API}/openapi.json").json()
    assert "422" in schema["paths"]["/api/v1/config"]["get"]["responses"]


def test_an_unknown_api_path_answers_json(client: Client) -> None:
    r = client.get(f"{API}/no-such-endpoint")
    assert r.status_code == 404 and r["Content-Type"] == "application/json"
