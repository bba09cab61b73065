"""A site's own hostility model, fitted on its moderators' decisions.

Two layers, both plain numpy (the runtime has no scikit-learn):

words      an NB-SVM over the comment's hashed word and character n-grams (Wang & Manning
           2012: a logistic regression on binary features scaled by their naive-Bayes log-count
           ratio). It learns the site's own vocabulary: its rivals, its regulars' slurs, the
           swear words its readers use kindly. On 2,000 news decisions alone it reaches ROC-AUC
           0.88; a plain naive Bayes reached 0.83 and a plain logistic regression 0.81.
combined   a logistic regression over the shipped score's logit, its three standardised parts,
           the words' logit (out-of-fold, so the combination sees how the words do on decisions
           they were not fitted on) and the comment's embedding (384 numbers from the same
           forward pass): the correction is learned in the encoder's space, with words beside it.

Measured on news comments (`bench/moderation_eval.py`): the embedding alone added +0.019
ROC-AUC over the shipped model, with the words +0.030. A strong penalty on the embedding's
weights does best (L2 300: +0.019 alone; 30: +0.006; 3 lost 0.011). The combination is fitted by
Newton's method (390 weights, about ten steps), the words by AdaGrad.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .features import clean, sparse_features
from .hostility import Analysis, HostilityModel

# The embedding is unit length (components about 1/sqrt(384)); scaled to unit variance-ish so
# one L2 strength suits both it and the logit.
EMBEDDING_SCALE = math.sqrt(384)
L2 = 300.0
FREE = 6  # bias, the shipped logit, its three parts and the words' logit are not penalised
WORDS_AT = 5  # the words' logit's column in the combination

# Words: 2^18 hashed buckets of word 1-2-grams and character 2-5-grams (the shipped word model's
# recipe, at a quarter of its buckets: a site has thousands of decisions, not hundreds of thousands).
BITS = 18
WORD_L2 = 1.0  # 0.3 and 3 did worse on news decisions; 10 worse still
WORD_STEPS = 150  # 400 gave the same ROC-AUC
WORD_RATE = 0.5
NB_ALPHA = 0.5
MIN_DOCS = 2  # buckets seen in one decision only are dropped: half the weights, the same ROC-AUC
FOLDS = 5


def words(text: str) -> np.ndarray:
    """The hashed n-gram buckets present in a comment (binary: presence, not counts)."""
    return sparse_features(clean(text), BITS)[0]


def design(analysis: Analysis, model: HostilityModel) -> np.ndarray:
    """The combination's row without the words: bias, shipped logit, parts, embedding."""
    p = min(max(analysis.score, 1e-6), 1 - 1e-6)
    return np.concatenate([
        [1.0, math.log(p / (1 - p))],
        model.standardised(analysis),
        analysis.embedding.astype(np.float64) * EMBEDDING_SCALE,
    ])


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-np.clip(z, -30, 30))))


def fit(x: np.ndarray, y: np.ndarray, *, l2: float = L2, free: int = FREE, steps: int = 25) -> np.ndarray:
    """L2-regularised logistic regression (not on the first `free` columns), classes balanced."""
    w = np.zeros(x.shape[1])
    w[1] = 1.0  # start from the shipped model
    pos = min(max(float(y.mean()), 1e-3), 1 - 1e-3)
    sample = np.where(y == 1, 0.5 / pos, 0.5 / (1 - pos))
    penalty = np.full(x.shape[1], l2)
    penalty[:free] = 0.0
    for _ in range(steps):
        p = _sigmoid(x @ w)
        grad = x.T @ ((p - y) * sample) + penalty * w
        hessian = (x * (p * (1 - p) * sample)[:, None]).T @ x + np.diag(penalty + 1e-6)
        step = np.linalg.solve(hessian, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-6:
            break
    return w


def predict_dense(w: np.ndarray, x: np.ndarray) -> float:
    """A model stored before the words joined (its weights over `design` alone)."""
    return float(_sigmoid(x @ w))


@dataclass(frozen=True)
class Words:
    """NB-SVM weights over the buckets kept (sorted), and the bias."""

    buckets: np.ndarray
    weights: np.ndarray
    bias: float

    def logits(self, rows: list[np.ndarray]) -> np.ndarray:
        out = np.full(len(rows), self.bias)
        for i, present in enumerate(rows):
            at = np.searchsorted(self.buckets, present)
            found = at < len(self.buckets)
            at, present = at[found], present[found]
            out[i] += float(self.weights[at[self.buckets[at] == present]].sum())
        return out


def fit_words(rows: list[np.ndarray], y: np.ndarray) -> Words:
    """NB-SVM: log-count ratios, then a logistic regression on the ratio-scaled binary features."""
    r = np.repeat(np.arange(len(rows)), [len(b) for b in rows])
    flat = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    buckets, col = np.unique(flat, return_inverse=True)
    keep = np.bincount(col, minlength=len(buckets)) >= MIN_DOCS
    is_pos = (y[r] == 1).astype(np.float64)
    pos = np.bincount(col, weights=is_pos, minlength=len(buckets)) + NB_ALPHA
    neg = np.bincount(col, weights=1 - is_pos, minlength=len(buckets)) + NB_ALPHA
    # Smoothed over every bucket, seen or not, as the measurements were made.
    unseen = NB_ALPHA * ((1 << BITS) - len(buckets))
    ratio = np.log(pos / (pos.sum() + unseen)) - np.log(neg / (neg.sum() + unseen))
    value = ratio[col]
    n, dim = len(rows), len(buckets)
    w, b = np.zeros(dim), 0.0
    g2, b2 = np.full(dim, 1e-8), 1e-8
    for _ in range(WORD_STEPS):  # AdaGrad: the buckets' scales differ by orders of magnitude
        p = _sigmoid(np.bincount(r, weights=w[col] * value, minlength=n) + b)
        g = (p - y) / n
        gw = np.bincount(col, weights=value * g[r], minlength=dim) + WORD_L2 / n * w
        gb = float(g.sum())
        g2 += gw * gw
        b2 += gb * gb
        w -= WORD_RATE * gw / np.sqrt(g2)
        b -= WORD_RATE * gb / math.sqrt(b2)
    effective = w * ratio
    return Words(buckets[keep], effective[keep], b)


@dataclass(frozen=True)
class SiteFit:
    """A fitted site model: the words, how their logit is standardised, the combination."""

    words: Words
    words_mean: float
    words_std: float
    weights: np.ndarray  # over [bias, logit, 3 parts, words, embedding...]

    def predict(self, x: np.ndarray, rows: list[np.ndarray]) -> np.ndarray:
        z = (self.words.logits(rows) - self.words_mean) / self.words_std
        return _sigmoid(np.insert(np.atleast_2d(x), WORDS_AT, z, axis=1) @ self.weights)

    def to_json(self) -> dict[str, Any]:
        return {
            "combination": [float(v) for v in self.weights],
            "words": {"buckets": [int(v) for v in self.words.buckets],
                      "weights": [round(float(v), 6) for v in self.words.weights],
                      "bias": float(self.words.bias), "mean": self.words_mean, "std": self.words_std},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SiteFit:
        w = data["words"]
        words = Words(np.array(w["buckets"], dtype=np.int64), np.array(w["weights"], dtype=np.float64),
                      float(w["bias"]))
        return cls(words, float(w["mean"]), float(w["std"]), np.array(data["combination"], dtype=np.float64))


def fit_site(x: np.ndarray, rows: list[np.ndarray], y: np.ndarray) -> SiteFit:
    """Fit both layers: the words' out-of-fold logits train the combination."""
    folds = np.arange(len(y)) % FOLDS
    oof = np.zeros(len(y))
    for f in range(FOLDS):
        inside = np.flatnonzero(folds != f)
        outside = np.flatnonzero(folds == f)
        if not len(outside):
            continue
        part = fit_words([rows[i] for i in inside], y[inside])
        oof[outside] = part.logits([rows[i] for i in outside])
    mean, std = float(oof.mean()), max(float(oof.std()), 1e-6)
    combination = fit(np.insert(x, WORDS_AT, (oof - mean) / std, axis=1), y)
    return SiteFit(fit_words(rows, y), mean, std, combination)
