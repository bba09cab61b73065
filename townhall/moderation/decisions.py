"""The moderation vocabulary, in one place: what the pipeline can do with a comment (Action), why
(Reason, with one description each), what a moderator can decide (Verdict), the pipeline's
result (Decision), the record stored on the comment (ModerationRecord) and what "hostile" means.

Everything that reads or writes `Comment.moderation` goes through the accessors here, never
through raw keys.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.utils.translation import gettext_lazy as _

from townhall.comments.models import Status

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class Action(enum.StrEnum):
    PUBLISH = "publish"
    FLAG = "flag"  # published, and put in front of a moderator afterwards
    HOLD = "hold"  # pending until a moderator decides
    REJECT = "reject"  # stored for audit, never shown

    @property
    def severity(self) -> int:
        return list(Action).index(self)


class Reason(enum.StrEnum):
    PREMODERATED_SITE = "premoderated_site"
    PREMODERATED_AUTHOR = "premoderated_author"
    BANNED = "banned"
    BANNED_WORD = "banned_word"
    SUSPECT_WORD = "suspect_word"
    TOO_MANY_LINKS = "too_many_links"
    LINK_DENIED = "link_denied"
    LINK_NOT_ALLOWED = "link_not_allowed"
    LANGUAGE = "language"
    TOXICITY = "toxicity"
    TOXICITY_WARNED = "toxicity_warned"
    SPAM = "spam"
    SPAM_SIGNALS = "spam_signals"
    REPEAT = "repeat"
    REPORTED = "reported"
    NEW_AUTHOR = "new_author"
    FLAMEWAR = "flamewar"
    FLAMEWAR_HOSTILE = "flamewar_hostile"
    SLOW_MODE = "slow_mode"


# Shown to moderators in their language, hence lazy (translated when drawn).
DESCRIPTIONS: dict[Reason, StrPromise] = {
    Reason.PREMODERATED_SITE: _("the site (or this thread) reviews every comment before publishing"),
    Reason.PREMODERATED_AUTHOR: _("a moderator holds every comment of this author for review"),
    Reason.BANNED: _("the author (reader token, sign-in, email), email domain or network is banned"),
    Reason.BANNED_WORD: _("contains a banned word"),
    Reason.SUSPECT_WORD: _("contains a word on the site's watch list"),
    Reason.TOO_MANY_LINKS: _("has more links than the site allows"),
    Reason.LINK_DENIED: _("links to a denied domain"),
    Reason.LINK_NOT_ALLOWED: _("links to a domain outside the site's allow list"),
    Reason.LANGUAGE: _("is confidently in a language the site does not accept"),
    Reason.TOXICITY: _("reads as hostile or abusive"),
    Reason.TOXICITY_WARNED: _("was posted after a hostility warning"),
    Reason.SPAM: _("reads as spam"),
    Reason.SPAM_SIGNALS: _("has several spam signals (links, repeats, new author, burst)"),
    Reason.REPEAT: _("repeats text already posted on the site recently"),
    Reason.REPORTED: _("was reported by several readers"),
    Reason.NEW_AUTHOR: _("is among the first comments of a new author"),
    Reason.FLAMEWAR: _("belongs to a flame war: a hostile back-and-forth between the same authors"),
    Reason.FLAMEWAR_HOSTILE: _("is a hostile reply in a branch under flame-war watch"),
    Reason.SLOW_MODE: _("was posted faster than the branch's slow mode allows"),
}

# Signals a trusted author's comment, or a post-moderated site, publishes and flags instead of holding.
SOFT = {
    Reason.SUSPECT_WORD, Reason.TOO_MANY_LINKS, Reason.LINK_NOT_ALLOWED, Reason.LANGUAGE,
    Reason.SPAM_SIGNALS, Reason.TOXICITY_WARNED,
}


# Reasons that mark a comment as hostile in a conversation (flame-war runs, thread health).
HOSTILE_REASONS = frozenset(
    {Reason.TOXICITY, Reason.REPEAT, Reason.BANNED_WORD, Reason.SUSPECT_WORD, Reason.FLAMEWAR_HOSTILE}
)


class Verdict(enum.StrEnum):
    """A moderator's decision on a comment; stored in the record as the label the site's own
    model is retrained on."""

    APPROVE = "approve"
    REJECT = "reject"
    SPAM = "spam"
    BAN = "ban"  # reject, and ban the author key for some days

    @property
    def status(self) -> Status:
        return Status.PUBLISHED if self == Verdict.APPROVE else Status.REJECTED

    @property
    def label(self) -> Verdict:
        """What the comment's record keeps (the retraining label): a ban is a rejection."""
        return Verdict.REJECT if self == Verdict.BAN else self


class Review(TypedDict):
    decision: str  # a Verdict
    by: int
    at: str


class Redaction(TypedDict):
    by: int
    at: str


class ModerationRecord(TypedDict, total=False):
    """`Comment.moderation`: the pipeline's decision and what moderators added to it."""

    action: str
    reasons: list[str]
    scores: dict[str, float]
    versions: dict[str, str]
    evidence: dict[str, Any]
    ms: float
    review: Review  # a moderator's verdict
    original_text: str  # the author's words before a moderator's edit
    redacted: Redaction


# What a moderator added to a record; an author's edit replaces the rest, never these.
MODERATOR_KEYS = ("review", "original_text", "redacted")


def record_kept(record: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (record or {}).items() if k in MODERATOR_KEYS}


def scores(record: dict[str, Any] | None) -> dict[str, float]:
    return dict((record or {}).get("scores") or {})


def toxicity(record: dict[str, Any] | None) -> float:
    return float(scores(record).get("toxicity", 0.0))


def verdict(record: dict[str, Any] | None) -> Verdict | None:
    review = (record or {}).get("review")
    if not review:
        return None
    try:
        return Verdict(review.get("decision"))
    except ValueError:
        return None


def is_hostile(*, toxicity: float, reasons: list[str] | None, warn: float) -> bool:
    """The one definition: at or above the site's warn threshold, or a hostile reason."""
    return toxicity >= warn or bool(HOSTILE_REASONS & set(reasons or []))


def describe(reasons: list[str]) -> list[str]:
    """Reason codes in words, unknown codes as they are."""
    out = []
    for r in reasons:
        try:
            out.append(str(DESCRIPTIONS[Reason(r)]))
        except ValueError:
            out.append(r)
    return out


@dataclass
class Decision:
    """The pipeline's result for one comment."""

    action: Action
    reasons: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what enforcement would have done (replays)
    ms: float = 0.0

    @classmethod
    def publish(cls) -> Decision:
        return cls(Action.PUBLISH)

    @property
    def flagged(self) -> bool:
        return self.action == Action.FLAG

    @property
    def status(self) -> Status:
        if self.action in (Action.PUBLISH, Action.FLAG):
            return Status.PUBLISHED
        if self.action == Action.HOLD:
            return Status.PENDING
        return Status.REJECTED

    @property
    def hostile(self) -> bool:
        """Hostile by its reasons (the threshold is already in them: toxicity, flame war)."""
        return bool(HOSTILE_REASONS & set(self.reasons))

    def explain(self) -> list[str]:
        return describe(self.reasons)

    def record(self) -> dict[str, Any]:
        record: ModerationRecord = {
            "action": str(self.action),
            "reasons": self.reasons,
            "scores": self.scores,
            "versions": self.versions,
            "evidence": self.evidence,
            "ms": round(self.ms, 3),
        }
        return dict(record)
