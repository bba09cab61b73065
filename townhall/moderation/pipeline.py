"""The moderation decision, made synchronously inside the comment services.

`moderate()` is the single call site the comment services use; the response (201 published or
202 held) depends on its answer, so it cannot be deferred to a task.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from townhall.comments.models import Comment, Site, Status


class Action(enum.StrEnum):
    PUBLISH = "publish"
    FLAG = "flag"  # published, and put in front of a moderator afterwards
    HOLD = "hold"  # pending until a moderator decides
    REJECT = "reject"  # stored for audit, never shown


class Reason(enum.StrEnum):
    PREMODERATED_SITE = "premoderated_site"


@dataclass
class Decision:
    action: Action
    reasons: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)

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

    def record(self) -> dict[str, object]:
        return {"action": str(self.action), "reasons": self.reasons, "scores": self.scores, "versions": self.versions}


def moderate(*, site: Site, comment: Comment, editing: bool = False) -> Decision:
    if site.premoderate and not editing:
        return Decision(Action.HOLD, [Reason.PREMODERATED_SITE])
    return Decision(Action.PUBLISH)
