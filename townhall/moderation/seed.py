"""The seed thread: a real 2016 news-comment thread (60 comments, a flame war under comment 5)
that the demo shows, `townhall moderation replay --seed` replays and the pipeline's tests judge.
Data only: who loads it is the demo's business."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

SEED_FILE = Path(__file__).parent / "seed" / "mosul-thread.json"
# The article is from September 2016; the replies span about two days after it.
ARTICLE_TIME = datetime(2016, 9, 20, 9, 30, tzinfo=UTC)
# The seed blog was "an English-only weblog", post-moderated.
SEED_POLICY: dict[str, Any] = {"languages": ["en"], "post_moderation": True}
SEED_RULES = "This is an English-only weblog. Stay on topic, argue with the point and not the person, no insults."


@cache
def load_seed_document() -> dict[str, Any]:
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


def seed_timestamps(count: int) -> list[datetime]:
    """Plausible, deterministic times: a first burst within the hour, then gaps of minutes to
    hours, ending about two days after the article."""
    times, t = [], ARTICLE_TIME + timedelta(minutes=40)
    for i in range(count):
        gap = 4 + zlib.crc32(f"seed-{i}".encode()) % 90  # 4..93 minutes, repeatable
        t += timedelta(minutes=gap)
        times.append(t)
    return times


def seed_comments() -> list[dict[str, Any]]:
    """The seed's comments in time order: ref, parent_ref, author, text, created."""
    doc = load_seed_document()["comments"]
    return [
        {"ref": c["id"], "parent_ref": c["parent"], "author": c["author"] or "", "text": c["text"], "created": t}
        for c, t in zip(doc, seed_timestamps(len(doc)), strict=True)
    ]
