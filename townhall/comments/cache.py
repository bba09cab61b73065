"""Every cache of the read path, in one place: sites (a few seconds per process) and rendered
thread pages (bytes per thread version), with the page's key and ETag.

A page for a given thread version never changes, so a per-process page cache can't serve stale
bytes: only the version lookup has to be shared, and it is one indexed row read. The same
version gives the ETag, so a conditional request costs that one read and no rendering.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Any

from townhall.comments.models import Site
from townhall.comments.schemas import ThreadPageOut
from townhall.comments.selectors import Sort, ThreadRef, site_by_slug, thread_page

SITE_TTL_SECONDS = 5.0
# The most a read may lag a committed write, in seconds: townhall.live serves nothing older, and
# a CDN may keep a thread page this long (s-maxage) while browsers revalidate with the ETag.
MAX_STALE_SECONDS = 1
THREAD_CACHE_CONTROL = f"public, max-age=0, s-maxage={MAX_STALE_SECONDS}, must-revalidate"


class SiteCache:
    """Sites with their origins, per process, for a few seconds: a hot read then costs one
    query (the thread's version). A policy change reaches other processes' reads within
    SITE_TTL_SECONDS (this process's at once: `site_update` forgets it); writes always read
    the site afresh."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[float, Site]] = {}
        self._lock = Lock()

    def get(self, slug: str) -> Site:
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(slug)
        if hit and hit[0] > now:
            return hit[1]
        site = site_by_slug(slug)
        with self._lock:
            self._data[slug] = (now + SITE_TTL_SECONDS, site)
        return site

    def forget(self, slug: str) -> None:
        with self._lock:
            self._data.pop(slug, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class PageCache:
    """Rendered thread pages, per process, keyed by (site, thread URL, version, parameters), in a
    small LRU."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._data: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: tuple[Any, ...], value: bytes) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


site_cache = SiteCache()
page_cache = PageCache()


@dataclass(frozen=True)
class CachedPage:
    etag: str
    body: bytes | None  # None: the client's copy (If-None-Match) is current


def thread_page_cached(
    ref: ThreadRef, *, sort: Sort | None, limit: int | None, cursor: str | None, if_none_match: str = ""
) -> CachedPage:
    """A thread page as JSON bytes with its ETag, rendered at most once per thread version and
    parameters in this process; no body when `if_none_match` already holds the ETag."""
    params = f"{sort}|{limit}|{cursor}"
    thread_id = ref.thread.pk if ref.thread else 0
    etag = f'"t{thread_id}v{ref.version}-{hashlib.blake2s(params.encode(), digest_size=6).hexdigest()}"'
    if etag in if_none_match:
        return CachedPage(etag, None)
    key = (ref.site.pk, ref.url, ref.version, params)
    body = page_cache.get(key)
    if body is None:
        page = thread_page(ref, sort=sort, limit=limit, cursor=cursor)
        body = ThreadPageOut.model_validate(page).model_dump_json().encode()
        page_cache.put(key, body)
    return CachedPage(etag, body)
