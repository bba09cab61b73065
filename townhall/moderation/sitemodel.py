"""Learning from the site: a model fitted on its moderators' verdicts.

Labels are the reviews moderators gave (approve: 0; reject or spam: 1), or a decisions file
from the system a site arrives from (`text,label`). Features are the shipped hostility
score, the encoder's embedding of the comment and the site's own words (`ml/sitefit.py`), so a
site teaches Townhall what its own community treats as over the line in the encoder's terms,
with its vocabulary beside them. A site model replaces the shipped score only after it beat it
on a held-out part of the same decisions, and it can be switched back. A site with no decisions
keeps the shipped model.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.db import transaction

from townhall.comments.models import Comment, Site
from townhall.core.errors import DomainError
from townhall.moderation.ml import hostility_model
from townhall.moderation.ml.hostility import Analysis, Phrase
from townhall.moderation.ml.sitefit import BITS, SiteFit, design, fit_site, predict_dense, words
from townhall.moderation.models import Policy, SiteModel
from townhall.moderation.selectors import thresholds_for

# What a stored model's weights are over. The earlier dense-only models still score; a model
# over features this code does not know is ignored (the shipped score stands).
FEATURES = "hostility+parts+words+embedding"
DENSE_ONLY = "hostility+parts+embedding"
MIN_EXAMPLES = 30
MIN_GAIN = 0.01  # ROC-AUC points the site model must add on held-out decisions


def features(text: str) -> tuple[float, np.ndarray, np.ndarray]:
    """(shipped score, design row, word buckets) from one forward pass."""
    model = hostility_model()
    analysis = model.analyse(text)
    return analysis.score, design(analysis, model), words(text)


def roc_auc(y: np.ndarray, s: np.ndarray) -> float:
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    ranks[order] = np.arange(1, len(s) + 1)
    for value in np.unique(s):  # tied scores share their average rank
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
    """Fit from the verdicts this site's moderators gave in Townhall."""
    comments, y = labelled(site)
    return _fit_and_store(site=site, policy=policy, texts=[c.text for c in comments], y=y, source="verdicts")


def train_from_decisions(*, site: Site, policy: Policy, rows: list[tuple[str, int]]) -> RetrainResult:
    """Fit from a site's past decisions in another system (1: rejected or hostile, 0: approved)."""
    return _fit_and_store(
        site=site, policy=policy, texts=[t for t, _ in rows], y=np.array([v for _, v in rows], dtype=np.float64),
        source="decisions file",
    )


def _fit_and_store(*, site: Site, policy: Policy, texts: list[str], y: np.ndarray, source: str) -> RetrainResult:
    if len(texts) < MIN_EXAMPLES or y.sum() < 5 or (len(y) - y.sum()) < 5:
        raise DomainError(
            f"need at least {MIN_EXAMPLES} decisions with 5 of each verdict; this site has "
            f"{len(texts)} ({int(y.sum())} rejected)", code="not_enough_decisions",
        )
    # A deterministic held-out part: every third decision, in the order given (time order).
    test = np.array([i % 3 == 2 for i in range(len(texts))])
    rows = [features(t) for t in texts]
    base = np.array([score for score, _, _ in rows])
    x = np.vstack([row for _, row, _ in rows])
    buckets = [b for _, _, b in rows]
    train = np.flatnonzero(~test)
    held = np.flatnonzero(test)
    site_scores = np.zeros(len(texts))
    site_scores[held] = fit_site(x[train], [buckets[i] for i in train], y[train]).predict(
        x[held], [buckets[i] for i in held]
    )
    threshold = thresholds_for(policy).hold
    before = {"roc_auc": roc_auc(y[test], base[test]), "f1": f1_at(y[test], base[test], threshold)}
    after = {"roc_auc": roc_auc(y[test], site_scores[test]), "f1": f1_at(y[test], site_scores[test], threshold)}
    better = after["roc_auc"] >= before["roc_auc"] + MIN_GAIN or (
        after["roc_auc"] >= before["roc_auc"] and after["f1"] > before["f1"]
    )
    # Refit on every decision once the held-out check has spoken: more data, same recipe.
    fitted = fit_site(x, buckets, y)
    with transaction.atomic():
        model = SiteModel.objects.create(
            site=site, bits=BITS, weights=fitted.to_json(), examples=len(texts),
            metrics={"before": before, "after": after, "held_out": int(test.sum()), "switched": better,
                     "features": FEATURES, "base_version": hostility_model().version, "source": source},
        )
        if better:
            Policy.objects.filter(pk=policy.pk).update(site_model=model)
    return RetrainResult(len(texts), before, after, better, model)


def rollback(*, policy: Policy) -> SiteModel | None:
    """Switch back: to the site's previous model that had been switched to, else to none."""
    current = policy.site_model
    candidates = SiteModel.objects.filter(site=policy.site, metrics__switched=True)
    if current is not None:
        candidates = candidates.filter(pk__lt=current.pk)
    previous = candidates.order_by("-pk").first()
    Policy.objects.filter(pk=policy.pk).update(site_model=previous)
    return previous


# A model with words is about 50,000 weights (under 1 MB in memory): a process keeps the few its
# sites use.
@lru_cache(maxsize=16)
def loaded_model(model_id: int) -> SiteFit | np.ndarray | None:
    model = SiteModel.objects.get(pk=model_id)
    kind = model.metrics.get("features")
    if kind == FEATURES and model.bits == BITS:  # words hashed into other buckets would not match
        return SiteFit.from_json(model.weights)
    if kind == DENSE_ONLY:
        return np.array(model.weights, dtype=np.float64)
    return None


def site_score(model_id: int, analysis: Analysis, text: str) -> float | None:
    """The site model's score for an analysed comment, or None when the model was fitted on
    features this code does not know (then the shipped score stands)."""
    fitted = loaded_model(model_id)
    if fitted is None:
        return None
    x = design(analysis, hostility_model())
    if isinstance(fitted, SiteFit):
        return float(fitted.predict(x, [words(text)])[0])
    return predict_dense(fitted, x)


def explanation(*, text: str, model_id: int | None) -> list[Phrase]:
    """The phrases behind the score the pipeline gave: the site model's where one scored it (and
    still exists), else the shipped model's."""
    model = hostility_model()
    try:
        fitted = loaded_model(model_id) if model_id else None
    except SiteModel.DoesNotExist:
        fitted = None
    if fitted is None:
        return model.explain(text)

    def rescore(texts: list[str], analyses: list[Analysis]) -> np.ndarray:
        x = np.vstack([design(a, model) for a in analyses])
        if isinstance(fitted, SiteFit):
            return fitted.predict(x, [words(t) for t in texts])
        return np.array([predict_dense(fitted, row) for row in x])

    return model.explain(text, rescore=rescore)
