"""RSS 2.0 and Atom feeds of the newest published comments, of one thread or of a whole site
(Django's syndication framework). The no-JS thread page links them with <link rel=alternate>.

Only published comments appear: held, rejected and deleted ones never do, and nothing but the
public columns is read (no email, no address). A feed is rendered at most once per thread
version (for a site: per sum of its threads' versions, which grows with every change a reader
could see on any of them) and carries an ETag; If-None-Match gets a 304 for one or two indexed
reads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.contrib.syndication.views import Feed
from django.db.models import Count, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.views.decorators.http import require_GET

from townhall.comments import selectors
from townhall.comments.cache import page_cache, site_cache
from townhall.comments.models import Comment, Site, Status, Thread
from townhall.core.errors import DomainError, ValidationFailed

FEED_SIZE = 50
Kind = Literal["rss", "atom"]
GENERATORS: dict[str, type[SyndicationFeed]] = {"rss": Rss201rev2Feed, "atom": Atom1Feed}
CONTENT_TYPES = {"rss": Rss201rev2Feed.content_type, "atom": Atom1Feed.content_type}
# The columns a feed item needs; the author's email and IP are never read.
ITEM_COLUMNS = ("id", "thread_id", "author_name", "html", "created", "edited",
                "thread__id", "thread__url", "thread__title")


@dataclass(frozen=True)
class FeedOf:
    """What a feed lists: one thread's comments, or (thread_url None) the whole site's."""

    site: Site
    thread: Thread | None
    thread_url: str | None
    self_url: str

    @property
    def title(self) -> str:
        if self.thread_url is None:
            return f"{self.site.name}: newest comments"
        page = self.thread.title if self.thread and self.thread.title else self.thread_url
        return f"Comments on {page}"

    @property
    def link(self) -> str:
        if self.thread_url is not None:
            return self.thread_url
        origin = next(iter(o.origin for o in self.site.origins.all()), None)
        return origin or self.self_url


def _permalink(comment: Comment) -> str:
    return f"{comment.thread.url}#comment-{comment.pk}"


class CommentsFeed(Feed):  # type: ignore[type-arg]
    """The feed's content; `kind` picks the format."""

    def __init__(self, kind: Kind) -> None:
        super().__init__()
        self.feed_type = GENERATORS[kind]

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FeedOf:
        of: FeedOf = kwargs["of"]
        return of

    def title(self, obj: FeedOf) -> str:
        return obj.title

    def link(self, obj: FeedOf) -> str:
        return obj.link

    def feed_url(self, obj: FeedOf) -> str:
        return obj.self_url

    def description(self, obj: FeedOf) -> str:
        return f"The newest {FEED_SIZE} published comments. {obj.title}."

    def items(self, obj: FeedOf) -> QuerySet[Comment]:
        qs = Comment.objects.filter(status=Status.PUBLISHED).select_related("thread").only(*ITEM_COLUMNS)
        if obj.thread_url is not None:
            if obj.thread is None:
                return qs.none()
            qs = qs.filter(thread=obj.thread)
        else:
            qs = qs.filter(thread__site=obj.site)
        # (status, created) is indexed: the site feed reads the newest published rows backwards.
        return qs.order_by("-created", "-id")[:FEED_SIZE]

    def item_title(self, item: Comment) -> str:
        return f"{item.author_name or 'Anonymous'} on {item.thread.title or item.thread.url}"

    def item_description(self, item: Comment) -> str:
        return item.html  # rendered and sanitised when written

    def item_link(self, item: Comment) -> str:
        return _permalink(item)

    def item_guid(self, item: Comment) -> str:
        return _permalink(item)

    item_guid_is_permalink = True

    def item_author_name(self, item: Comment) -> str:
        return item.author_name or "Anonymous"

    def item_pubdate(self, item: Comment) -> datetime:
        return item.created

    def item_updateddate(self, item: Comment) -> datetime:
        return item.edited or item.created


def _site_version(site: Site) -> str:
    """Changes whenever any thread of the site changes (versions only grow) or one is removed."""
    totals = Thread.objects.filter(site=site).aggregate(n=Count("id"), v=Sum("version"))
    return f"s{site.pk}n{totals['n']}v{totals['v'] or 0}"


def _serve(request: HttpRequest, kind: Kind, of: FeedOf, version: str) -> HttpResponse:
    # The body holds absolute links built from the request's host, so the host is in the key.
    host = f"{request.scheme}://{request.get_host()}"
    key = hashlib.blake2s(f"{kind}|{host}|{of.thread_url}".encode(), digest_size=6).hexdigest()
    etag = f'"feed-{version}-{key}"'
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        cache_key = ("feed", kind, host, of.site.pk, of.thread_url, version)
        body = page_cache.get(cache_key)
        if body is None:
            body = CommentsFeed(kind)(request, of=of).content
            page_cache.put(cache_key, body)
        response = HttpResponse(body, content_type=CONTENT_TYPES[kind])
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


def _failed(exc: DomainError) -> HttpResponse:
    return HttpResponse(exc.message + "\n", status=exc.status, content_type="text/plain; charset=utf-8")


@require_GET
def thread_feed(request: HttpRequest, site: str, kind: str) -> HttpResponse:
    """GET /feeds/<site>/thread.<rss|atom>?url=URL — anyone. The thread's newest published
    comments; a page nobody has commented on is an empty feed. 404 unknown site, 422 bad url."""
    if kind not in GENERATORS:
        raise Http404("feeds are .rss or .atom")
    try:
        url = request.GET.get("url", "")
        if not url:
            raise ValidationFailed.one("url", "is required: the page whose comments to list", "required")
        ref = selectors.thread_ref(site=site_cache.get(site), url=url)
    except DomainError as exc:
        return _failed(exc)
    of = FeedOf(site=ref.site, thread=ref.thread, thread_url=ref.url, self_url=request.build_absolute_uri())
    version = f"t{ref.thread.pk if ref.thread else 0}v{ref.version}"
    return _serve(request, kind, of, version)  # type: ignore[arg-type]


@require_GET
def site_feed(request: HttpRequest, site: str, kind: str) -> HttpResponse:
    """GET /feeds/<site>/comments.<rss|atom> — anyone. The site's newest published comments
    on all its pages. 404 unknown site."""
    if kind not in GENERATORS:
        raise Http404("feeds are .rss or .atom")
    try:
        found = site_cache.get(site)
    except DomainError as exc:
        return _failed(exc)
    of = FeedOf(site=found, thread=None, thread_url=None, self_url=request.build_absolute_uri())
    return _serve(request, kind, of, _site_version(found))  # type: ignore[arg-type]
