"""Text every API field must be (storable by every database we support), and the cleaning of
names and other short fields (what readers and moderators see is what is stored)."""

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field


def storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains invalid Unicode (a lone surrogate)") from None
    return value


# The pattern puts the NUL rule in the OpenAPI schema too (clients and fuzzers read it there).
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, Field(pattern=NO_NUL), AfterValidator(storable)]


# Characters that are not seen but change what a name looks like: controls (Cc), format
# characters (Cf: bidi embeddings, overrides and isolates, LRM/RLM, zero-width space and joiners,
# word joiner, BOM, soft hyphen, tag characters), private use and surrogates; and letters that
# render as blank space (Hangul fillers, braille blank, Khmer inherent vowels, the combining
# grapheme joiner, variation selectors).
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs"}
_BLANK_LOOKING = set("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180b\u180c\u180d\u180e") | {
    chr(c) for c in [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)]
}
_ZWJ = "\u200d"


def _strip_invisible(value: str) -> tuple[str, bool]:
    kept: list[str] = []
    removed = False
    for i, ch in enumerate(value):
        if ch in "\t\n\r\x0b\x0c\x85\u2028\u2029":
            kept.append(" ")  # a line break in a short field is a space, not a hidden character
            continue
        if ch == _ZWJ and kept and i + 1 < len(value) and unicodedata.category(kept[-1]) == "So" \
                and unicodedata.category(value[i + 1]) == "So":
            kept.append(ch)  # joins an emoji sequence (a family, a flag): part of what is seen
            continue
        if unicodedata.category(ch) in _INVISIBLE_CATEGORIES or ch in _BLANK_LOOKING:
            removed = True
            continue
        kept.append(ch)
    return " ".join("".join(kept).split()), removed


def name_clean(value: str) -> tuple[str, bool]:
    """A display name as it will be stored and compared: Unicode NFKC (full-width and styled
    letters become plain ones, so "Ａｎｎ" and "𝐀𝐧𝐧" read as the "Ann" they look like), invisible
    and direction-changing characters removed (a right-to-left override could make "Ann" read
    "nnA" after it), whitespace collapsed and trimmed. Returns the name and whether anything
    but whitespace was removed (moderators see a marker). A name of invisible characters only
    comes back empty, so a site's "name required" refuses it."""
    return _strip_invisible(unicodedata.normalize("NFKC", value))


def short_text_clean(value: str) -> tuple[str, bool]:
    """Other short fields (a title, a report note, a website): the same invisible characters
    removed, but only NFC, since compatibility folding would change what they say ("x²")."""
    return _strip_invisible(unicodedata.normalize("NFC", value))
