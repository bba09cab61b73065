"""Language identification with py3langid (bundled model, no network)."""

from __future__ import annotations

import re
import threading

_identifier = None
_lock = threading.Lock()
# URLs, @handles and numbers say nothing about the language and, in a short
# comment, can tip langid towards a wrong guess.
_NOISE = re.compile(r"(?:https?://|www\.)\S+|@\w+|\d+")


def _get_identifier():
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def _strip(text: str) -> str:
    return " ".join(_NOISE.sub(" ", text).split())


# A comment's language is settled by its first thousand characters; reading a 5,000-character
# one whole cost py3langid about 5 ms.
READ_CHARS = 1000


def _sample(text: str) -> str:
    """The first READ_CHARS of the text once noise is gone, cut at a space."""
    text = _strip(text[: 3 * READ_CHARS])
    if len(text) <= READ_CHARS:
        return text
    cut = text.rfind(" ", 0, READ_CHARS)
    return text[: cut if cut > READ_CHARS // 2 else READ_CHARS]


def detect_language(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, probability 0..1) of the text's first READ_CHARS. Empty text gives ("und", 0.0)."""
    cleaned = _sample(text)
    if not cleaned:
        return "und", 0.0
    lang, prob = _get_identifier().classify(cleaned)
    return lang, float(prob)


def is_confidently_not(
    text: str, allowed: set[str], min_chars: int = 20, min_prob: float = 0.9
) -> str | None:
    """The detected language if the text is long enough and confidently outside ``allowed``.

    "Long enough" = at least ``min_chars`` letters once URLs, @handles and
    digits are removed (so a bare link or a number never counts as foreign).
    ``allowed`` holds ISO 639-1 codes, e.g. {"en"}.

    Short texts ("ok", "lol", a name) are never flagged: langid is unreliable
    on them and a wrong "not English" verdict is worse than a missed one.
    """
    cleaned = _sample(text)
    if sum(ch.isalpha() for ch in cleaned) < min_chars:
        return None
    lang, prob = detect_language(cleaned)
    if lang in allowed or prob < min_prob:
        return None
    return lang
