"""Replay a thread through a site's pipeline, in time order, and report what would have been
held or flagged and why, without changing anything (everything runs in a rolled-back
transaction, on a scratch copy of the site so the real near-duplicate index is not consulted)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from townhall.comments.models import Comment, Site
from townhall.comments.services import site_create
from townhall.moderation.decisions import describe as describe_reasons
from townhall.moderation.models import FlameWar, Policy
from townhall.moderation.seed import SEED_POLICY, seed_comments
from townhall.moderation.selectors import policy_for
from townhall.posting.services import ImportRow, comment_import

REPLAY_ORIGIN = "https://replay.invalid"
REPLAY_URL = REPLAY_ORIGIN + "/thread"
POLICY_FIELDS = [f.name for f in Policy._meta.get_fields() if f.concrete and f.name not in ("id", "site")]


@dataclass
class ReplayItem:
    ref: Any  # the id in the source (seed id or comment id)
    author: str
    action: str
    reasons: list[str]
    scores: dict[str, float]
    notes: list[str]
    text: str
    error: str = ""
    ms: float = 0.0


@dataclass
class ReplayWar:
    participants: list[str]
    refs: list[Any]
    anchor_ref: Any
    comment_count: int
    hostile_count: int


@dataclass
class Replay:
    items: list[ReplayItem] = field(default_factory=list)
    wars: list[ReplayWar] = field(default_factory=list)

    def by_ref(self) -> dict[Any, ReplayItem]:
        return {i.ref: i for i in self.items}


class _Rollback(Exception):
    pass


def replay(*, comments: list[dict[str, Any]], like: Site | None = None, policy: dict[str, Any] | None = None,
           rules: str = "") -> Replay:
    """`comments`: dicts with ref, parent_ref, author, text, created (datetime), oldest first."""
    result = Replay()
    try:
        with transaction.atomic():
            scratch = site_create(slug="replay-scratch", name="replay", origins=[REPLAY_ORIGIN], rules=rules)
            scratch_policy = policy_for(scratch)
            if like is not None:
                source = policy_for(like)
                for name in POLICY_FIELDS:
                    setattr(scratch_policy, name, getattr(source, name))
                scratch.premoderate = like.premoderate
                scratch.save(update_fields=["premoderate"])
            for name, value in (policy or {}).items():
                setattr(scratch_policy, name, value)
            scratch_policy.save()
            rows = [
                ImportRow(ref=item["ref"], parent_ref=item.get("parent_ref"), text=item["text"],
                          created=item["created"], author_name=item.get("author", ""),
                          author_email=item.get("email", ""), reader=item.get("token") or "")
                for item in comments
            ]
            ids: dict[Any, int] = {}
            for done in comment_import(site=scratch, url=REPLAY_URL, rows=rows, source="seed"):
                result.items.append(_item(done))
                if done.comment is not None:
                    ids[done.row.ref] = done.comment.pk
            ref_of = {v: k for k, v in ids.items()}
            for war in FlameWar.objects.filter(thread__site=scratch).order_by("id"):
                members = [c for c in Comment.objects.filter(thread=war.thread, path__startswith=war.root.path)
                           .filter(created__gte=war.first_comment.created if war.first_comment else war.detected)
                           .order_by("id").values_list("id", flat=True)]
                result.wars.append(ReplayWar(
                    participants=war.participants, refs=[ref_of.get(i) for i in members],
                    anchor_ref=ref_of.get(war.root_id), comment_count=war.comment_count,
                    hostile_count=war.hostile_count,
                ))
            raise _Rollback
    except _Rollback:
        pass
    return result


def _item(done: Any) -> ReplayItem:
    row = done.row
    if done.decision is None:
        return ReplayItem(row.ref, row.author_name, "refused", [], {}, [], row.text, error=done.error)
    decision = done.decision
    return ReplayItem(
        ref=row.ref, author=row.author_name, action=str(decision.action), reasons=decision.reasons,
        scores=decision.scores, notes=decision.notes, text=row.text, ms=decision.ms,
    )


def describe(reasons: list[str]) -> str:
    return "; ".join(describe_reasons(reasons))


__all__ = ["SEED_POLICY", "Replay", "ReplayItem", "ReplayWar", "describe", "replay", "seed_comments"]
