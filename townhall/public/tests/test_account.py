"""Sign-in through the site's own login, through the API: every bad token is a 401 with its
reason, a good one makes a verified (or staff) commenter whose name nobody can borrow."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from townhall.comments.models import Comment, Status
from townhall.comments.services import site_create, site_update
from townhall.core.testing import ORIGIN, PAGE, post_json
from townhall.identity import avatars
from townhall.identity.models import Identity
from townhall.identity.tests.factories import sso_secret, sso_token
from townhall.moderation.services import policy_update
from townhall.moderators.models import AuditLog, Role, SiteRole

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 60


def sign_in(client: Client, token: str, site: str = "blog") -> Any:
    return post_json(client, "/api/v1/sso", {"site": site, "token": token}, Origin=ORIGIN)


def post(client: Client, reader: str | None = None, **fields: Any) -> Any:
    body = {"site": "blog", "url": PAGE, "text": "A view on the article.", **fields}
    headers = {"X-Townhall-Token": reader} if reader else {}
    return post_json(client, "/api/v1/comments", body, **headers)


def unsigned(claims: dict[str, Any]) -> str:
    part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.fixture
def other(site: Any) -> Any:
    return site_create(slug="other", name="Other", origins=["https://other.example"])


def test_every_bad_token_is_a_401_with_its_reason(site: Any, other: Any, client: Client) -> None:
    good = {"sub": "u-1", "name": "Ann", "aud": "blog", "exp": int(time.time()) + 300, "jti": "j-1"}
    replayed = sso_token(site)
    assert sign_in(client, replayed).status_code == 200
    cases = {
        "token_expired": sso_token(site, lifetime=-120),
        "token_too_long_lived": sso_token(site, lifetime=3600),
        "token_unsigned": unsigned(good),
        "token_bad_signature": sso_token(site, key="another-key-that-is-long-enough-for-hs256!!"),
        "token_wrong_audience": sso_token(other),
        "token_replayed": replayed,
        "token_malformed": "not.a.jwt",
        "token_missing_claim": sso_token(site, jti=None),
        "token_bad_claim": sso_token(site, name="<b></b>\u202e"),
    }
    for reason, token in cases.items():
        r = sign_in(client, token)
        assert (r.status_code, r.json()["code"]) == (401, reason), (reason, r.content)
    # A token signed with the other site's key but addressed to this one: the signature fails.
    r = sign_in(client, sso_token(site, key=sso_secret(other)))
    assert (r.status_code, r.json()["code"]) == (401, "token_bad_signature")


def test_a_site_without_a_key_refuses_sign_in(site: Any, client: Client) -> None:
    import jwt

    token = jwt.encode({"sub": "1", "name": "A", "aud": "blog", "exp": int(time.time()) + 60, "jti": "x"},
                       "k" * 40, algorithm="HS256")
    r = sign_in(client, token)
    assert (r.status_code, r.json()["code"]) == (401, "sso_not_configured")


def test_signed_in_reader_posts_verified_without_name_or_email(site: Any, client: Client) -> None:
    r = sign_in(client, sso_token(site, sub="42", name="<i>Rudy1947</i>\x07", email="Rudy@Example.org"))
    assert r.status_code == 200 and r.json()["signed_in"] and r.json()["name"] == "Rudy1947"
    token = r.json()["token"]
    written = post(client, token)  # no author_name, no author_email
    assert written.status_code == 201, written.content
    comment = written.json()["comment"]
    assert comment["author"]["name"] == "Rudy1947" and comment["badges"] == ["verified"]
    # The same token keeps working (a reload, another tab), and a new sign-in is the same person.
    again = post(client, token, text="And a second thought.", author_name="Someone else")
    assert again.json()["comment"]["author"]["name"] == "Rudy1947"
    other_tab = sign_in(client, sso_token(site, sub="42", name="Rudy1947")).json()["token"]
    third = post(client, other_tab, text="From my phone.")
    keys = {c["comment"]["author"]["key"] for c in (written.json(), again.json(), third.json())}
    assert len(keys) == 1
    assert "Rudy@Example.org".lower() not in written.content.decode().lower()
    assert client.get("/api/v1/me", {"site": "blog"}, headers={"X-Townhall-Token": token}).json()["name"] == "Rudy1947"
    # Signed out, the token is an anonymous one again.
    assert post_json(client, "/api/v1/sso/signout", {}, **{"X-Townhall-Token": token}).json() == {"signed_out": True}
    assert post(client, token, text="Now anonymous.", author_name="Fresh Name").json()["comment"]["badges"] == []


def test_an_anonymous_post_cannot_borrow_a_signed_in_or_moderator_name(site: Any, client: Client) -> None:
    # (Moderators' names are read once a minute per process: this one is there from the start.)
    moderator = User.objects.create_user("hind", first_name="Hind", last_name="Abyad")
    SiteRole.objects.create(user=moderator, site=site, role=Role.MODERATOR)
    sign_in(client, sso_token(site, sub="42", name="Rudy1947"))
    for name in ("Rudy1947", "Rudyl947", "Rud\u0443 1947"):
        r = post(client, author_name=name)
        assert r.status_code == 422 and r.json()["errors"][0] == {
            "field": "author_name", "code": "name_reserved",
            "message": "is the name of a signed-in reader or moderator of this site: choose another"}
    assert post(client, author_name="Hind \u0410byad").json()["code"] == "validation_failed"
    assert post(client, author_name="Rudy").status_code == 201
    assert not Comment.objects.filter(author_name__in=["Rudyl947", "Hind \u0410byad"]).exists()


def test_staff_post_with_the_badge_skip_soft_signals_and_are_audited(
    site: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    policy_update(site=site, post_moderation=False, suspect_words=["casino"])
    assert post(client, author_name="Reader", text="The casino story.").status_code == 202
    staff = sign_in(client, sso_token(site, sub="ed-1", name="The Editor", roles=["staff"])).json()["token"]
    with django_capture_on_commit_callbacks(execute=True):
        r = post(client, staff, text="The casino story is ours; see the correction.")
    assert r.status_code == 201 and r.json()["comment"]["badges"] == ["verified", "staff"]
    entry = AuditLog.objects.get(action="comment.staff_post")
    assert entry.target_id == r.json()["id"] and "The Editor" in entry.actor_name


def test_sign_in_required_refuses_anonymous_posts(site: Any, client: Client) -> None:
    site_update(site=site, sign_in_required=True, login_url="https://blog.example/login")
    config = client.get("/api/v1/config", {"site": "blog"}).json()
    assert config["sign_in_required"] and config["login_url"] == "https://blog.example/login"
    assert post(client, author_name="Ann").json()["code"] == "sign_in_required"
    token = sign_in(client, sso_token(site)).json()["token"]
    assert post(client, token).status_code == 201


def test_the_picture_is_fetched_once_checked_and_served_from_here(site: Any, client: Client,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    fetched: list[str] = []

    class Response:
        def __init__(self, body: bytes) -> None:
            self.body = body

        def __enter__(self) -> Response:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def read(self, n: int) -> bytes:
            return self.body[:n]

    bodies = {"https://cdn.example/a.png": PNG, "https://cdn.example/page.html": b"<html>",
              "https://cdn.example/huge.png": PNG + b"\x00" * 300_000}

    def urlopen(request: Any, timeout: float) -> Response:
        fetched.append(request.full_url)
        return Response(bodies[request.full_url])

    monkeypatch.setattr(avatars.urllib.request, "urlopen", urlopen)
    monkeypatch.setattr(avatars, "_public_host", lambda host: True)
    token = sign_in(client, sso_token(site, avatar="https://cdn.example/a.png")).json()["token"]
    sign_in(client, sso_token(site, avatar="https://cdn.example/a.png"))  # unchanged: not fetched again
    assert fetched == ["https://cdn.example/a.png"]
    path = post(client, token).json()["comment"]["author"]["avatar"]
    picture = client.get(path)
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png" and picture.content == PNG
    for url in ("https://cdn.example/page.html", "https://cdn.example/huge.png"):
        sign_in(client, sso_token(site, avatar=url))
        assert Identity.objects.get().avatar is None
    monkeypatch.undo()
    # This server's own network is never fetched from (no request is made: the address is checked first).
    assert avatars.avatar_download("http://127.0.0.1/x.png") is None


def test_a_moderator_warning_is_acknowledged_once_then_posting_goes_on(site: Any, client: Client) -> None:
    from townhall.moderation.models import Ban
    from townhall.moderation.services import ban_create

    token = client.post("/api/v1/tokens").json()["token"]
    first = Comment.objects.get(pk=post(client, token, author_name="Ann").json()["id"])
    ban_create(site=site, kind="reader", value=first.author_token, action="warn", message="Mind the rules")
    r = post(client, token, author_name="Ann", text="Again.")
    assert r.status_code == 422 and r.json()["code"] == "moderator_warning" and "Mind the rules" in r.json()["message"]
    assert post(client, token, author_name="Ann", text="Again.", acknowledge_warning=True).status_code == 201
    assert Ban.objects.get().acknowledged is not None
    assert post(client, token, author_name="Ann", text="And once more.").status_code == 201
    assert Comment.objects.filter(status=Status.PUBLISHED).count() == 3


def test_a_signed_in_readers_mutes_are_kept_on_their_account(site: Any, client: Client) -> None:
    token = sign_in(client, sso_token(site, sub="42")).json()["token"]
    headers = {"X-Townhall-Token": token}
    put = client.put("/api/v1/me/mutes/abc123", {"site": "blog", "name": "Loud"}, content_type="application/json",
                     headers=headers)
    assert put.status_code == 200 and put.json() == {"mutes": [{"key": "abc123", "name": "Loud"}]}
    other_browser = sign_in(client, sso_token(site, sub="42")).json()["token"]
    listed = client.get("/api/v1/me/mutes", {"site": "blog"}, headers={"X-Townhall-Token": other_browser})
    assert listed.json()["mutes"][0]["key"] == "abc123"
    assert client.delete("/api/v1/me/mutes/abc123?site=blog", headers=headers).json() == {"mutes": []}
    anonymous = client.post("/api/v1/tokens").json()["token"]
    refused = client.get("/api/v1/me/mutes", {"site": "blog"}, headers={"X-Townhall-Token": anonymous})
    assert refused.status_code == 403 and refused.json()["code"] == "sign_in_required"
