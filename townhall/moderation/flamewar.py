"""Flame-war detection: within one branch of a thread (siblings included, since old systems
flattened whole exchanges into siblings), a run of replies alternating between the same two or
three authors, with hostile replies, repeats or rising hostility.

A detected war is one item for moderators (FlameWar), puts its branch in slow mode and lowers
the hostility threshold at which the next replies there are held."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from townhall.comments.models import PATH_SEGMENT, Comment, Status, subtree_end
from townhall.moderation.models import FlameWar, FlameWarStatus, Policy
from townhall.moderation.reasons import Reason

LOOKBACK = 40  # recent comments of a branch read per new reply: bounded, whatever the branch's size
HOSTILE_REASONS = {Reason.TOXICITY, Reason.REPEAT, Reason.BANNED_WORD, Reason.SUSPECT_WORD, Reason.FLAMEWAR_HOSTILE}


@dataclass
class Run:
    comments: list[Comment]
    hostile: list[int] = field(default_factory=list)  # indexes into comments
    rising: bool = False

    @property
    def authors(self) -> list[str]:
        counts: dict[str, int] = {}
        for c in self.comments:
            counts[c.author_name or "anonymous"] = counts.get(c.author_name or "anonymous", 0) + 1
        return sorted(counts, key=lambda a: -counts[a])


def toxicity_of(c: Comment) -> float:
    return float((c.moderation or {}).get("scores", {}).get("toxicity", 0.0))


def is_hostile(c: Comment, policy: Policy) -> bool:
    return toxicity_of(c) >= policy.toxicity_warn or bool(HOSTILE_REASONS & set(c.reasons or []))


def branch_recent(comment: Comment, *, under: str = "") -> list[Comment]:
    """The branch's latest comments before this one, oldest first (one index range on (root, id)),
    optionally only those under the comment at path `under`."""
    root_id = comment.root_id
    if root_id is None:
        return []
    # The top-level comment itself is left out: it opened the branch, it is not the exchange.
    qs = Comment.objects.filter(root_id=root_id)
    if under:
        qs = qs.filter(path__gte=under, path__lt=subtree_end(under))
    qs = (
        qs.filter(status__in=[Status.PUBLISHED, Status.PENDING])
        .only("id", "path", "author_name", "author_key", "moderation", "reasons", "created", "root_id")
        .order_by("-id")[:LOOKBACK]
    )
    return list(reversed(list(qs)))


def find_run(history: list[Comment], policy: Policy) -> Run | None:
    """The latest run of replies among at most three authors that alternate, if it is a war."""
    run: list[Comment] = []
    authors: set[str] = set()
    for c in reversed(history):
        if c.author_key not in authors and len(authors) == 3:
            break
        authors.add(c.author_key)
        run.append(c)
    run.reverse()
    if len(run) < policy.flamewar_min_run or len(authors) < 2:
        return None
    switches = sum(1 for a, b in zip(run, run[1:], strict=False) if a.author_key != b.author_key)
    if switches < 0.5 * (len(run) - 1):
        return None
    hostile = [i for i, c in enumerate(run) if is_hostile(c, policy)]
    half = len(run) // 2
    early = sum(toxicity_of(c) for c in run[:half]) / max(half, 1)
    late = sum(toxicity_of(c) for c in run[half:]) / max(len(run) - half, 1)
    rising = late >= early + 0.15
    if len(hostile) < policy.flamewar_min_hostile and not (rising and hostile):
        return None
    return Run(comments=run, hostile=hostile, rising=rising)


def common_ancestor_path(paths: list[str]) -> str:
    """Lowest common ancestor of comments, from their paths, whole segments only."""
    prefix = paths[0]
    for p in paths[1:]:
        i = 0
        while i < min(len(prefix), len(p)) and prefix[i] == p[i]:
            i += 1
        prefix = prefix[:i]
    return prefix[: len(prefix) - len(prefix) % PATH_SEGMENT]


def open_war_for(comment: Comment) -> FlameWar | None:
    """The open war whose branch holds this new reply (its parent's path is under the anchor)."""
    if comment.parent_id is None:
        return None
    parent_path = comment.parent.path if comment.parent else ""
    for war in FlameWar.objects.filter(thread_id=comment.thread_id, status=FlameWarStatus.OPEN).select_related("root"):
        if parent_path.startswith(war.root.path):
            return war
    return None


def last_post_by(war: FlameWar, author_key: str, before: datetime) -> datetime | None:
    anchor = war.root
    latest = (
        Comment.objects.filter(root_id=anchor.root_id or anchor.pk, author_key=author_key)
        .filter(path__gte=anchor.path, path__lt=subtree_end(anchor.path), created__lte=before)
        .exclude(status=Status.REJECTED)
        .order_by("-id")
        .values_list("created", flat=True)
        .first()
    )
    return latest
