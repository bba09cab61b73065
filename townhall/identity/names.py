"""Names nobody can borrow: the Unicode TR39 confusable skeleton of a display name.

"Rudy1947", "Rudyl947" and "Rudy1947" with a Cyrillic "у" have one skeleton, so an anonymous
commenter cannot take the name of a signed-in reader or a moderator by swapping look-alike
characters. The mapping is Unicode's own confusables.txt (UTS #39, version in the data file's
header), reduced to two columns and shipped in townhall/identity/data/.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from functools import cache
from pathlib import Path

CONFUSABLES = Path(__file__).parent / "data" / "confusables.tsv.gz"
MAX_NAME = 100

# Control, format (bidi overrides, zero-width joiners), surrogate and private-use characters:
# invisible or direction-changing, so two names that look alike could differ only by them.
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


@cache
def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    with gzip.open(CONFUSABLES, "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            source, target = line.rstrip("\n").split("\t")
            table[chr(int(source, 16))] = "".join(chr(int(cp, 16)) for cp in target.split())
    return table


def name_clean(name: str) -> str:
    """A display name as it may be stored and shown: markup, control, bidi and zero-width
    characters removed, spaces collapsed, at most MAX_NAME characters. The reliability issue
    adds townhall.core.text.name_clean; this is the one place to swap it in."""
    name = _TAG.sub("", name)
    name = "".join(ch for ch in name if ch in "\t\n " or unicodedata.category(ch) not in _INVISIBLE)
    return _SPACES.sub(" ", name).strip()[:MAX_NAME]


def _skeleton(text: str) -> str:
    table = _table()
    mapped = "".join(table.get(ch, ch) for ch in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


def name_skeleton(name: str) -> str:
    """TR39 skeleton of the cleaned, NFKC-normalised name, casefolded, spaces and marks removed:
    equal skeletons are names a reader cannot tell apart. TR39's skeleton is NFD, then each
    character through confusables.txt, then NFD again; it is taken before and after casefolding,
    so "I" (a look-alike of "l") and "RUDY" (of "rudy") both merge."""
    skeleton = _skeleton(unicodedata.normalize("NFKC", name_clean(name)))
    skeleton = _skeleton(skeleton.casefold())
    # Marks and spaces do not tell names apart on screen ("Rudy 1947", "Rudý1947").
    return "".join(ch for ch in skeleton if not ch.isspace() and unicodedata.category(ch) != "Mn")
