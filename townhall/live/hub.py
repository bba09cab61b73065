"""This process's memory: responses it may answer without Django, what invalidates them, and the
readers subscribed to a thread's stream.

Staleness is bounded three ways. A change made in this process drops its thread's entries when it
commits; one made in another process arrives through the broker (Redis, or datagrams between the
processes of one machine) and, on SQLite, through `PRAGMA data_version`, read at most every
POLL_SECONDS on the request path; whatever no signal covers (a vote, a moderator's feature, a
site's policy) ages out: no entry is served MAX_STALE seconds after Django made it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from townhall.comments.cache import MAX_STALE_SECONDS
from townhall.live.changes import Change

MAX_STALE = float(MAX_STALE_SECONDS)  # the README's guarantee, and Cache-Control's s-maxage
POLL_SECONDS = 0.1  # SQLite's data_version, read at most this often
ENTRIES = 4096  # cached responses per process
ENTRY_BYTES = 32 << 20  # and their bodies' size: a page of 100 comments is about 100 KB
REPLAY = 50  # recent events per thread kept for Last-Event-ID
REPLAY_THREADS = 500  # threads whose recent events are kept
QUEUE_LIMIT = 1000  # frames a reader may fall behind before it is disconnected

HEARTBEAT = b": heartbeat\n\n"
RESET = b"event: reset\ndata: {}\n\n"  # the reader missed events: reload the thread


class Reader:
    """One subscriber's frames not yet sent, and the future its stream sleeps on meanwhile
    (lighter than an asyncio.Queue: thousands of these are held at once)."""

    __slots__ = ("closed", "frames", "waiter")

    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.waiter: asyncio.Future[None] | None = None
        self.closed = False

    def put(self, frame: bytes) -> None:
        if len(self.frames) >= QUEUE_LIMIT:
            self.closed = True  # too far behind: it reconnects and resumes
        else:
            self.frames.append(frame)
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def close(self) -> None:
        self.closed = True
        self.put(b"")

    async def take(self) -> bytes:
        """Every frame waiting, at once; b"" when the stream should end."""
        while not self.frames and not self.closed:
            self.waiter = asyncio.get_running_loop().create_future()
            await self.waiter
            self.waiter = None
        if self.closed:
            return b""
        frames, self.frames = self.frames, []
        return b"".join(frames)

Key = tuple[Any, ...]


@dataclass(frozen=True)
class Cached:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    expires: float  # time.monotonic()
    site: str
    thread: int  # 0: not one thread's (counts, config, a thread not started, an error)


@dataclass
class Hub:
    """Shared by the event loop (reads, stores, subscribers) and Django's threads (a commit
    invalidates at once, from the thread that committed)."""

    sqlite_path: str = ""  # set: poll its data_version
    entries: dict[Key, Cached] = field(default_factory=dict)
    by_thread: dict[int, set[Key]] = field(default_factory=dict)
    by_site: dict[str, set[Key]] = field(default_factory=dict)
    changes: int = 0  # bumped by every invalidation
    size: int = 0  # bytes of the bodies kept
    loop: asyncio.AbstractEventLoop | None = None
    subscribers: dict[str, set[Reader]] = field(default_factory=dict)
    recent: dict[str, deque[Change]] = field(default_factory=dict)
    # Resuming from an event older than this can't be proven complete (this process was not
    # listening yet, or dropped a thread's recent events): the reader is told to reload.
    complete_since: int = field(default_factory=time.time_ns)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next_poll: float = 0.0
    _data_version: int | None = None
    _sqlite: sqlite3.Connection | None = None

    # ------------------------------------------------------------------ cached responses

    def get(self, key: Key) -> Cached | None:
        if self.sqlite_path:
            self.poll()
        hit = self.entries.get(key)
        if hit is None or hit.expires <= time.monotonic():
            return None
        return hit

    def store(self, key: Key, value: Cached, *, seen: int) -> None:
        """Keep a response Django made, unless something changed since `seen` (self.changes
        before Django was asked): it may have read the old version."""
        with self._lock:
            if self.changes != seen:
                return
            self._drop(key)
            while self.entries and (len(self.entries) >= ENTRIES or self.size + len(value.body) > ENTRY_BYTES):
                self._drop(next(iter(self.entries)))  # the oldest kept
            self.entries[key] = value
            self.size += len(value.body)
            index = self.by_thread.setdefault(value.thread, set()) if value.thread else self.by_site.setdefault(value.site, set())
            index.add(key)

    def _drop(self, key: Key) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
            index = self.by_thread.get(old.thread) if old.thread else self.by_site.get(old.site)
            if index is not None:
                index.discard(key)

    def invalidate(self, site: str | None = None, thread: int = 0) -> None:
        """Forget one thread's responses and its site's (counts, config); everything without a site."""
        with self._lock:
            self.changes += 1
            if site is None:
                self.entries.clear()
                self.by_thread.clear()
                self.by_site.clear()
                self.size = 0
                return
            for key in self.by_thread.pop(thread, set()) | self.by_site.pop(site, set()):
                old = self.entries.pop(key, None)
                if old is not None:
                    self.size -= len(old.body)

    def poll(self) -> None:
        """SQLite counts every commit by any connection in `data_version`: a cheap shared signal
        between the processes of one machine, with no query on the server's tables."""
        now = time.monotonic()
        if now < self._next_poll:
            return
        self._next_poll = now + POLL_SECONDS
        if self._sqlite is None:
            # Django's in-memory test database is a shared-cache URI.
            uri = self.sqlite_path.startswith("file:")
            self._sqlite = sqlite3.connect(self.sqlite_path, uri=uri, check_same_thread=False, isolation_level=None)
        version = self._sqlite.execute("PRAGMA data_version").fetchone()[0]
        if self._data_version is not None and version != self._data_version:
            self.invalidate()
        self._data_version = version

    # ------------------------------------------------------------------ live events

    def apply(self, change: Change) -> None:
        """A change from any thread of this process: invalidate now, fan out on the loop."""
        self.invalidate(change.site, change.thread)
        if change.kind and self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.deliver, change)

    def deliver(self, change: Change) -> None:
        """On the loop: keep the event for resuming readers and queue it for the subscribed ones."""
        recent = self.recent.get(change.stream)
        if recent is None:
            if len(self.recent) >= REPLAY_THREADS:
                self.recent.pop(next(iter(self.recent)))
                self.complete_since = time.time_ns()
            recent = self.recent[change.stream] = deque(maxlen=REPLAY)
        elif any(c.id == change.id for c in recent):
            return  # already delivered (a change that came both ways)
        recent.append(change)
        frame = change.frame()
        for reader in list(self.subscribers.get(change.stream, ())):
            reader.put(frame)

    def subscribe(self, stream: str, last_id: int | None) -> Reader:
        """A reader, holding what it missed since `last_id` (or a reset when that can't be told)."""
        reader = Reader()
        self.subscribers.setdefault(stream, set()).add(reader)
        if last_id is not None:
            recent = self.recent.get(stream, deque())
            overflowed = recent.maxlen is not None and len(recent) == recent.maxlen and recent[0].id > last_id
            if last_id < self.complete_since or overflowed:
                reader.put(RESET)
            else:
                for change in recent:
                    if change.id > last_id:
                        reader.put(change.frame())
        return reader

    def unsubscribe(self, stream: str, reader: Reader) -> None:
        readers = self.subscribers.get(stream)
        if readers is not None:
            readers.discard(reader)
            if not readers:
                del self.subscribers[stream]

    def heartbeat(self) -> None:
        for readers in self.subscribers.values():
            for reader in list(readers):
                reader.put(HEARTBEAT)

    def subscriber_count(self) -> int:
        return sum(len(q) for q in self.subscribers.values())
