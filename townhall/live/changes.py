"""What a change says, and how one is made from a comment event.

A change names the site and thread that changed, so every process can drop what it cached for
them, and, for the three events a reader of the public thread can see (published, edited,
deleted), the comment as the public thread shows it. Held and rejected comments never travel:
their change only invalidates, but one that readers saw published says "removed" (its id only).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass

from townhall.comments.events import Event
from townhall.comments.models import Comment, Status
from townhall.comments.schemas import CommentDetailOut
from townhall.comments.selectors import comment_detail

# Tells a process its own change coming back from Redis (it has already applied it).
PROCESS = f"{os.getpid()}-{os.urandom(4).hex()}"


def stream_key(site: str, url: str) -> str:
    """One thread's stream, from its site slug and canonical URL: what the handshake names and
    what a change carries (a hash, so any URL fits a header)."""
    return hashlib.blake2s(f"{site}\n{url}".encode(), digest_size=12).hexdigest()


@dataclass(frozen=True)
class Change:
    site: str  # slug
    thread: int
    stream: str  # stream_key(site, thread URL)
    id: int  # event id: nanoseconds since the epoch when it was made, so later is larger
    kind: str = ""  # "published", "edited", "deleted" or "removed"; "" only invalidates
    data: str = ""  # JSON: the comment as the public thread shows it, or {"id": ...}
    process: str = PROCESS

    def encode(self) -> bytes:
        return json.dumps(
            [self.site, self.thread, self.stream, self.id, self.kind, self.data, self.process]
        ).encode()

    @classmethod
    def decode(cls, raw: bytes | str) -> Change:
        site, thread, stream, id_, kind, data, process = json.loads(raw)
        return cls(str(site), int(thread), str(stream), int(id_), str(kind), str(data), str(process))

    def frame(self) -> bytes:
        """The Server-Sent Events frame for a reader."""
        return f"id: {self.id}\nevent: {self.kind}\ndata: {self.data}\n\n".encode()


def change_of(event: Event, comment: Comment) -> Change:
    thread = comment.thread
    site = thread.site.slug
    kind, data = "", ""
    visible = comment.status == Status.PUBLISHED
    if event in (Event.COMMENT_PUBLISHED, Event.COMMENT_EDITED) and visible:
        kind = "published" if event == Event.COMMENT_PUBLISHED else "edited"
        data = CommentDetailOut.model_validate(comment_detail(comment)).model_dump_json()
    elif event == Event.COMMENT_DELETED or (
        # An edit that took it down, a moderator's hold or rejection, readers' reports.
        event in (Event.COMMENT_EDITED, Event.COMMENT_HELD, Event.COMMENT_REJECTED)
        and not visible and comment.status_before == Status.PUBLISHED
    ):
        # Gone from the public thread; a placeholder stays where it still has visible replies.
        kind = "deleted" if event == Event.COMMENT_DELETED else "removed"
        data = json.dumps({"id": comment.pk, "placeholder": comment.reply_count > 0})
    return Change(site=site, thread=thread.pk, stream=stream_key(site, thread.url), id=time.time_ns(), kind=kind, data=data)
