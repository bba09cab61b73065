"""Local text classifiers for the moderation pipeline (pure Python + numpy, no Django).

Public API:
    hostility_model() -> HostilityModel  .version .warn .hold .score(text) .analyse(text) .explain(text)
    toxicity_model() -> LinearTextModel   .name .version .threshold .score(text) .score_many(texts)
                                          (the word/char part of the hostility model)
    spam_model()     -> LinearTextModel   (same interface)
    detect_language(text) -> (iso639_1, probability)
    is_confidently_not(text, allowed, min_chars=20, min_prob=0.9) -> str | None
    fold(text) -> str, WordList(words).matches(text) -> list[str]
    warm_up()  load everything now (py3langid's model takes seconds to decompress)

Models are plain arrays (models/*.npz, loaded with allow_pickle=False) plus
JSON settings; they are loaded once per process and shared (read-only, so
safe across threads).
"""

from __future__ import annotations

import functools

from .hostility import HostilityModel, hostility_model
from .language import detect_language, is_confidently_not
from .linear import LinearTextModel
from .normalize import WordList, fold

__all__ = [
    "HostilityModel",
    "hostility_model",
    "LinearTextModel",
    "WordList",
    "detect_language",
    "fold",
    "is_confidently_not",
    "spam_model",
    "toxicity_model",
    "warm_up",
]


@functools.cache
def toxicity_model() -> LinearTextModel:
    """Hostility/toxicity score 0..1 (insults, threats, obscenity aimed at people)."""
    return LinearTextModel.load("toxicity")


@functools.cache
def spam_model() -> LinearTextModel:
    """Spam/self-promotion score 0..1."""
    return LinearTextModel.load("spam")


def warm_up(*, languages: bool = True) -> None:
    """Load the models now rather than on the first comment: call this at process start.

    py3langid decompresses its model (about 3-6 s) and holds 68 MB of arrays in every worker;
    `languages=False` leaves it for the first comment that needs it (no site restricts languages).
    """
    hostility_model().score("warm up")
    spam_model().score("warm up")
    if languages:
        detect_language("warm up the language model")
