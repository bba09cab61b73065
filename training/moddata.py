"""Loading the moderation datasets and the deterministic held-out split.

Shared by the training scripts and bench/moderation_eval.py so both use the
same held-out rows. The split is a function of the text (crc32), not of a
random generator, so it is stable across machines and library versions.
"""

from __future__ import annotations

import csv
import zlib
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
TEST_FRACTION_BUCKETS = 5  # 1 in 5 rows held out


@dataclass(frozen=True)
class Example:
    text: str
    label: int
    source: str


def is_heldout(text: str) -> bool:
    return zlib.crc32(" ".join(text.split()).lower().encode("utf-8")) % TEST_FRACTION_BUCKETS == 0


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def davidson() -> list[Example]:
    # Policy label: hate speech (0) and offensive (1) are both "toxic".
    with open(DATA / "davidson_labeled_data.csv", newline="", encoding="utf-8") as f:
        return [Example(r["tweet"], int(r["class"] in ("0", "1")), "davidson") for r in csv.DictReader(f)]


def jigsaw() -> list[Example]:
    with open(DATA / "jigsaw_train_sample.csv", newline="", encoding="utf-8") as f:
        return [Example(r["comment_text"], int(r["toxic"]), "jigsaw") for r in csv.DictReader(f)]


def wiki() -> list[Example]:
    # Drop rows that are also in the Jigsaw sample (exact text), so the two
    # Wikipedia files never leak into each other's held-out rows.
    seen = {_norm(e.text) for e in jigsaw()}
    with open(DATA / "wiki_toxicity_testset.csv", newline="", encoding="utf-8") as f:
        rows = [Example(r["comment"], int(r["toxic"] == "True"), "wiki") for r in csv.DictReader(f)]
    return [e for e in rows if _norm(e.text) not in seen]


def youtube_spam() -> list[Example]:
    with open(DATA / "youtube_spam.csv", newline="", encoding="utf-8") as f:
        return [Example(r["content"], int(r["spam"]), "youtube:" + r["video"]) for r in csv.DictReader(f)]


def tatoeba() -> list[tuple[str, str]]:
    """(iso639-3 lang, text) pairs."""
    with open(DATA / "tatoeba_langid.tsv", newline="", encoding="utf-8") as f:
        return [(r["lang"], r["text"]) for r in csv.DictReader(f, delimiter="\t")]


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    train = [e for e in examples if not is_heldout(e.text)]
    test = [e for e in examples if is_heldout(e.text)]
    return train, test


# Sanity check only (never trained on): ids of comments in the seed thread
# /work/shared/seed/mosul-thread.json that one engineer judged to be
# person-directed hostility (insults, "poor thing is desperate", "for the
# cerebral challenged", "your crap"). A rough, small, subjective check.
SEED_THREAD = Path("/work/shared/seed/mosul-thread.json")
SEED_HOSTILE_IDS = frozenset({3, 15, 17, 29, 50, 53, 54, 60})


def seed_thread() -> list[Example]:
    import json

    if not SEED_THREAD.exists():
        return []
    comments = json.loads(SEED_THREAD.read_text(encoding="utf-8"))["comments"]
    return [Example(c["text"], int(c["id"] in SEED_HOSTILE_IDS), "seed") for c in comments]


# ---------------------------------------------------------------------------- news comments


@dataclass(frozen=True)
class NewsRow:
    text: str
    label: int  # raters' toxicity >= 0.5
    toxicity: float
    insult: float


@dataclass(frozen=True)
class NewsSplit:
    heldout: list[NewsRow]  # 3,000 rows no base model ever trains on (news-domain check, site-model trial)
    encoder_train: list[NewsRow]  # fine-tunes the encoder
    calibration: list[NewsRow]  # combines the scores and picks thresholds; the encoder never sees them


NEWS_HELDOUT = 3000


def _news_key(text: str) -> str:
    import hashlib

    return hashlib.sha256(("news:" + _norm(text)).encode("utf-8")).hexdigest()


def civil() -> list[NewsRow]:
    with open(DATA / "civil_comments_sample.csv", newline="", encoding="utf-8") as f:
        return [
            NewsRow(r["text"], int(r["label"]), float(r["toxicity"]), float(r["insult"]))
            for r in csv.DictReader(f)
        ]


def news_split() -> NewsSplit:
    """The Civil Comments sample cut by hash: the 3,000 rows with the smallest keys are held out."""
    rows = sorted(civil(), key=lambda r: _news_key(r.text))
    rest = rows[NEWS_HELDOUT:]
    calibration = [r for r in rest if int(_news_key(r.text)[-2:], 16) % 5 == 0]
    encoder_train = [r for r in rest if int(_news_key(r.text)[-2:], 16) % 5 != 0]
    return NewsSplit(rows[:NEWS_HELDOUT], encoder_train, calibration)
