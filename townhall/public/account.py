"""The reader's side of the public API: sign-in through the site's own login, "me" (who the
widget is signed in as, my comments, my data, erasure), and readers' pictures. Writes and
personal reads authenticate with the reader token (X-Townhall-Token), never a cookie."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date
from ninja import Field, Router, Schema, Status

from townhall.comments.models import Site
from townhall.comments.origins import origin_may_write
from townhall.comments.rendering import plain_excerpt
from townhall.comments.schemas import ErrorOut
from townhall.comments.selectors import site_by_slug
from townhall.core import tokens
from townhall.core.errors import Forbidden, NotFound
from townhall.core.text import Text
from townhall.core.throttles import VOTE, WRITE
from townhall.identity import sso
from townhall.identity.models import Avatar, Identity
from townhall.identity.services import mute_set
from townhall.identity.speakers import session_identity
from townhall.identity.tasks import fetch_avatar
from townhall.moderators import privacy

router = Router(tags=["readers"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut,
          429: ErrorOut}


def _reader(request: HttpRequest) -> str | None:
    return tokens.reader_id(request.headers.get("X-Townhall-Token"))


def _site(request: HttpRequest, slug: str) -> Site:
    site = site_by_slug(slug)
    if not origin_may_write(request, site):
        raise Forbidden("this page's origin may not act on this site", code="origin_not_allowed")
    return site


class SignInIn(Schema):
    site: Text
    token: Text = Field(description="The JWT the site's server signed (HS256) for this reader.")


class MeOut(Schema):
    signed_in: bool
    name: str | None = Field(description="The site's display name for the signed-in reader.")
    staff: bool
    avatar: str | None = Field(description="Path of their picture on this server, once fetched.")
    erasure_due: datetime | None = Field(description="When their data will be erased, if they asked.")


class SignedInOut(MeOut):
    token: str = Field(description="The reader token to keep (replacing any other) and send as X-Townhall-Token.")


def _me(site: Site, reader: str | None) -> dict[str, object]:
    identity = session_identity(site=site, reader=reader)
    pending = privacy.erasure_pending(whose=privacy.whose_reader(site=site, reader=reader)) if reader else None
    return {
        "signed_in": identity is not None,
        "name": identity.name if identity else None,
        "staff": bool(identity and identity.staff),
        "avatar": f"/api/v1/avatars/{identity.avatar_id}" if identity and identity.avatar_id else None,
        "erasure_due": pending.due if pending else None,
    }


@router.post("/sso", response={200: SignedInOut, **ERRORS}, throttle=[WRITE])
def sign_in(request: HttpRequest, payload: SignInIn) -> dict[str, object]:
    """POST /api/v1/sso — the widget on one of the site's pages, once per sign-in token.
    Checks the token (signature with the site's key, exp at most 10 minutes ahead, aud = the
    site, jti unused) and returns a reader token bound to the site's user. 401 with a reason
    code (token_expired, token_unsigned, token_bad_signature, token_replayed,
    token_wrong_audience, ...) otherwise. Side effects: the identity is stored or updated; its
    picture, if the token names one, is fetched once in the background."""
    site = _site(request, payload.site)
    signed = sso.sso_sign_in(site=site, token=payload.token)
    if signed.avatar_to_fetch:
        fetch_avatar.enqueue(signed.identity.pk, signed.avatar_to_fetch)
    reader = tokens.reader_id(signed.reader_token)
    return {**_me(site, reader), "token": signed.reader_token}


class SignedOutOut(Schema):
    signed_out: bool


@router.post("/sso/signout", response={200: SignedOutOut, **ERRORS}, throttle=[WRITE])
def sign_out(request: HttpRequest) -> dict[str, object]:
    """POST /api/v1/sso/signout — the holder of a signed-in reader token. Ends that session;
    the widget then forgets the token."""
    return {"signed_out": sso.sso_sign_out(reader=_reader(request))}


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request: HttpRequest, site: str) -> dict[str, object]:
    """GET /api/v1/me?site= — anyone with a reader token: signed in or not, as whom."""
    return _me(_site(request, site), _reader(request))


class MyCommentOut(Schema):
    id: int
    url: str
    title: str
    status: Literal["published", "pending", "rejected", "deleted"]
    excerpt: str
    created: datetime


class MyCommentsOut(Schema):
    comments: list[MyCommentOut]
    before: int | None = Field(description="More: GET /me/comments?before=ID")


@router.get("/me/comments", response={200: MyCommentsOut, **ERRORS})
def my_comments(request: HttpRequest, site: str, before: int | None = None) -> dict[str, object]:
    """GET /api/v1/me/comments?site=&before= — a reader with a token: their own comments across
    the site, newest first (all of a signed-in reader's browsers; else this browser's)."""
    whose = privacy.whose_reader(site=_site(request, site), reader=_reader(request))
    rows = privacy.my_comments(whose=whose, limit=50, before=before)
    return {
        "comments": [
            {"id": c.pk, "url": c.thread.url, "title": c.thread.title, "status": c.status,
             "excerpt": plain_excerpt(c.html, 200), "created": c.created}
            for c in rows
        ],
        "before": rows[-1].pk if len(rows) == 50 else None,
    }


@router.get("/me/export", response={200: dict, **ERRORS}, throttle=[VOTE])
def my_export(request: HttpRequest, site: str) -> HttpResponse:
    """GET /api/v1/me/export?site= — a reader with a token: all their data on the site as one
    JSON download (no IP or email address in it). Audited."""
    whose = privacy.whose_reader(site=_site(request, site), reader=_reader(request))
    data = privacy.privacy_export(whose=whose)
    response = HttpResponse(json.dumps(data, indent=1, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="townhall-{whose.site.slug}-my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


class ErasureIn(Schema):
    site: Text
    confirm: Literal[True] = Field(description="The reader confirmed, in this signed-in or token-holding session.")


class ErasureOut(Schema):
    state: Literal["scheduled", "cancelled"]
    due: datetime


@router.post("/me/erasure", response={202: ErasureOut, **ERRORS}, throttle=[WRITE])
def erasure_ask(request: HttpRequest, payload: ErasureIn) -> Status[dict[str, object]]:
    """POST /api/v1/me/erasure — a reader with a token, confirming in their session. Schedules
    the erasure of their comments, votes and reports on the site after the site's grace period
    (erasure_grace_days); until then DELETE cancels it. Audited."""
    whose = privacy.whose_reader(site=_site(request, payload.site), reader=_reader(request))
    request_row = privacy.erasure_request(whose=whose)
    return Status(202, {"state": "scheduled", "due": request_row.due})


@router.delete("/me/erasure", response={200: ErasureOut, **ERRORS}, throttle=[WRITE])
def erasure_cancel(request: HttpRequest, site: str) -> dict[str, object]:
    """DELETE /api/v1/me/erasure?site= — the reader who asked, before the grace period ends."""
    whose = privacy.whose_reader(site=_site(request, site), reader=_reader(request))
    row = privacy.erasure_cancel(whose=whose)
    return {"state": "cancelled", "due": row.due}


class MuteOut(Schema):
    key: str
    name: str


class MutesOut(Schema):
    mutes: list[MuteOut]


class MuteIn(Schema):
    site: Text
    name: Text = ""


def _signed_in(request: HttpRequest, site: Site) -> Identity:
    identity = session_identity(site=site, reader=_reader(request))
    if identity is None:
        raise Forbidden("only signed-in readers keep mutes on their account; others keep them in the browser",
                        code="sign_in_required")
    return identity


def _mutes(identity: Identity) -> dict[str, object]:
    return {"mutes": [{"key": m.author_key, "name": m.name} for m in identity.mutes.order_by("id")]}


@router.get("/me/mutes", response={200: MutesOut, **ERRORS})
def mutes(request: HttpRequest, site: str) -> dict[str, object]:
    """GET /api/v1/me/mutes?site= — a signed-in reader: the commenters they muted."""
    return _mutes(_signed_in(request, _site(request, site)))


@router.put("/me/mutes/{key}", response={200: MutesOut, **ERRORS}, throttle=[VOTE])
def mute(request: HttpRequest, key: str, payload: MuteIn) -> dict[str, object]:
    """PUT /api/v1/me/mutes/{author key} — a signed-in reader mutes a commenter on their account."""
    identity = _signed_in(request, _site(request, payload.site))
    mute_set(identity=identity, author_key=key, name=payload.name, muted=True)
    return _mutes(identity)


@router.delete("/me/mutes/{key}", response={200: MutesOut, **ERRORS}, throttle=[VOTE])
def unmute(request: HttpRequest, key: str, site: str) -> dict[str, object]:
    """DELETE /api/v1/me/mutes/{author key}?site= — a signed-in reader unmutes a commenter."""
    identity = _signed_in(request, _site(request, site))
    mute_set(identity=identity, author_key=key, name="", muted=False)
    return _mutes(identity)


@router.get("/avatars/{digest}", response={200: None, 404: ErrorOut})
def avatar(request: HttpRequest, digest: str) -> HttpResponse:
    """GET /api/v1/avatars/{digest} — anyone. A signed-in reader's picture, fetched once from
    the site and served from here; named by its content's hash, so cached for good."""
    found = Avatar.objects.filter(pk=digest[:64]).first()
    if found is None:
        raise NotFound("no such picture", code="avatar_not_found")
    response = HttpResponse(bytes(found.data), content_type=found.content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    response["Last-Modified"] = http_date(found.created.timestamp())
    return response
