"""Hashed word and character n-gram features, shared by training and inference.

Training (training/*.py) imports this exact module, so the features a model
was fitted on are the features it sees in production. Hashing is
deterministic (our own 64-bit polynomial hash + crc32), never Python's
salted ``hash()``, so a model file works across processes and machines.
"""

from __future__ import annotations

import functools
import html
import re
import zlib

import numpy as np

from .normalize import fold

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|ly|io|info|tv|me|co)(?:/\S*)?\b")
_MENTION = re.compile(r"@\w+")
# Tweet artefacts ("RT @user:") and Wikipedia dump artefacts carry no meaning
# for news comments but would let a model learn the source instead of the tone.
# (Two simple patterns: one combined alternation was 20x slower on long words.)
_ARTEFACTS = re.compile(r"newline_token|tab_token|&#\d+;", re.I)
_RETWEET = re.compile(r"^\s*rt\b|\brt\s+(?=@)", re.I)
_WORD = re.compile(r"[a-z][a-z']*[a-z]|[a-z]")

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_MULT = np.uint64(0x100000001B3)  # FNV-1 64-bit prime, as a polynomial base
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)  # murmur3 fmix64 constants
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)


# Very long texts are scored on their head and tail only: keeps the worst case
# near a few ms (a pasted 100 kB wall of text must not stall a request), while
# abuse at either end of a long comment still counts.
MAX_CHARS = 4000
TAIL_CHARS = 1000


@functools.lru_cache(maxsize=16)
def clean(text: str) -> str:
    """Source-neutral text: unescaped HTML, placeholders for URLs and @users, folded.

    Kept for the last few texts: one comment is cleaned for the word model, the insult rules,
    the spam model and a site's own words (about 0.5 ms each for 2,000 characters)."""
    if len(text) > MAX_CHARS + TAIL_CHARS:
        text = text[:MAX_CHARS] + "\n" + text[-TAIL_CHARS:]
    text = html.unescape(text)
    text = _RETWEET.sub(" ", _ARTEFACTS.sub(" ", text))
    text = _URL.sub(" xxurl ", text)
    text = _MENTION.sub(" xxuser ", text)
    return fold(text)


def words(cleaned: str) -> list[str]:
    return _WORD.findall(cleaned)


def _fmix(h: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint64(33))
        h = h * _MIX1
        h = h ^ (h >> np.uint64(33))
        h = h * _MIX2
        h = h ^ (h >> np.uint64(33))
    return h


def char_ngram_hashes(tokens: list[str], n_min: int, n_max: int) -> np.ndarray:
    """64-bit hashes of character n-grams inside " word " (like sklearn's char_wb).

    Vectorised over the whole text: n-grams whose interior contains a space
    would cross a word boundary and are dropped.
    """
    if not tokens:
        return np.zeros(0, dtype=np.uint64)
    data = np.frombuffer((" " + " ".join(tokens) + " ").encode("utf-8"), dtype=np.uint8)
    b = data.astype(np.uint64)
    is_space = data == 32
    out = []
    h = b.copy()
    interior_space = np.zeros(len(b), dtype=bool)
    with np.errstate(over="ignore"):
        for n in range(2, n_max + 1):
            if len(b) < n:
                break
            # h[i] becomes the hash of b[i : i + n]
            h = h[:-1] * _MULT + b[n - 1 :]
            if n >= 3:
                # position i + n - 2 is now interior to the n-gram
                interior_space = interior_space[:-1] | is_space[n - 2 : len(b) - 1]
            else:
                interior_space = interior_space[:-1]
            if n >= n_min:
                out.append((h ^ np.uint64(n * 0x9E3779B97F4A7C15 & 0xFFFFFFFFFFFFFFFF))[~interior_space])
    return _fmix(np.concatenate(out)) if out else np.zeros(0, dtype=np.uint64)


def word_ngram_hashes(tokens: list[str], n_max: int = 2) -> np.ndarray:
    feats = list(tokens)
    for n in range(2, n_max + 1):
        feats += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    hashes = np.fromiter((zlib.crc32(f.encode("utf-8")) for f in feats), dtype=np.uint64, count=len(feats))
    # Salt so word features land away from char n-gram features with equal bytes.
    return _fmix(hashes ^ np.uint64(0xA5A5A5A5A5A5A5A5))


def _block(hashes: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Bucket hashes; value = log(1 + count), L2-normalised within the block."""
    if hashes.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    idx = (hashes >> np.uint64(64 - bits)).astype(np.int64)
    uniq, counts = np.unique(idx, return_counts=True)
    vals = np.log1p(counts.astype(np.float32))
    vals /= np.sqrt(np.dot(vals, vals))
    return uniq, vals


def sparse_features(
    cleaned: str, bits: int, char_range: tuple[int, int] = (2, 5), word_ngrams: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """(indices, values) of the hashed feature vector of an already cleaned text."""
    tokens = words(cleaned)
    wi, wv = _block(word_ngram_hashes(tokens, word_ngrams), bits)
    ci, cv = _block(char_ngram_hashes(tokens, *char_range), bits)
    return np.concatenate([wi, ci]), np.concatenate([wv, cv])
