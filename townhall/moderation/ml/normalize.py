"""Text folding and banned-word matching that survive common evasion tricks.

Pure Python; no Django. ``fold`` is also used by the classifiers' feature
extraction so that "Idiøt", "1d10t" and "ІDІОТ" (Cyrillic) share features.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Look-alike letters from other scripts, mapped to the Latin letter a reader
# would see. Only lowercase forms: ``fold`` casefolds before translating.
_HOMOGLYPHS = {
    # Cyrillic
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "з": "3",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "ѕ": "s",
    "ԁ": "d",
    "ԛ": "q",
    "ԝ": "w",
    "ь": "b",
    "п": "n",
    "г": "r",
    "һ": "h",
    "ӏ": "l",
    # Greek
    "α": "a",
    "β": "b",
    "γ": "y",
    "δ": "d",
    "ε": "e",
    "ζ": "z",
    "η": "n",
    "ι": "i",
    "κ": "k",
    "μ": "u",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "σ": "o",
    "ς": "s",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ω": "w",
    # Latin oddities NFKC leaves alone
    "ı": "i",
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "ŀ": "l",
    "ɑ": "a",
    "ɡ": "g",
    "ʀ": "r",
    "ʏ": "y",
    "ᴀ": "a",
    "ᴇ": "e",
    "ɪ": "i",
    "ᴏ": "o",
    "ᴜ": "u",
    "ѵ": "v",
}
_HOMOGLYPH_TABLE = str.maketrans(_HOMOGLYPHS)

# Leetspeak substitutions. Applied per token only (see _unleet_token) so that
# plain numbers like "2016" or "10am" are left alone.
_LEET = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "8": "b",
    "9": "g",
    "$": "s",
    "@": "a",
    "!": "i",
    "|": "i",
    "+": "t",
    "€": "e",
}
_LEET_TABLE = str.maketrans(_LEET)
_LEET_SYMBOLS = frozenset("$@!|+€")
_NUMBERLIKE = re.compile(r"^[#($€£]?[\d.,:/%-]+(st|nd|rd|th|s|am|pm|k|m|x|h|min|kg|km|mb|gb|px|yo)?\)?$")
_TRAILING_PUNCT = re.compile(r"[!?.,;:)\]\"'»”’…]+$")


def _unleet_token(token: str) -> str:
    # Keep sentence punctuation at the end of a token ("wow!" is not "wowi").
    m = _TRAILING_PUNCT.search(token)
    core, tail = (token[: m.start()], token[m.start() :]) if m else (token, "")
    if not core or _NUMBERLIKE.match(core):
        return token
    has_letter = any("a" <= ch <= "z" for ch in core)
    if has_letter:
        return core.translate(_LEET_TABLE) + tail
    # No letters at all: only symbol words like "@$$" or "$h!+" (len >= 2).
    if len(core) >= 2 and all(ch in _LEET for ch in core) and any(ch in _LEET_SYMBOLS for ch in core):
        return core.translate(_LEET_TABLE) + tail
    return token


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str, leet: bool = True) -> str:
    """Map text to a lowercase, mostly-ASCII form for robust word matching.

    NFKC handles fullwidth and mathematical letters and 'ſ'; casefold handles
    case (and 'ß'); accents are stripped; Cyrillic/Greek look-alikes become
    Latin; leetspeak inside words becomes letters. Whitespace is collapsed.
    The result is for matching only — never show it to users.
    """
    if text.isascii():
        # Fast path (most comments): nothing for NFKC/accents/homoglyphs to do.
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKC", text).casefold()
        text = text.translate(_HOMOGLYPH_TABLE)
        text = strip_accents(text)
    text = " ".join(text.split())
    if leet:
        # Only tokens that contain a leet character need the per-token rules.
        text = _HAS_LEET.sub(lambda m: _unleet_token(m.group()), text)
    return text


# A whole token containing a leet character. Anchored to token starts by the
# lookbehind so a long token is scanned once (linear), not once per position.
_HAS_LEET = re.compile(r"(?<!\S)[^\s0-9$@!|+€]*[0-9$@!|+€]\S*")


# After folding, words are letters/digits; '*' is kept to support masked
# spellings ("f*ck"); lone leet symbols are kept for spaced-out words ("$ h ! t").
_TOKEN = re.compile(r"[a-z0-9]+(?:\*+[a-z0-9]*)*|\*+[a-z0-9]+(?:\*+[a-z0-9]*)*|[$@!|+]")
_REPEATS = re.compile(r"(.)\1{2,}")


# Masked words ("f*ck") are matched by building a pattern per token; longer
# "words" are not words, and would make that costly.
_MAX_MASKED_LEN = 24


def _variants(token: str) -> tuple[str, ...]:
    # "shiiiit" -> "shit", "asssss" -> "ass"; genuine doubles ("ass") are kept.
    if _REPEATS.search(token) is None:  # the common case, one regex call
        return (token,)
    return tuple({token, _REPEATS.sub(r"\1", token), _REPEATS.sub(r"\1\1", token)})


class WordList:
    """Whole-word matcher for banned words and phrases.

    Entries are folded like the text, so one entry covers case, accents,
    look-alikes and leetspeak. Matching is on whole words (so "class",
    "assassin", "Scunthorpe" and "shitake" do not match "ass"/"cunt"/"shit"),
    plus simple plurals ("idiots"). An entry ending in '*' matches as a prefix
    ("fuck*" matches "fucking"). Runs of single letters separated by spaces or
    punctuation are joined ("s h 1 t", "s.h.i.t"), and masked words ("f*ck")
    match an entry of the same length whose visible letters agree.
    """

    def __init__(self, words: Iterable[str]):
        self._exact: dict[tuple[str, ...], str] = {}
        self._prefixes: list[tuple[str, str]] = []
        self._max_len = 1
        for entry in words:
            entry = entry.strip()
            if not entry:
                continue
            if entry.endswith("*"):
                stem = "".join(_TOKEN.findall(fold(entry[:-1], leet=False)))
                if stem:
                    self._prefixes.append((stem, entry))
                continue
            toks = tuple(_TOKEN.findall(fold(entry, leet=False)))
            if not toks:
                continue
            self._max_len = max(self._max_len, len(toks))
            self._exact.setdefault(toks, entry)
            # Simple plurals of the (last) word: "idiots", "you morons".
            for suffix in ("s", "es"):
                self._exact.setdefault(toks[:-1] + (toks[-1] + suffix,), entry)
        self._initials = {toks[0] for toks in self._exact}
        self._prefix_initials = {stem[0] for stem, _ in self._prefixes}
        # Single-word entries by length, for masked tokens like "f*ck".
        self._singles: dict[int, list[tuple[str, str]]] = {}
        for toks, entry in self._exact.items():
            if len(toks) == 1:
                self._singles.setdefault(len(toks[0]), []).append((toks[0], entry))

    def _tokens(self, text: str) -> list[str]:
        tokens = _TOKEN.findall(fold(text))
        # Join runs of 2+ single-character tokens ("s h 1 t" -> "shit"),
        # un-leeting the joined word since lone digits were left as numbers.
        out: list[str] = []
        run: list[str] = []
        for tok in tokens + [""]:
            if len(tok) == 1:
                run.append(tok)
                continue
            if len(run) >= 2:
                out.append("".join(run).translate(_LEET_TABLE))
                # "Wow! a s s": an edge symbol may be punctuation, not leet;
                # also try the run without it (as an extra candidate word).
                trimmed = "".join(run).strip("$@!|+")
                if len(trimmed) >= 2 and len(trimmed) != len(run):
                    out.append(trimmed.translate(_LEET_TABLE))
            elif run:
                out.append(run[0])
            run = []
            if tok:
                out.append(tok)
        return out

    def _single_matches(self, token: str) -> list[str]:
        found = []
        for var in _variants(token):
            if var[0] not in self._prefix_initials and "*" not in var:
                continue  # cheap exit: no prefix entry can start this word
            if "*" in var:
                if not var[0].isalpha() or len(var) > _MAX_MASKED_LEN:
                    continue
                pattern = re.compile(re.escape(var).replace(r"\*", "[a-z]"))
                found += [e for w, e in self._singles.get(len(var), []) if pattern.fullmatch(w)]
                for stem, entry in self._prefixes:
                    head = re.escape(var[: len(stem)]).replace(r"\*", "[a-z]")
                    if len(var) >= len(stem) and re.fullmatch(head, stem):
                        found.append(entry)
                continue
            for stem, entry in self._prefixes:
                if var.startswith(stem):
                    found.append(entry)
        return found

    def matches(self, text: str) -> list[str]:
        """Entries found in ``text``, in order of first occurrence, without duplicates."""
        tokens = self._tokens(text)
        variants = [_variants(t) for t in tokens]
        found: dict[str, None] = {}
        for i in range(len(tokens)):
            # Skip phrase lookups when no entry starts with this word (most words).
            if any(v in self._initials for v in variants[i]):
                for length in range(1, min(self._max_len, len(tokens) - i) + 1):
                    for combo in _combinations(variants[i : i + length]):
                        entry = self._exact.get(combo)
                        if entry is not None:
                            found.setdefault(entry, None)
            for entry in self._single_matches(tokens[i]):
                found.setdefault(entry, None)
        return list(found)

    def __contains__(self, text: str) -> bool:
        return bool(self.matches(text))


def _combinations(variant_sets: list[tuple[str, ...]]) -> Iterable[tuple[str, ...]]:
    # Cartesian product of per-token variants; each set has at most 3 items
    # and phrases are short, so this stays tiny.
    combos: list[tuple[str, ...]] = [()]
    for options in variant_sets:
        combos = [c + (o,) for c in combos for o in options]
    return combos
