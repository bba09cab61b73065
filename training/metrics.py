"""Classification metrics in plain numpy (no scikit-learn needed at eval time)."""

from __future__ import annotations

import numpy as np


def roc_auc(labels, scores) -> float:
    """Mann-Whitney formulation of ROC-AUC, with average ranks for ties."""
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    # average ranks over runs of equal scores
    boundaries = np.flatnonzero(np.diff(sorted_s)) + 1
    starts = np.concatenate([[0], boundaries])
    ends = np.concatenate([boundaries, [len(s)]])
    for a, b in zip(starts, ends, strict=True):
        ranks[order[a:b]] = (a + b + 1) / 2.0
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def precision_recall_f1(labels, scores, threshold: float) -> tuple[float, float, float]:
    y = np.asarray(labels, dtype=bool)
    pred = np.asarray(scores, dtype=np.float64) >= threshold
    tp = int((pred & y).sum())
    fp = int((pred & ~y).sum())
    fn = int((~pred & y).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def best_f1_threshold(labels, scores) -> float:
    """Threshold (one of the scores) that maximises F1."""
    candidates = np.unique(np.round(np.asarray(scores, dtype=np.float64), 3))
    best = max(candidates, key=lambda t: precision_recall_f1(labels, scores, t)[2])
    return float(best)


def at_base_rate(labels, scores, threshold: float, base_rate: float = 0.05) -> tuple[float, float, float]:
    """Precision, recall and F1 as if positives were `base_rate` of the traffic.

    The news sample is balanced; real comment sections are about 5% hostile. Recall does not
    depend on the mix; precision does, so the negatives are reweighted to the stated rate.
    """
    y = np.asarray(labels, dtype=bool)
    pred = np.asarray(scores, dtype=np.float64) >= threshold
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if not n_pos or not n_neg:
        return float("nan"), float("nan"), float("nan")
    tpr = (pred & y).sum() / n_pos
    fpr = (pred & ~y).sum() / n_neg
    tp, fp = base_rate * tpr, (1 - base_rate) * fpr
    p = float(tp / (tp + fp)) if tp + fp else 0.0
    r = float(tpr)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f
