"""Near-duplicate detection: what share of a comment's word triples was already posted on the
site recently. A repeat (45 then 47 in the seed thread, or 17 copied back as 29) is almost all
old triples; a reply that quotes someone and answers (49, 50, 51) brings enough new ones."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

from django.db.models import Count

from townhall.comments.models import Comment, Site
from townhall.moderation.ml import fold
from townhall.moderation.models import Shingle

MIN_WORDS = 5  # "Where?" or "+1" from two readers is not a repeat
WORD = re.compile(r"[^\W_]+", re.UNICODE)


def shingles(text: str) -> set[int]:
    words = WORD.findall(fold(text, leet=False))
    if len(words) < MIN_WORDS:
        return set()
    out = set()
    for i in range(len(words) - 2):
        digest = hashlib.blake2b(" ".join(words[i : i + 3]).encode(), digest_size=8).digest()
        out.add(int.from_bytes(digest, "big", signed=True))
    return out


def best_match(*, site: Site, text: str, since: datetime, exclude_id: int | None = None) -> tuple[int | None, float]:
    """The earlier comment sharing the largest share of this text's triples, and that share."""
    hashes = shingles(text)
    if not hashes:
        return None, 0.0
    qs = Shingle.objects.filter(site=site, hash__in=hashes, created__gte=since)
    if exclude_id:
        qs = qs.exclude(comment_id=exclude_id)
    top = qs.values("comment_id").annotate(n=Count("id")).order_by("-n").first()
    if not top:
        return None, 0.0
    return top["comment_id"], top["n"] / len(hashes)


def index_comment(comment: Comment, *, site: Site) -> None:
    Shingle.objects.filter(comment=comment).delete()
    Shingle.objects.bulk_create(
        Shingle(site=site, comment=comment, hash=h, created=comment.created) for h in shingles(comment.text)
    )


def window_start(now: datetime, hours: int) -> datetime:
    return now - timedelta(hours=hours)
