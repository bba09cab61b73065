"""API tests through Django's client, so middleware (CORS, CSP, ETag, throttles) is in play."""

import json
import re
from typing import Any

import pytest
from django.test import Client

from townhall.comments.models import Comment, Site, Status
from townhall.comments.services import comment_set_status, site_update
from townhall.comments.tests.factories import make_comment
from townhall.core.testing import ORIGIN, PAGE, post_json

pytestmark = pytest.mark.django_db
EMAIL = "secret.person@example.com"


def new(client: Client, **overrides: Any) -> Any:
    body = {"site": "blog", "url": PAGE, "title": "An article", "text": "Hello *world*",
            "author_name": "Ann", "author_email": EMAIL, "author_website": "https://ann.example"}
    body.update(overrides)
    return post_json(client, "/api/v1/comments", body)


def thread(client: Client, **params: Any) -> Any:
    return client.get("/api/v1/threads", {"site": "blog", "url": PAGE, **params})


def fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


# ---------------------------------------------------------------- config and tokens

def test_config_is_the_public_policy(client: Client, site: Site) -> None:
    body = client.get("/api/v1/config", {"site": "blog"}).json()
    assert body["site"] == "blog" and body["display_depth"] == 5 and body["require_email"] is False


def test_unknown_site_is_404_and_missing_param_422(client: Client, site: Site) -> None:
    r = client.get("/api/v1/config", {"site": "nope"})
    assert r.status_code == 404 and r.json()["code"] == "site_not_found"
    r = client.get("/api/v1/config")
    assert r.status_code == 422 and fields(r) == {"site"}


def test_reader_tokens_are_signed(client: Client, site: Site) -> None:
    r = client.post("/api/v1/tokens")
    assert r.status_code == 201 and ":" in r.json()["token"]


# ---------------------------------------------------------------- posting

def test_post_answers_201_with_edit_token_and_no_email(client: Client, site: Site) -> None:
    r = new(client)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "published" and body["edit_token"] and body["edit_expires"]
    assert body["comment"]["html"] == "<p>Hello <em>world</em></p>"
    assert body["comment"]["author"] == {"name": "Ann", "website": "https://ann.example", "key": body["comment"]["author"]["key"],
                                        "avatar": None}
    assert EMAIL not in r.content.decode()


def test_post_held_answers_202_without_the_comment(client: Client, site: Site) -> None:
    site_update(site=site, premoderate=True)
    r = new(client)
    assert r.status_code == 202
    assert r.json()["comment"] is None and r.json()["status"] == "pending"
    assert thread(client).json()["comments"] == []


def test_post_validation_names_every_bad_field(client: Client, site: Site) -> None:
    r = new(client, url="https://elsewhere.example/a", text="", author_email="not-an-email", author_website="ftp://x")
    assert r.status_code == 422
    assert fields(r) == {"url", "text", "author_email", "author_website"}
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"site": "blog", "url": PAGE}, "text"),
        ({"site": "blog", "text": "x"}, "url"),
        ({"site": "blog", "url": PAGE, "text": "x", "parent": "abc"}, "parent"),
        ({"site": "blog", "url": PAGE, "text": "x", "notify": "perhaps"}, "notify"),
        ({"site": "blog", "url": PAGE, "text": 5}, "text"),
    ],
)
def test_post_schema_errors_are_422_with_the_field(client: Client, site: Site, payload: dict[str, Any], field: str) -> None:
    r = post_json(client, "/api/v1/comments", payload)
    assert r.status_code == 422 and field in fields(r)


def test_post_malformed_json_is_a_4xx_not_a_500(client: Client, site: Site) -> None:
    r = client.post("/api/v1/comments", data="{not json", content_type="application/json")
    assert 400 <= r.status_code < 500


def test_post_to_unknown_site_is_404(client: Client, site: Site) -> None:
    assert new(client, site="ghost").status_code == 404


def test_closed_thread_is_403(client: Client, site: Site) -> None:
    from townhall.comments.services import thread_set_closed

    c = make_comment(site)
    thread_set_closed(thread=c.thread, closed=True)
    r = new(client)
    assert r.status_code == 403 and r.json()["code"] == "thread_closed"


# ---------------------------------------------------------------- reading

def test_thread_nests_replies_with_true_parents(client: Client, site: Site) -> None:
    root = make_comment(site, author_name="A")
    reply = make_comment(site, parent=root, author_name="B")
    make_comment(site, parent=reply, author_name="C")
    body = thread(client).json()
    assert body["thread"]["count"] == 3
    top = body["comments"][0]
    assert top["id"] == root.pk and top["replies"][0]["id"] == reply.pk
    assert top["replies"][0]["replies"][0]["parent"] == reply.pk


def test_replies_below_display_depth_continue_flat_with_in_reply_to(client: Client, site: Site) -> None:
    site_update(site=site, display_depth=2)
    root = make_comment(site, author_name="A")
    level1 = make_comment(site, parent=root, author_name="B")
    level2 = make_comment(site, parent=level1, author_name="C")
    level3 = make_comment(site, parent=level2, author_name="D")
    top = thread(client).json()["comments"][0]
    shown = top["replies"]
    # Level 1 holds B, then C and D flat beside it, each saying whom it answers.
    assert [n["id"] for n in shown] == [level1.pk, level2.pk, level3.pk]
    assert shown[0]["in_reply_to"] is None
    assert shown[1]["in_reply_to"] == {"id": level1.pk, "name": "B"}
    assert shown[2]["in_reply_to"] == {"id": level2.pk, "name": "C"}
    assert shown[2]["depth"] == 3 and shown[2]["level"] == 1


def test_top_level_pages_and_sorts_by_keyset_cursor(client: Client, site: Site) -> None:
    made = [make_comment(site, text=f"c{i}") for i in range(5)]
    first = thread(client, limit=2).json()
    assert [c["id"] for c in first["comments"]] == [made[0].pk, made[1].pk]
    second = thread(client, limit=2, cursor=first["cursor"]).json()
    assert [c["id"] for c in second["comments"]] == [made[2].pk, made[3].pk]
    third = thread(client, limit=2, cursor=second["cursor"]).json()
    assert [c["id"] for c in third["comments"]] == [made[4].pk] and third["cursor"] is None
    newest = thread(client, sort="newest", limit=2).json()
    assert [c["id"] for c in newest["comments"]] == [made[4].pk, made[3].pk]


def test_top_sort_orders_by_score(client: Client, site: Site) -> None:
    from townhall.comments.services import comment_vote

    a, b, c = (make_comment(site) for _ in range(3))
    comment_vote(comment_id=b.pk, reader="r1", ip="1.1.1.1", value=1)
    comment_vote(comment_id=c.pk, reader="r1", ip="1.1.1.1", value=-1)
    body = thread(client, sort="top", limit=2).json()
    assert [x["id"] for x in body["comments"]] == [b.pk, a.pk]
    rest = thread(client, sort="top", limit=2, cursor=body["cursor"]).json()
    assert [x["id"] for x in rest["comments"]] == [c.pk]


def test_more_replies_through_the_cursor_reach_every_reply(client: Client, site: Site) -> None:
    site_update(site=site, replies_per_page=3)
    root = make_comment(site)
    replies = [make_comment(site, parent=root, text=f"r{i}") for i in range(8)]
    top = thread(client).json()["comments"][0]
    seen = [n["id"] for n in top["replies"]]
    cursor = top["replies_cursor"]
    while cursor:
        page = client.get(f"/api/v1/comments/{root.pk}/replies", {"cursor": cursor}).json()
        seen += [n["id"] for n in page["replies"]]
        cursor = page["cursor"]
    assert seen == [r.pk for r in replies]


@pytest.mark.parametrize("params", [{"sort": "best"}, {"limit": 0}, {"limit": 101}, {"cursor": "garbage!"}, {"limit": "x"}])
def test_bad_read_parameters_are_422(client: Client, site: Site, params: dict[str, Any]) -> None:
    make_comment(site)
    r = thread(client, **params)
    assert r.status_code == 422 and fields(r) & {"sort", "limit", "cursor"}


def test_cursor_of_one_sort_is_refused_by_another(client: Client, site: Site) -> None:
    for _ in range(3):
        make_comment(site)
    cursor = thread(client, limit=1).json()["cursor"]
    assert thread(client, limit=1, sort="top", cursor=cursor).status_code == 422


def test_replies_cursor_of_another_comment_is_refused(client: Client, site: Site) -> None:
    site_update(site=site, replies_per_page=1)
    a, b = make_comment(site), make_comment(site)
    for parent in (a, b):
        make_comment(site, parent=parent)
        make_comment(site, parent=parent)
    cursor = client.get(f"/api/v1/comments/{a.pk}/replies", {"limit": 1}).json()["cursor"]
    assert client.get(f"/api/v1/comments/{b.pk}/replies", {"cursor": cursor}).status_code == 422


def test_empty_page_is_an_empty_thread(client: Client, site: Site) -> None:
    body = thread(client).json()
    assert body["comments"] == [] and body["thread"]["count"] == 0


def test_thread_on_foreign_origin_is_422(client: Client, site: Site) -> None:
    r = client.get("/api/v1/threads", {"site": "blog", "url": "https://other.example/"})
    assert r.status_code == 422 and fields(r) == {"url"}


def test_etag_and_304_follow_the_thread_version(client: Client, site: Site) -> None:
    make_comment(site)
    first = thread(client)
    etag = first["ETag"]
    # Browsers revalidate every time; a CDN may keep it for the bound townhall.live keeps too.
    assert etag and first["Cache-Control"] == "public, max-age=0, s-maxage=1, must-revalidate"
    again = client.get("/api/v1/threads", {"site": "blog", "url": PAGE}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    make_comment(site)
    changed = client.get("/api/v1/threads", {"site": "blog", "url": PAGE}, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert len(changed.json()["comments"]) == 2
    assert thread(client, sort="newest")["ETag"] != changed["ETag"]


def test_single_comment_and_its_ancestors(client: Client, site: Site) -> None:
    a = make_comment(site)
    b = make_comment(site, parent=a)
    c = make_comment(site, parent=b)
    body = client.get(f"/api/v1/comments/{c.pk}").json()
    assert body["ancestors"] == [a.pk, b.pk] and body["thread_url"] == PAGE
    assert client.get("/api/v1/comments/999999").status_code == 404


def test_held_and_rejected_comments_are_not_readable(client: Client, site: Site) -> None:
    from townhall.comments.services import comment_set_status

    c = make_comment(site)
    comment_set_status(comment=c, status=Status.REJECTED)
    assert client.get(f"/api/v1/comments/{c.pk}").status_code == 404
    assert thread(client).json()["comments"] == []


# ---------------------------------------------------------------- edit, delete, votes, reports

def test_edit_and_delete_with_the_token(client: Client, site: Site) -> None:
    written = new(client).json()
    token, cid = written["edit_token"], written["id"]
    r = client.patch(f"/api/v1/comments/{cid}", data={"text": "Changed"}, content_type="application/json",
                     headers={"X-Townhall-Edit-Token": token})
    assert r.status_code == 200 and r.json()["comment"]["edited"] and r.json()["comment"]["html"] == "<p>Changed</p>"
    r = client.patch(f"/api/v1/comments/{cid}", data={"text": "x"}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "edit_token_invalid"
    r = client.patch(f"/api/v1/comments/{cid}", data={"text": ""}, content_type="application/json",
                     headers={"X-Townhall-Edit-Token": token})
    assert r.status_code == 422 and fields(r) == {"text"}
    r = client.delete(f"/api/v1/comments/{cid}", headers={"X-Townhall-Edit-Token": token})
    assert r.status_code == 200 and r.json() == {"id": cid, "status": "deleted"}
    assert thread(client).json()["thread"]["count"] == 0


def test_deleted_parent_reads_as_deleted_without_author(client: Client, site: Site) -> None:
    parent = new(client).json()
    make_comment(site, parent=Comment.objects.get(pk=parent["id"]))
    client.delete(f"/api/v1/comments/{parent['id']}", headers={"X-Townhall-Edit-Token": parent["edit_token"]})
    top = thread(client).json()["comments"][0]
    assert top["status"] == "deleted" and top["author"] is None and top["html"] == ""
    assert len(top["replies"]) == 1


def test_held_parent_reads_as_a_placeholder_and_the_count_is_what_readers_see(client: Client, site: Site) -> None:
    # Written by the store, not the pipeline: this is about what readers see, whatever it scores.
    top_comment = make_comment(site, author_name="Ann", author_email=EMAIL)
    parent = {"id": top_comment.pk}
    reply = make_comment(site, parent=top_comment, author_name="Bo")
    deeper = make_comment(site, parent=reply, author_name="Cy")
    comment_set_status(comment=top_comment, status=Status.PENDING)
    body = thread(client).json()
    top = body["comments"][0]
    assert top["status"] == "held" and top["author"] is None and top["html"] == "" and top["edited"] is None
    [shown] = top["replies"]
    assert shown["id"] == reply.pk and shown["author"]["name"] == "Bo"
    assert [r["id"] for r in shown["replies"]] == [deeper.pk]
    assert body["thread"]["count"] == 2
    assert "Ann" not in json.dumps(body) and EMAIL not in json.dumps(body)
    # Rejecting the reply too leaves a held placeholder over a rejected one over the last reply.
    comment_set_status(comment=reply, status=Status.REJECTED)
    body = thread(client).json()
    assert body["thread"]["count"] == 1
    [shown] = body["comments"][0]["replies"]
    assert (shown["id"], shown["status"], shown["author"]) == (reply.pk, "held", None)
    assert [(r["id"], r["status"]) for r in shown["replies"]] == [(deeper.pk, "published")]
    # Without a published reply below it, a held comment is not shown at all.
    comment_set_status(comment=deeper, status=Status.PENDING)
    body = thread(client).json()
    assert body["thread"]["count"] == 0 and body["comments"] == []
    assert client.get(f"/api/v1/comments/{parent['id']}").status_code == 404


def test_vote_and_report(client: Client, site: Site) -> None:
    c = make_comment(site)
    token = client.post("/api/v1/tokens").json()["token"]
    r = post_json(client, f"/api/v1/comments/{c.pk}/votes", {"value": 1}, **{"X-Townhall-Token": token})
    assert r.status_code == 200 and r.json()["score"] == 1
    r = post_json(client, f"/api/v1/comments/{c.pk}/votes", {"value": -1}, **{"X-Townhall-Token": token})
    assert r.json()["score"] == -1
    assert post_json(client, f"/api/v1/comments/{c.pk}/votes", {"value": 2}, **{"X-Townhall-Token": token}).status_code == 422
    r = post_json(client, f"/api/v1/comments/{c.pk}/votes", {"value": 1}, **{"X-Townhall-Token": "forged"})
    assert r.status_code == 403 and r.json()["code"] == "reader_token_required"
    r = post_json(client, f"/api/v1/comments/{c.pk}/reports", {"reason": "abuse", "note": "insult"})
    assert r.status_code == 201
    r = post_json(client, f"/api/v1/comments/{c.pk}/reports", {"reason": "because"})
    assert r.status_code == 422 and fields(r) == {"reason"}
    assert post_json(client, "/api/v1/comments/99999/votes", {"value": 1}, **{"X-Townhall-Token": token}).status_code == 404


def test_counts_for_many_urls(client: Client, site: Site) -> None:
    make_comment(site)
    make_comment(site)
    other = "https://blog.example/other"
    r = client.get("/api/v1/counts", {"site": "blog", "url": [PAGE + "#comments", other]})
    assert r.json() == {"counts": {PAGE + "#comments": 2, other: 0}}
    too_many = [f"https://blog.example/{i}" for i in range(101)]
    assert client.get("/api/v1/counts", {"site": "blog", "url": too_many}).status_code == 422
    r = client.get("/api/v1/counts", {"site": "blog", "url": ["https://evil.example/"]})
    assert r.status_code == 422 and fields(r) == {"url[0]"}


# ---------------------------------------------------------------- cross-cutting

def test_rate_limit_answers_429_with_retry_after(client: Client, site: Site, settings: Any) -> None:
    settings.RATE_WRITE = "2/min"
    assert new(client).status_code == 201
    assert new(client).status_code == 201
    r = new(client)
    assert r.status_code == 429 and int(r["Retry-After"]) > 0 and r.json()["code"] == "rate_limited"
    # Another client is not affected.
    assert new(Client(REMOTE_ADDR="10.9.9.9")).status_code == 201


def test_forwarded_for_is_only_trusted_for_configured_proxies(site: Site, settings: Any) -> None:
    settings.RATE_WRITE = "1/min"
    spoofing = Client(REMOTE_ADDR="10.0.0.1")
    assert new(spoofing, text="a").status_code == 201
    # Without trusted proxies, a forged header does not make a new client.
    r = post_json(spoofing, "/api/v1/comments", {"site": "blog", "url": PAGE, "text": "b"}, **{"X-Forwarded-For": "1.2.3.4"})
    assert r.status_code == 429


def test_cors_only_for_a_sites_origins(client: Client, site: Site) -> None:
    ok = client.options("/api/v1/comments", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert ok["Access-Control-Allow-Origin"] == ORIGIN
    assert "x-townhall-token" in ok["Access-Control-Allow-Headers"]
    bad = client.options("/api/v1/comments", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in bad
    read = client.get("/api/v1/config", {"site": "blog"}, headers={"Origin": ORIGIN})
    assert read["Access-Control-Allow-Origin"] == ORIGIN and "Access-Control-Allow-Credentials" not in read


def test_security_headers_on_api_and_pages(client: Client, site: Site) -> None:
    for path in ("/api/v1/config?site=blog", "/healthz"):
        r = client.get(path)
        assert "default-src 'self'" in r["Content-Security-Policy"]
        assert r["X-Content-Type-Options"] == "nosniff"
        assert r["X-Frame-Options"] == "DENY"


def test_openapi_schema_documents_every_endpoint(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for p in ("/api/v1/config", "/api/v1/threads", "/api/v1/comments", "/api/v1/comments/{comment_id}",
              "/api/v1/comments/{comment_id}/replies", "/api/v1/comments/{comment_id}/votes",
              "/api/v1/comments/{comment_id}/reports", "/api/v1/counts", "/api/v1/tokens"):
        assert p in paths
    assert "author_email" not in json.dumps(schema["components"]["schemas"]["CommentOut"])
    assert client.get("/api/v1/docs").status_code == 200


def test_healthz(client: Client, db: None) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_no_email_in_any_public_response(client: Client, site: Site) -> None:
    parent = new(client).json()
    new(client, parent=parent["id"], author_email="other.person@example.org")
    bodies = [
        thread(client).content,
        client.get(f"/api/v1/comments/{parent['id']}").content,
        client.get(f"/api/v1/comments/{parent['id']}/replies").content,
        client.get("/api/v1/counts", {"site": "blog", "url": PAGE}).content,
        client.get("/").content,
    ]
    for body in bodies:
        assert not re.search(rb"[\w.]+@example\.(com|org)", body)
        assert b"10.1.2.3" not in body and b"127.0.0.1" not in body.replace(b"http://127.0.0.1", b"")


def test_a_hot_read_is_one_query(client: Client, site: Site, django_assert_num_queries: Any) -> None:
    make_comment(site)
    thread(client)
    with django_assert_num_queries(1):
        again = thread(client)
    assert again.status_code == 200 and len(again.json()["comments"]) == 1


def test_site_policy_change_reaches_reads(client: Client, site: Site) -> None:
    root = make_comment(site)
    make_comment(site, parent=make_comment(site, parent=root))
    assert thread(client).json()["comments"][0]["replies"][0]["replies"]
    site_update(site=site, display_depth=1)
    flat = thread(client).json()["comments"][0]["replies"]
    assert len(flat) == 2 and flat[1]["in_reply_to"] is not None


def test_the_author_learns_the_outcome_of_a_held_comment(client: Client, site: Site) -> None:
    from townhall.comments.services import comment_set_status

    site_update(site=site, premoderate=True)
    token = client.post("/api/v1/tokens").json()["token"]
    held = post_json(client, "/api/v1/comments", {"site": "blog", "url": PAGE, "text": "wait for me"},
                     **{"X-Townhall-Token": token}).json()
    path = f"/api/v1/comments/{held['id']}/outcome"
    assert client.get(path, headers={"X-Townhall-Edit-Token": held["edit_token"]}).json()["status"] == "pending"
    comment_set_status(comment=Comment.objects.get(pk=held["id"]), status=Status.PUBLISHED)
    assert client.get(path, headers={"X-Townhall-Token": token}).json()["status"] == "published"
    # Nobody else can ask.
    assert client.get(path).status_code == 404
    other = client.post("/api/v1/tokens").json()["token"]
    assert client.get(path, headers={"X-Townhall-Token": other}).status_code == 404


def test_a_signed_in_moderator_posts_with_a_staff_badge(client: Client, site: Site) -> None:
    from django.contrib.auth.models import User

    from townhall.moderators.models import SiteRole

    mod = User.objects.create_user("mod", password="pw-for-test-only")
    SiteRole.objects.create(user=mod, site=site, role="moderator")
    outsider = User.objects.create_user("outsider", password="pw-for-test-only")
    client.force_login(outsider)
    assert new(client).json()["comment"]["badges"] == []
    client.force_login(mod)
    staffed = post_json(client, "/api/v1/comments", {"site": "blog", "url": PAGE, "text": "Speaking for the desk"},
                        Origin="http://testserver")
    assert staffed.json()["comment"]["badges"] == ["staff"]
    staff = [c for c in thread(client).json()["comments"] if c["badges"]]
    assert len(staff) == 1 and staff[0]["html"] == "<p>Speaking for the desk</p>"


@pytest.mark.parametrize("field", ["text", "author_name", "site", "title", "url", "author_email"])
@pytest.mark.parametrize("bad", ["a\u0000b", "a\ud800b"])
def test_unstorable_text_is_a_422_naming_the_field(client: Client, site: Site, field: str, bad: str) -> None:
    body = {"site": "blog", "url": PAGE, "text": "fine"}
    body[field] = bad
    raw = json.dumps(body)  # escapes the surrogate as \ud800, as a browser would send it
    r = client.post("/api/v1/comments", data=raw, content_type="application/json")
    assert r.status_code == 422 and field in fields(r)
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("path", [
    "/api/v1/config?site=bl%00og", "/api/v1/threads?site=blog&url=https://blog.example/a%00b",
    "/api/v1/counts?site=blog&url=https://blog.example/%00", "/embed/thread?site=blog&url=https://blog.example/%00",
])
def test_nul_in_a_query_is_refused_before_any_lookup(client: Client, site: Site, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (400, 422)


def test_writes_from_another_sites_origin_are_refused(client: Client, site: Site) -> None:
    from townhall.comments.services import site_create

    site_create(slug="other", name="Other", origins=["https://other.example"])
    r = post_json(client, "/api/v1/comments", {"site": "blog", "url": PAGE, "text": "x"}, Origin="https://other.example")
    assert r.status_code == 403 and r.json()["code"] == "origin_not_allowed"
    ok = post_json(client, "/api/v1/comments", {"site": "blog", "url": PAGE, "text": "x"}, Origin=ORIGIN)
    assert ok.status_code == 201
    cid = ok.json()["id"]
    r = post_json(client, f"/api/v1/comments/{cid}/reports", {"reason": "spam"}, Origin="https://other.example")
    assert r.status_code == 403
    # Reads of one site are not shared with another site's pages.
    read = client.get("/api/v1/threads", {"site": "blog", "url": PAGE}, headers={"Origin": "https://other.example"})
    assert "Access-Control-Allow-Origin" not in read


def test_the_staff_badge_needs_this_servers_own_origin(client: Client, site: Site) -> None:
    from django.contrib.auth.models import User

    from townhall.moderators.models import SiteRole

    mod = User.objects.create_user("mod2", password="pw-for-test-only")
    SiteRole.objects.create(user=mod, site=site, role="moderator")
    client.force_login(mod)
    body = {"site": "blog", "url": PAGE, "text": "as staff?"}
    assert post_json(client, "/api/v1/comments", body).json()["comment"]["badges"] == []
    sibling = post_json(client, "/api/v1/comments", body, Origin=ORIGIN).json()
    assert sibling["comment"]["badges"] == []
    own = post_json(client, "/api/v1/comments", body, Origin="http://testserver").json()
    assert own["comment"]["badges"] == ["staff"]
