"""Hand-written spam signals, on text cleaned by ``features.clean``.

URLs are already replaced by the placeholder "xxurl" there, so they are counted
via the placeholder. Self-promotion ("check out my channel", "subscribe") is
what separates spam from a reader citing a source link.
"""

from __future__ import annotations

import re

import numpy as np

_PROMO = re.compile(
    r"\b(?:subscribe|subscribers?|sub4sub|check (?:out )?(?:my|our|this)|my (?:channel|video|page|blog|site|website"
    r"|music|song|band|cover|profile)|follow me|like (?:and|&) share|please (?:like|share|visit|check)|visit "
    r"(?:my|our)|click (?:here|the link|this)|giveaway|promo code|discount|for free|free (?:gift|money|iphone)"
    r"|make money|earn (?:money|\$)|per (?:day|hour|week)|work from home|paypal|bitcoin|crypto|invest|"
    r"followers|views|dm me|whatsapp|telegram|thumbs up if|take a look at|look (?:me|us|her|him|it|them) up|"
    r"look up|sub me|sub to me|my blog|my playlist|hit me up|make (?:a lot of )?money|money fast|"
    r"check (?:it|them) out|please help me|help me (?:reach|get)|vote for|listen (?:live|to my|to it))\b"
)
_MONEY = re.compile(r"[$£€]\s?\d|\b\d+ ?(?:usd|dollars|bucks)\b")
_REPEAT = re.compile(r"(.)\1{3,}")

DENSE_NAMES = ("urls", "promo", "money", "repeats", "exclaims", "short")


def dense_features(cleaned: str) -> np.ndarray:
    n_words = cleaned.count(" ") + 1
    return np.array([
        min(cleaned.count("xxurl"), 3),
        min(len(_PROMO.findall(cleaned)), 3),
        min(len(_MONEY.findall(cleaned)), 2),
        min(len(_REPEAT.findall(cleaned)), 2),
        min(cleaned.count("!") / 3.0, 2.0),
        1.0 if n_words <= 3 else 0.0,
    ], dtype=np.float32)
