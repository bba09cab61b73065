"""The quote check's text work, pure functions: find the passages a comment quotes, and find a
passage in a text however its punctuation, case or a few words differ.

A quote is text between quotation marks of any common kind (“…”, "…", «…», „…“, and '…' or ‘…’
where the marks cannot be apostrophes) or a Markdown `>` block, of at least MIN_WORDS words:
shorter ones ("Antiwar", “chi sa ba”) are scare quotes and names, not citations.

Both sides are reduced to lowercase words separated by single spaces (NFKC, every character
that is not a letter or a digit becomes a space), keeping where each character came from, so a
match can be given back in the article's own words for the page to highlight. rapidfuzz's
partial_ratio_alignment then finds the best window of the article for the quote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

MIN_WORDS = 8
# A quote matches at or above this partial ratio (0-100) of its reduced words. Chosen on the
# bench (bench/quote_check.py: 120 labeled quotes built from the seed article): lightly edited
# quotes score 90-99, invented sentences in the article's own vocabulary 55-75.
MATCH_SCORE = 86
REFINE_WORDS = 4  # words a match's edges may move to read most like the quote
QUOTE_SHOWN = 160  # characters of a quote kept in its mark

# Marks that open -> the marks that close them. They nest (a quote inside a quoted paragraph),
# and “ closes „ (German) but opens otherwise; a quote may span lines.
_OPENS = {"“": "”", "„": "“”", "«": "»", "‹": "›"}
_STRAIGHT = re.compile(r'"([^"]+?)"')
# Single marks are also apostrophes ("don't", "Ya’alon"): one counts only where it opens after a
# space or bracket and closes before a space or punctuation, with no apostrophe-like mark between.
_SINGLE = re.compile(r"(?:^|(?<=[\s(\[]))['‘]([^'‘’\n]+?)['’](?=$|[\s.,;:!?)\]])", re.MULTILINE)
_BLOCK = re.compile(r"(?:^[ \t]{0,3}>[^\n]*(?:\n|$))+", re.MULTILINE)


@dataclass(frozen=True)
class Reduced:
    """A text as lowercase words separated by one space, with, for each of its characters, the
    index of the original character it came from."""

    text: str
    origin: list[int]


def reduce(text: str) -> Reduced:
    chars: list[str] = []
    origin: list[int] = []
    space = True  # no leading space
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch).casefold():
            if c.isalnum():
                chars.append(c)
                origin.append(i)
                space = False
            elif not space:
                chars.append(" ")
                origin.append(i)
                space = True
    if chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    return Reduced("".join(chars), origin)


def word_count(text: str) -> int:
    return len(reduce(text).text.split())


def extract_quotes(text: str) -> list[str]:
    """The passages a comment quotes, in order of appearance, each once. A quotation inside a
    quoted block counts as part of the block."""
    found: list[tuple[int, int, str]] = []
    for m in _BLOCK.finditer(text):
        inner = re.sub(r"^[ \t]{0,3}> ?", "", m.group(0), flags=re.MULTILINE).strip()
        found.append((m.start(), m.end(), inner))
    spans = _paired(text) + [(m.start(), m.end()) for p in (_STRAIGHT, _SINGLE) for m in p.finditer(text)]
    for start, end in spans:
        if any(s <= start and end <= e for s, e, _ in found):
            continue
        found.append((start, end, text[start + 1 : end - 1].strip()))
    found.sort()
    quotes: list[str] = []
    seen: set[str] = set()
    for _, _, quote in found:
        key = reduce(quote).text
        if word_count(quote) >= MIN_WORDS and key not in seen:
            seen.add(key)
            quotes.append(quote)
    return quotes


def _paired(text: str) -> list[tuple[int, int]]:
    """Outermost spans of nesting quotation marks, marks included; an unclosed quote and a
    stray closing mark are left out."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if stack and ch in _OPENS[stack[-1][0]]:
            opened = stack.pop()[1]
            if not stack:
                spans.append((opened, i + 1))
        elif ch in _OPENS:
            stack.append((ch, i))
    return spans


@dataclass(frozen=True)
class Match:
    score: int
    start: int  # in the original text
    end: int


def find(quote: str | Reduced, text: Reduced, *, min_score: int = MATCH_SCORE) -> Match | None:
    """Where `quote` is in `text`, if it is there closely enough: the span of the original text,
    from the first to the last word of the best matching window."""
    needle = quote if isinstance(quote, Reduced) else reduce(quote)
    if not needle.text or not text.text:
        return None
    found = fuzz.partial_ratio_alignment(needle.text, text.text, score_cutoff=min_score)
    if found is None:
        return None
    start, end = _refine(needle.text, text.text, found.dest_start, found.dest_end)
    if start >= end:
        return None
    return Match(score=round(found.score), start=text.origin[start], end=text.origin[end - 1] + 1)


def _refine(needle: str, text: str, start: int, end: int, slack: int = REFINE_WORDS) -> tuple[int, int]:
    """The whole-word span around rapidfuzz's window that reads most like the needle: the window
    has the needle's length, so it may start a few words early or stop a few words short."""
    starts = _word_starts(text, start, slack)
    ends = _word_ends(text, end, slack)
    best = (-1.0, start, end)
    for a in starts:
        for b in ends:
            if b > a:
                score = fuzz.ratio(needle, text[a:b])
                if score > best[0]:
                    best = (score, a, b)
    return best[1], best[2]


def _word_starts(text: str, near: int, slack: int) -> list[int]:
    """Word starts from `slack` words before `near` to `slack` words after it."""
    while near > 0 and text[near - 1] != " ":
        near -= 1
    out = [near]
    i = near
    for _ in range(slack):
        i = text.rfind(" ", 0, max(i - 1, 0)) + 1 if i > 0 else 0
        out.append(i)
    i = near
    for _ in range(slack):
        j = text.find(" ", i)
        if j < 0:
            break
        i = j + 1
        out.append(i)
    return sorted(set(out))


def _word_ends(text: str, near: int, slack: int) -> list[int]:
    """Word ends from `slack` words before `near` to `slack` words after it."""
    while near < len(text) and text[near] != " ":
        near += 1
    out = [near]
    i = near
    for _ in range(slack):
        j = text.find(" ", i + 1)
        i = len(text) if j < 0 else j
        out.append(i)
        if j < 0:
            break
    i = near
    for _ in range(slack):
        j = text.rfind(" ", 0, i)
        if j <= 0:
            break
        i = j
        out.append(i)
    return sorted(set(out))


def shorten(text: str, limit: int = QUOTE_SHOWN) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
