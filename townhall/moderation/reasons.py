"""Reason codes the pipeline gives, and how each reads to a moderator and to an API client."""

from __future__ import annotations

import enum


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


DESCRIPTIONS: dict[Reason, str] = {
    Reason.PREMODERATED_SITE: "the site (or this thread) reviews every comment before publishing",
    Reason.BANNED: "the author, address or email domain is banned",
    Reason.BANNED_WORD: "contains a banned word",
    Reason.SUSPECT_WORD: "contains a word on the site's watch list",
    Reason.TOO_MANY_LINKS: "has more links than the site allows",
    Reason.LINK_DENIED: "links to a denied domain",
    Reason.LINK_NOT_ALLOWED: "links to a domain outside the site's allow list",
    Reason.LANGUAGE: "is confidently in a language the site does not accept",
    Reason.TOXICITY: "reads as hostile or abusive",
    Reason.TOXICITY_WARNED: "was posted after a hostility warning",
    Reason.SPAM: "reads as spam",
    Reason.SPAM_SIGNALS: "has several spam signals (links, repeats, new author, burst)",
    Reason.REPEAT: "repeats text already posted on the site recently",
    Reason.REPORTED: "was reported by several readers",
    Reason.NEW_AUTHOR: "is among the first comments of a new author",
    Reason.FLAMEWAR: "belongs to a flame war: a hostile back-and-forth between the same authors",
    Reason.FLAMEWAR_HOSTILE: "is a hostile reply in a branch under flame-war watch",
    Reason.SLOW_MODE: "was posted faster than the branch's slow mode allows",
}

# Signals a trusted author's comment, or a post-moderated site, publishes and flags instead of holding.
SOFT = {
    Reason.SUSPECT_WORD, Reason.TOO_MANY_LINKS, Reason.LINK_NOT_ALLOWED, Reason.LANGUAGE,
    Reason.SPAM_SIGNALS, Reason.TOXICITY_WARNED,
}
