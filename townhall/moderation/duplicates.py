"""Near-duplicate detection: what share of a comment's word triples was already posted on the
site recently. A repeat (45 then 47 in the seed thread, or 17 copied back as 29) is almost all
old triples; a reply that quotes someone and answers (49, 50, 51) brings enough new ones."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Lookup

from townhall.comments.models import Comment, Site
from townhall.moderation.ml import fold
from townhall.moderation.models import Shingle

MIN_WORDS = 5  # "Where?" or "+1" from two readers is not a repeat


class AnyOf(Lookup):  # type: ignore[type-arg]
    """`hash__any_of=[...]`: the list as one parameter. A long comment has about 350 triples, and
    an IN list of 350 parameters cost 3 ms on PostgreSQL (each adapted on its own) and 1 ms on
    SQLite, for an index lookup that takes well under 1 ms."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, params = self.process_lhs(compiler, connection)
        values = [int(v) for v in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", (*params, values)
        # `lhs` is Django's own quoted column; the values travel as a parameter.
        return f"{lhs} IN (SELECT value FROM json_each(%s))", (*params, json.dumps(values))  # noqa: S608


Shingle._meta.get_field("hash").register_lookup(AnyOf)
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


SELF_REPEAT_TRIPLES = 60  # a passage of about 60 words or more


def find_repeat(
    *, site: Site, text: str, author_key: str, since: datetime, containment: float, exclude_id: int | None = None
) -> tuple[int | None, float]:
    """(the earlier comment this one repeats, or None; the largest share of triples seen before).

    A repeat is either almost all old text (at least `containment` of its triples: 17 copied
    back as 29), or the same author posting again a long passage of theirs with a few words
    around it (45 then 47). Quoting someone, or a short passage of one's own, inside a reply
    that answers it is not a repeat (49, 50, 51)."""
    hashes = shingles(text)
    if not hashes:
        return None, 0.0
    qs = Shingle.objects.filter(site=site, hash__any_of=list(hashes), created__gte=since)
    if exclude_id:
        qs = qs.exclude(comment_id=exclude_id)
    top = list(qs.values("comment_id").annotate(n=Count("id")).order_by("-n")[:5])
    if not top:
        return None, 0.0
    best_share = top[0]["n"] / len(hashes)
    if best_share >= containment:
        return top[0]["comment_id"], best_share
    authors = dict(Comment.objects.filter(pk__in=[t["comment_id"] for t in top]).values_list("id", "author_key"))
    for t in top:
        if authors.get(t["comment_id"]) == author_key and t["n"] >= SELF_REPEAT_TRIPLES and t["n"] / len(hashes) >= 0.5:
            return t["comment_id"], best_share
    return None, best_share


def index_comment(comment: Comment, *, site: Site, replace: bool = True) -> None:
    """Index a comment's word triples; `replace` (an edit) drops its old ones first, a new
    comment has none."""
    if replace:
        Shingle.objects.filter(comment=comment).delete()
    Shingle.objects.bulk_create(
        Shingle(site=site, comment=comment, hash=h, created=comment.created) for h in shingles(comment.text)
    )


def window_start(now: datetime, hours: int) -> datetime:
    return now - timedelta(hours=hours)
