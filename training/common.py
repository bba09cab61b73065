"""Training helpers: featurise with the runtime code, fit, export plain arrays."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from townhall.moderation.ml.features import clean, sparse_features  # noqa: E402
from townhall.moderation.ml.linear import DENSE_EXTRACTORS, MODELS_DIR, model_version  # noqa: E402


class Featurizer:
    """Featurises each distinct text once and caches it (experiments reuse rows)."""

    def __init__(
        self,
        bits: int,
        char_range: tuple[int, int],
        word_ngrams: int,
        dense: str | None,
        dense_scale: float = 1.0,
    ):
        self.bits, self.char_range, self.word_ngrams = bits, char_range, word_ngrams
        self.dense = dense
        self.dense_scale = dense_scale
        self.n_dense = len(DENSE_EXTRACTORS[dense]("")) if dense else 0
        self._cache: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def _one(self, text: str):
        row = self._cache.get(text)
        if row is None:
            cleaned = clean(text)
            idx, val = sparse_features(cleaned, self.bits, self.char_range, self.word_ngrams)
            dense = DENSE_EXTRACTORS[self.dense](cleaned) if self.dense else np.zeros(0, np.float32)
            row = self._cache[text] = (idx, val, dense)
        return row

    def matrix(self, texts: list[str]) -> sp.csr_matrix:
        n_sparse = 1 << self.bits
        indptr, indices, data = [0], [], []
        for t in texts:
            idx, val, dense = self._one(t)
            # Dense features get scaled columns after the hashed block; the
            # scale is folded back into the exported weights (see export).
            indices += [idx, np.arange(n_sparse, n_sparse + len(dense))]
            data += [val, dense * self.dense_scale]
            indptr.append(indptr[-1] + len(idx) + len(dense))
        return sp.csr_matrix(
            (np.concatenate(data) if data else [], np.concatenate(indices) if indices else [], indptr),
            shape=(len(texts), n_sparse + self.n_dense),
            dtype=np.float32,
        )


def fit(fz: Featurizer, texts, labels, weights=None, C: float = 4.0) -> LogisticRegression:
    X = fz.matrix(list(texts))
    clf = LogisticRegression(C=C, solver="liblinear", max_iter=200, random_state=0)
    clf.fit(X, np.asarray(labels), sample_weight=None if weights is None else np.asarray(weights))
    return clf


def predict(fz: Featurizer, clf: LogisticRegression, texts) -> np.ndarray:
    return clf.predict_proba(fz.matrix(list(texts)))[:, 1]


def export(name: str, fz: Featurizer, clf: LogisticRegression, threshold: float, extra: dict) -> str:
    """Write models/<name>.npz (float16/32 arrays) + models/<name>.json; return version."""
    coef = clf.coef_.ravel().astype(np.float32)
    n_sparse = 1 << fz.bits
    weights = coef[:n_sparse].astype(np.float16)  # halves the file; 1e-3 relative error is harmless
    dense_weights = coef[n_sparse:] * fz.dense_scale
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    bias = np.array([clf.intercept_[0]], dtype=np.float32)
    np.savez_compressed(MODELS_DIR / f"{name}.npz", weights=weights, dense_weights=dense_weights, bias=bias)
    meta = {
        "name": name,
        "bits": fz.bits,
        "char_range": list(fz.char_range),
        "word_ngrams": fz.word_ngrams,
        "dense": fz.dense,
        "threshold": round(float(threshold), 4),
        **extra,
    }
    (MODELS_DIR / f"{name}.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    return model_version((MODELS_DIR / f"{name}.json").read_bytes(), [weights, dense_weights, bias])


class Timer:
    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
