"""Learning from the site: a model fitted on its moderators' verdicts.

Labels are the reviews moderators gave (approve: 0; reject or spam: 1), the features the shipped
models' scores plus hashed words, so a site can teach Townhall what its own community treats as
over the line. It replaces the toxicity score in the pipeline only after it beat the shipped
model on a held-out part of the same decisions, and it can be switched back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.db import transaction

from townhall.comments.models import Comment, Site
from townhall.core.errors import DomainError
from townhall.moderation.ml import spam_model, toxicity_model
from townhall.moderation.ml.features import clean, sparse_features
from townhall.moderation.models import Policy, SiteModel

BITS = 12
DENSE = 2  # toxicity and spam logits of the shipped models
MIN_EXAMPLES = 30
MIN_GAIN = 0.01  # ROC-AUC points the site model must add on held-out decisions


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def features(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(dense, sparse vector of length 2**BITS)."""
    dense = np.array([_logit(toxicity_model().score(text)), _logit(spam_model().score(text))], dtype=np.float64)
    idx, val = sparse_features(clean(text), BITS, (3, 4), 1)
    sparse = np.zeros(1 << BITS)
    np.add.at(sparse, idx, val)
    return dense, sparse


def _matrix(texts: list[str]) -> np.ndarray:
    rows = [np.concatenate([[1.0], *features(t)]) for t in texts]
    return np.vstack(rows) if rows else np.zeros((0, 1 + DENSE + (1 << BITS)))


def fit(x: np.ndarray, y: np.ndarray, *, l2: float = 0.1, steps: int = 1500) -> np.ndarray:
    """L2-regularised logistic regression by plain gradient descent: the data is small (a site's
    reviewed comments) and numpy is all the runtime has."""
    w = np.zeros(x.shape[1])
    # Start from the shipped toxicity model: weight 1 on its logit.
    w[1] = 1.0
    lr = 1.0
    pos = max(float(y.mean()), 1e-3)
    weights = np.where(y == 1, 0.5 / pos, 0.5 / max(1 - pos, 1e-3))  # balance the classes
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ ((p - y) * weights) / len(y) + l2 * np.r_[0.0, w[1:]] / len(y)
        w -= lr * grad
    return w


def predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))


def roc_auc(y: np.ndarray, s: np.ndarray) -> float:
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    ranks[order] = np.arange(1, len(s) + 1)
    # average ranks for ties
    for value in np.unique(s):
        tie = s == value
        ranks[tie] = ranks[tie].mean()
    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    if not n_pos or not n_neg:
        return float("nan")
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def f1_at(y: np.ndarray, s: np.ndarray, threshold: float) -> float:
    pred = s >= threshold
    tp = float((pred & (y == 1)).sum())
    fp, fn = float((pred & (y == 0)).sum()), float((~pred & (y == 1)).sum())
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


@dataclass
class RetrainResult:
    examples: int
    before: dict[str, float]
    after: dict[str, float]
    switched: bool
    model: SiteModel | None


def labelled(site: Site) -> tuple[list[Comment], np.ndarray]:
    rows = [
        c for c in Comment.objects.filter(thread__site=site, moderation__has_key="review").order_by("id")
        if c.moderation.get("review", {}).get("decision") in ("approve", "reject", "spam")
    ]
    y = np.array([0 if c.moderation["review"]["decision"] == "approve" else 1 for c in rows], dtype=np.float64)
    return rows, y


def retrain(*, site: Site, policy: Policy) -> RetrainResult:
    comments, y = labelled(site)
    if len(comments) < MIN_EXAMPLES or y.sum() < 5 or (len(y) - y.sum()) < 5:
        raise DomainError(
            f"need at least {MIN_EXAMPLES} reviewed comments with 5 of each verdict; this site has "
            f"{len(comments)} ({int(y.sum())} rejected)", code="not_enough_decisions",
        )
    # A deterministic held-out part: every third decision, in time order.
    test = np.array([i % 3 == 2 for i in range(len(comments))])
    x = _matrix([c.text for c in comments])
    w = fit(x[~test], y[~test])
    base = np.array([toxicity_model().score(c.text) for c in comments])
    site_scores = predict(w, x)
    threshold = policy.toxicity_hold
    before = {"roc_auc": roc_auc(y[test], base[test]), "f1": f1_at(y[test], base[test], threshold)}
    after = {"roc_auc": roc_auc(y[test], site_scores[test]), "f1": f1_at(y[test], site_scores[test], threshold)}
    better = after["roc_auc"] >= before["roc_auc"] + MIN_GAIN or (
        after["roc_auc"] >= before["roc_auc"] and after["f1"] > before["f1"]
    )
    model = None
    with transaction.atomic():
        model = SiteModel.objects.create(
            site=site, bits=BITS, weights=[float(v) for v in w], examples=len(comments),
            metrics={"before": before, "after": after, "held_out": int(test.sum()), "switched": better},
        )
        if better:
            Policy.objects.filter(pk=policy.pk).update(site_model=model)
    return RetrainResult(len(comments), before, after, better, model)


def rollback(*, policy: Policy) -> SiteModel | None:
    """Switch back: to the site's previous model that had been switched to, else to none."""
    current = policy.site_model
    candidates = SiteModel.objects.filter(site=policy.site, metrics__switched=True)
    if current is not None:
        candidates = candidates.filter(pk__lt=current.pk)
    previous = candidates.order_by("-pk").first()
    Policy.objects.filter(pk=policy.pk).update(site_model=previous)
    return previous


@lru_cache(maxsize=64)
def _loaded(model_id: int) -> np.ndarray:
    return np.array(SiteModel.objects.get(pk=model_id).weights, dtype=np.float64)


def site_score(model_id: int, text: str) -> float:
    w = _loaded(model_id)
    x = np.concatenate([[1.0], *features(text)])
    return float(predict(w, x))
