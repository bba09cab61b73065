"""The conversation view: runs of replies in one branch alternating between the same two or three
authors (the flame-war detector's finder, without its hostility condition) are stored as
Conversations, which readers see collapsed to one line that opens as a dialogue.

A branch is re-read whenever one of its comments is published or leaves view, by a task (the
write only enqueues it), and its conversations are written afresh: they are derived data.
Authors are told apart by author_key, so two imported "John"s stay two people.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from townhall.comments.models import Comment, Conversation, Status, Thread
from townhall.moderation.flamewar import Run, alternating_run, anchor_path, judged
from townhall.moderation.models import Policy
from townhall.moderation.selectors import policy_for

# Latest replies of a branch read per refresh: bounded whatever the branch's size; an exchange
# older than that keeps the conversation it had.
BRANCH_LOOKBACK = 500
# Consecutive runs carried by the same two or three authors, at most this many replies apart,
# are one exchange: the finder, reading from the end, cuts a run where a passer-by's one reply
# makes a fourth author (PatienceTew's one line in the seed's 55-reply argument).
OUTSIDERS_BRIDGED = 1

_COLUMNS = ("id", "path", "parent_id", "root_id", "author_name", "author_key", "moderation", "reasons", "created")


def alternating_runs(comments: list[Comment], *, min_run: int) -> list[list[Comment]]:
    """Every run in a branch's history (oldest first), not just the latest: the finder from the
    end, then again before what it found (or one reply earlier, where it found none). Runs
    carried by the same two or three authors, at most OUTSIDERS_BRIDGED replies apart, are one
    exchange."""
    spans: list[tuple[int, int]] = []
    end = len(comments)
    while end > 0:
        run = alternating_run(comments[:end], min_run=min_run, author=lambda c: c.author_key)
        if run is None:
            end -= 1
            continue
        spans.append((end - len(run), end))
        end -= len(run)
    spans.reverse()
    merged: list[tuple[int, int]] = []
    for start, stop in spans:
        if merged:
            prev_start, prev_stop = merged[-1]
            together = _regulars(comments[prev_start:prev_stop]) | _regulars(comments[start:stop])
            if len(together) <= 3 and start - prev_stop <= OUTSIDERS_BRIDGED:
                merged[-1] = (prev_start, stop)
                continue
        merged.append((start, stop))
    return [_trimmed(comments[a:b]) for a, b in merged]


def _trimmed(run: list[Comment]) -> list[Comment]:
    """A run starts and ends with the authors who carry it: a passer-by's reply counts only
    between theirs (a new reader's answer after the exchange is not part of it)."""
    regulars = _regulars(run)
    start, stop = 0, len(run)
    while start < stop and run[start].author_key not in regulars:
        start += 1
    while stop > start and run[stop - 1].author_key not in regulars:
        stop -= 1
    return run[start:stop]


def _regulars(run: list[Comment]) -> set[str]:
    """The authors who carry a run: more than one reply in it (a passer-by has one)."""
    counts: dict[str, int] = {}
    for c in run:
        counts[c.author_key] = counts.get(c.author_key, 0) + 1
    return {k for k, n in counts.items() if n > 1} or set(counts)


def _authors(members: list[Comment], keys: set[str]) -> list[dict[str, object]]:
    """The run's own authors (not a bridged outsider), most replies first."""
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for c in members:
        if c.author_key in keys:
            counts[c.author_key] = counts.get(c.author_key, 0) + 1
            names.setdefault(c.author_key, c.author_name or "anonymous")
    order = sorted(counts, key=lambda k: (-counts[k], [c.author_key for c in members].index(k)))
    return [{"name": names[k], "key": k, "count": counts[k]} for k in order]


def _conversation(thread_id: int, run: list[Comment], policy: Policy, anchors: dict[str, Comment]) -> Conversation | None:
    """The run as a conversation under its anchor (the comment most of its replies answer),
    keeping the replies inside the anchor's subtree; None when fewer than the minimum remain."""
    path = anchor_path(Run(comments=run), None)
    anchor = anchors.get(path)
    if anchor is None:
        return None
    members = [c for c in run if c.path.startswith(path) and c.path != path]
    if len(members) < policy.flamewar_min_run:
        return None
    own = _regulars(members)
    hostile = sum(1 for j in judged(members) if j.hostile(policy))
    conv = Conversation(
        thread_id=thread_id, anchor=anchor, first_id=members[0].pk, authors=_authors(members, own),
        count=len(members), started=members[0].created, ended=members[-1].created, heat=hostile / len(members),
    )
    conv.member_ids = [c.pk for c in members]  # type: ignore[attr-defined]
    return conv


def branch_conversations_refresh(*, root_id: int) -> list[Conversation]:
    """Find the conversations of one branch (a top-level comment's replies) and store them in
    place of the ones it had. Bumps the thread's version when anything changed."""
    root = Comment.objects.select_related("thread__site").filter(pk=root_id).only("id", "thread").first()
    if root is None:
        return []
    thread = root.thread
    policy = policy_for(thread.site)
    history = list(
        reversed(
            Comment.objects.filter(root_id=root_id, status=Status.PUBLISHED).only(*_COLUMNS).order_by("-id")[:BRANCH_LOOKBACK]
        )
    )
    runs = alternating_runs(history, min_run=policy.flamewar_min_run)
    paths = {anchor_path(Run(comments=r), None) for r in runs}
    anchors = {c.path: c for c in Comment.objects.filter(thread_id=thread.pk, path__in=paths).only("id", "path")}
    found = [c for r in runs if (c := _conversation(thread.pk, r, policy, anchors)) is not None]
    # Only a full window leaves older conversations alone: they are past what was read.
    since = history[0].pk if len(history) == BRANCH_LOOKBACK else 0
    with transaction.atomic():
        old = Conversation.objects.filter(thread_id=thread.pk, anchor__root_id=root_id, first_id__gte=since)
        old |= Conversation.objects.filter(thread_id=thread.pk, anchor_id=root_id, first_id__gte=since)
        before = {(c.anchor_id, c.first_id, c.count, c.heat) for c in old}
        Comment.objects.filter(root_id=root_id, pk__gte=since).exclude(conversation=None).update(conversation=None)
        old.delete()
        for conv in found:
            conv.save()
            Comment.objects.filter(pk__in=conv.member_ids).update(conversation=conv)  # type: ignore[attr-defined]
        after = {(c.anchor_id, c.first_id, c.count, c.heat) for c in found}
        if before != after:
            Thread.objects.filter(pk=thread.pk).update(version=F("version") + 1)
    return found


def thread_conversations_refresh(*, thread_id: int) -> int:
    """Every branch of a thread (after an import): how many conversations it has now."""
    roots = Comment.objects.filter(thread_id=thread_id, depth=0, reply_count__gt=0).values_list("id", flat=True)
    return sum(len(branch_conversations_refresh(root_id=r)) for r in roots)
