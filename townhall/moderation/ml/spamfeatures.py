"""Hand-written spam signals, on text cleaned by ``features.clean``.

URLs are already replaced by the placeholder "xxurl" there, so they are counted
via the placeholder. Self-promotion ("check out my channel", "subscribe") is
what separates spam from a reader citing a source link.
"""

from __future__ import annotations

import re

import numpy as np

# Self-promotion, first person. Deliberately not "check out this ...", "vote
# for", "invest", "followers", "bitcoin", "look it up": on YouTube those are
# spam, on a news site they are how readers cite sources and argue.
_PROMO_PHRASES = [
    r"subscribe", r"subscribers?", r"sub4sub", r"sub me", r"sub to me",
    r"check (?:out )?(?:my|our)", r"my (?:channel|video|vids|page|blog|site|website|music|song|band|cover|"
    r"profile|playlist|store|shop)",
    r"follow me", r"like (?:and|&) share", r"please (?:like|share|visit|check|help me)", r"visit (?:my|our)",
    r"click (?:here|the link)", r"thumbs up if", r"look (?:me|us) up", r"hit me up", r"help me (?:reach|get)",
    r"listen (?:live|to my)", r"giveaway", r"promo code", r"free (?:gift|money|iphone)",
    r"make (?:a lot of )?money", r"money fast", r"earn (?:money|\$)", r"per (?:day|hour|week)",
    r"work from home", r"paypal", r"dm me", r"whatsapp", r"telegram",
]
_PROMO = re.compile(r"\b(?:" + "|".join(_PROMO_PHRASES) + r")\b")
_MONEY = re.compile(r"[$£€]\s?\d[\d,.]*|\b\d+ ?(?:usd|dollars|bucks)\b")
_REPEAT = re.compile(r"(.)\1{3,}")

DENSE_NAMES = ("urls", "promo", "money", "repeats", "exclaims", "short")


def dense_features(cleaned: str) -> np.ndarray:
    n_words = cleaned.count(" ") + 1
    return np.array(
        [
            min(cleaned.count("xxurl"), 3),
            min(len(_PROMO.findall(cleaned)), 3),
            min(len(_MONEY.findall(cleaned)), 2),
            min(len(_REPEAT.findall(cleaned)), 2),
            min(cleaned.count("!") / 3.0, 2.0),
            1.0 if n_words <= 3 else 0.0,
        ],
        dtype=np.float32,
    )


def explain(cleaned: str) -> list[str]:
    """Promotional phrases, money and link count, for a moderator-facing reason."""
    found = [f"promotion: {m.group(0)}" for m in _PROMO.finditer(cleaned)]
    found += [f"money: {m.group(0)}" for m in _MONEY.finditer(cleaned)]
    links = cleaned.count("xxurl")
    if links:
        found.append(f"links: {links}")
    return list(dict.fromkeys(found))
