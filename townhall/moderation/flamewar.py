"""Flame-war detection: within one branch of a thread (siblings included, since old systems
flattened whole exchanges into siblings), a run of replies alternating between the same two or
three authors, with hostile replies, repeats or rising hostility.

A detected war is one item for moderators (FlameWar), puts its branch in slow mode and lowers
the hostility threshold at which the next replies there are held."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import F, Q

from townhall.comments.models import PATH_SEGMENT, Comment, Site, Status, subtree_end
from townhall.moderation import decisions, duplicates, events
from townhall.moderation.decisions import Decision
from townhall.moderation.models import FlameWar, FlameWarStatus, Policy
from townhall.moderation.selectors import policy_for, thresholds_for

LOOKBACK = 40  # recent comments of a branch read per new reply: bounded, whatever the branch's size


@dataclass
class Judged:
    """A comment with what moderation thought of it: a stored one's record, or the candidate's
    scores so far (the candidate is judged as it is, nothing is written onto it)."""

    comment: Comment
    toxicity: float
    reasons: list[str]

    def hostile(self, policy: Policy) -> bool:
        return decisions.is_hostile(toxicity=self.toxicity, reasons=self.reasons, warn=thresholds_for(policy).warn)


def judged(comments: list[Comment]) -> list[Judged]:
    return [Judged(c, decisions.toxicity(c.moderation), list(c.reasons or [])) for c in comments]


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


T = TypeVar("T")


def alternating_run(history: Sequence[T], *, min_run: int, author: Callable[[T], str]) -> list[T] | None:
    """The latest run of replies (the end of `history`) among at most three authors, told apart
    by `author`, that alternate: at least two authors, and the author changes at least every
    other reply. Flame wars add a hostility condition; the conversation view uses it as is."""
    run: list[T] = []
    authors: set[str] = set()
    for item in reversed(history):
        if author(item) not in authors and len(authors) == 3:
            break
        authors.add(author(item))
        run.append(item)
    run.reverse()
    if len(run) < min_run or len(authors) < 2:
        return None
    switches = sum(1 for a, b in zip(run, run[1:], strict=False) if author(a) != author(b))
    if switches < 0.5 * (len(run) - 1):
        return None
    return run


def find_run(history: list[Judged], policy: Policy) -> Run | None:
    """The latest run of replies among at most three authors that alternate, if it is a war."""
    run = alternating_run(history, min_run=policy.flamewar_min_run, author=lambda j: j.comment.author_key)
    if run is None:
        return None
    hostile = [i for i, j in enumerate(run) if j.hostile(policy)]
    half = len(run) // 2
    early = sum(j.toxicity for j in run[:half]) / max(half, 1)
    late = sum(j.toxicity for j in run[half:]) / max(len(run) - half, 1)
    rising = late >= early + 0.15
    if len(hostile) < policy.flamewar_min_hostile and not (rising and hostile):
        return None
    return Run(comments=[j.comment for j in run], hostile=hostile, rising=rising)


def common_ancestor_path(paths: list[str]) -> str:
    """Lowest common ancestor of comments, from their paths, whole segments only."""
    prefix = paths[0]
    for p in paths[1:]:
        i = 0
        while i < min(len(prefix), len(p)) and prefix[i] == p[i]:
            i += 1
        prefix = prefix[:i]
    return prefix[: len(prefix) - len(prefix) % PATH_SEGMENT]


def anchor_path(run: Run, candidate: Comment | None) -> str:
    """Where the war is: the comment that at least half of the run's replies answer (old systems
    stacked whole exchanges as its siblings, and the exchange continues there), else the lowest
    common ancestor of the run. `candidate`: the unsaved reply at the run's end, if any (its
    path is not known yet)."""
    parents: dict[str, int] = {}
    for c in run.comments:
        parent = (
            candidate.parent.path if candidate is not None and c is candidate and candidate.parent
            else c.path[:-PATH_SEGMENT]
        )
        if parent:
            parents[parent] = parents.get(parent, 0) + 1
    if parents:
        busiest, count = max(parents.items(), key=lambda kv: kv[1])
        if 2 * count >= len(run.comments):
            return busiest
    return common_ancestor_path([c.path for c in run.comments if c.path] or [
        candidate.parent.path if candidate is not None and candidate.parent else ""])


def open_war_for(comment: Comment) -> FlameWar | None:
    """The open war whose branch holds this new reply (its parent's path is under the anchor)."""
    if comment.parent_id is None:
        return None
    parent_path = comment.parent.path if comment.parent else ""
    for war in FlameWar.objects.filter(thread_id=comment.thread_id, status=FlameWarStatus.OPEN).select_related("root"):
        if parent_path.startswith(war.root.path):
            return war
    return None


def last_post_by(war: FlameWar, author: Q, before: datetime) -> datetime | None:
    """When this author last posted in the war's branch. `author` is the pipeline's identity
    rule: the server-issued reader token where there is one (two anonymous readers share an
    author key), else the key."""
    anchor = war.root
    latest = (
        Comment.objects.filter(author, root_id=anchor.root_id or anchor.pk)
        .filter(path__gte=anchor.path, path__lt=subtree_end(anchor.path), created__lte=before)
        .exclude(status=Status.REJECTED)
        .order_by("-id")
        .values_list("created", flat=True)
        .first()
    )
    return latest


# ---------------------------------------------------------------------------- writes


def record_comment(*, site: Site, comment: Comment, decision: Decision, created: bool) -> None:
    """After a comment is stored (inside its transaction): index its text for near-duplicates
    and attach it to the flame war the pipeline found it in, or open the one it starts."""
    duplicates.index_comment(comment, site=site, replace=not created)
    found = decision.evidence.get("flamewar_new")
    war_id = decision.evidence.get("flamewar")
    if war_id:
        flamewar_extend(war_id=war_id, comment=comment, hostile=decision.hostile)
    elif found:
        flamewar_open(site=site, comment=comment, found=found)


def flamewar_open(*, site: Site, comment: Comment, found: dict[str, Any]) -> FlameWar:
    policy = policy_for(site)
    anchor_path = found["anchor_path"] or comment.path
    anchor = (
        Comment.objects.filter(thread_id=comment.thread_id, path=anchor_path).first()
        or comment.parent
        or comment
    )
    ids = [*found["comments"], comment.pk]
    keys = list(Comment.objects.filter(pk__in=ids).values_list("author_key", flat=True).distinct())
    war = FlameWar.objects.create(
        thread_id=comment.thread_id,
        root=anchor,
        participants=found["authors"],
        author_keys=keys,
        first_comment_id=ids[0],
        last_comment=comment,
        comment_count=len(ids),
        hostile_count=len(found["hostile"]) + 1,
        evidence=[{"comments": ids, "hostile": found["hostile"], "rising": found["rising"]}],
        slow_minutes=policy.flamewar_slow_minutes,
        detected=comment.created,
        updated=comment.created,
    )
    events.flamewar_detected(war.pk)
    return war


def flamewar_extend(*, war_id: int, comment: Comment, hostile: bool) -> None:
    war = FlameWar.objects.get(pk=war_id)
    name = comment.author_name or "anonymous"
    participants = war.participants if name in war.participants else [*war.participants, name]
    keys = (
        war.author_keys if comment.author_key in war.author_keys else [*war.author_keys, comment.author_key]
    )
    FlameWar.objects.filter(pk=war_id).update(
        last_comment=comment,
        comment_count=F("comment_count") + 1,
        hostile_count=F("hostile_count") + int(hostile),
        participants=participants,
        author_keys=keys,
        updated=comment.created,
    )
