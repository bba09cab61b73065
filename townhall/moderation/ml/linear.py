"""A hashed-feature logistic regression loaded from plain arrays.

Model = ``models/<name>.json`` (settings, threshold, provenance) +
``models/<name>.npz`` (float arrays only, loaded with allow_pickle=False).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from . import insults, spamfeatures
from .features import clean, sparse_features

MODELS_DIR = Path(__file__).resolve().parent / "models"

# Dense (hand-written) feature sets a model file may ask for, by name.
DENSE_EXTRACTORS: dict[str, Callable[[str], np.ndarray]] = {
    "insults": insults.dense_features,
    "spam": spamfeatures.dense_features,
}
RULE_SCORERS: dict[str, Callable[[str], float]] = {
    "insults": insults.rule_score,
}
EXPLAINERS: dict[str, Callable[[str], list[str]]] = {
    "insults": insults.explain,
    "spam": spamfeatures.explain,
}


def model_version(json_bytes: bytes, arrays: list[np.ndarray]) -> str:
    digest = hashlib.sha256(json_bytes)
    for a in arrays:
        digest.update(np.ascontiguousarray(a).tobytes())
    return digest.hexdigest()[:12]


class LinearTextModel:
    def __init__(self, meta: dict, weights: np.ndarray, dense_weights: np.ndarray, bias: float, version: str):
        self.meta = meta
        self.name: str = meta["name"]
        self.version = version
        self.threshold: float = float(meta["threshold"])
        self._bits = int(meta["bits"])
        self._char_range = tuple(meta["char_range"])
        self._word_ngrams = int(meta["word_ngrams"])
        self._weights = weights
        self._dense_weights = dense_weights
        self._bias = bias
        self._dense = DENSE_EXTRACTORS[meta["dense"]] if meta.get("dense") else None
        self._rule = RULE_SCORERS[meta["rule"]] if meta.get("rule") else None

    @classmethod
    def load(cls, name: str, directory: Path = MODELS_DIR) -> LinearTextModel:
        json_bytes = (directory / f"{name}.json").read_bytes()
        meta = json.loads(json_bytes)
        with np.load(directory / f"{name}.npz", allow_pickle=False) as arrays:
            stored = [arrays[k] for k in ("weights", "dense_weights", "bias")]
        weights, dense_weights = stored[0].astype(np.float32), stored[1].astype(np.float32)
        bias = float(stored[2][0])
        if weights.shape != (1 << int(meta["bits"]),):
            raise ValueError(f"{name}: weights shape {weights.shape} does not match bits={meta['bits']}")
        # Version = hash of settings + array contents (not of the zip file, whose
        # timestamps change on every write), so it changes exactly when the model does.
        version = model_version(json_bytes, stored)
        return cls(meta, weights, dense_weights, bias, version)

    def _logit(self, cleaned: str) -> float:
        idx, val = sparse_features(cleaned, self._bits, self._char_range, self._word_ngrams)
        z = self._bias + float(self._weights[idx] @ val)
        if self._dense is not None:
            z += float(self._dense(cleaned) @ self._dense_weights)
        return z

    def logit(self, text: str) -> float:
        """Raw linear score (before the sigmoid and the hand rules)."""
        return self._logit(clean(text))

    def score(self, text: str) -> float:
        """Probability-like score in 0..1 (higher = more likely in the class)."""
        if not text or not text.strip():
            return 0.0
        cleaned = clean(text)
        p = 1.0 / (1.0 + math.exp(-max(min(self._logit(cleaned), 50.0), -50.0)))
        if self._rule is not None:
            # noisy-OR: either the learned model or the hand rules can raise the score
            p = 1.0 - (1.0 - p) * (1.0 - self._rule(cleaned))
        return p

    def explain(self, text: str) -> list[str]:
        """Human-readable hand-feature matches ("insult: you are a pathetic idiot",
        "links: 2"). Empty does not mean a low score: the n-gram part has no reasons."""
        explainer = EXPLAINERS.get(self.meta.get("dense") or "")
        return explainer(clean(text)) if explainer else []

    def score_many(self, texts: Iterable[str]) -> list[float]:
        return [self.score(t) for t in texts]

    def flag(self, text: str) -> bool:
        return self.score(text) >= self.threshold

    def __repr__(self) -> str:
        return f"<LinearTextModel {self.name} v{self.version}>"
