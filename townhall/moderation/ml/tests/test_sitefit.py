"""A site's own model: its words learn the site's vocabulary, and a stored model scores as fitted."""

from __future__ import annotations

import json

import numpy as np

from townhall.moderation.ml import hostility_model
from townhall.moderation.ml.sitefit import SiteFit, design, fit_site, fit_words, words

# This site rejects sneers at a rival paper; the shipped model has no reason to.
REJECTED = ["The Daily Bugle crowd again {i}", "Go back to the Bugle, {i}", "Typical Bugle reader logic {i}"]
APPROVED = ["The council vote is on Tuesday {i}", "Thanks for the figures on the budget {i}",
            "The bridge repairs start in spring {i}"]


def decisions(n: int = 20) -> tuple[list[str], np.ndarray]:
    texts, labels = [], []
    for i in range(n):
        texts += [REJECTED[i % 3].format(i=i), APPROVED[i % 3].format(i=i)]
        labels += [1, 0]
    return texts, np.array(labels, dtype=np.float64)


def test_words_learn_the_sites_vocabulary() -> None:
    texts, y = decisions()
    model = fit_words([words(t) for t in texts], y)
    sneer, civil = model.logits([words("Only a Bugle fan would write this"), words("The vote is on Tuesday")])
    assert sneer > 0 > civil
    # A bucket seen in one decision only is not kept: it would be a weight learned from one example.
    once = fit_words([words("zyxwvut quorble"), *[words(t) for t in texts]], np.concatenate([[1.0], y]))
    assert len(once.buckets) == len(model.buckets)


def test_a_fitted_site_model_survives_storage_and_ranks_the_sites_line() -> None:
    texts, y = decisions()
    model = hostility_model()
    x = np.vstack([design(model.analyse(t), model) for t in texts])
    fitted = fit_site(x, [words(t) for t in texts], y)
    stored = SiteFit.from_json(json.loads(json.dumps(fitted.to_json())))
    probe = ["Another Bugle reader shows up 99", "The budget vote is on Tuesday 99"]
    px = np.vstack([design(model.analyse(t), model) for t in probe])
    scores = stored.predict(px, [words(t) for t in probe])
    assert np.allclose(scores, fitted.predict(px, [words(t) for t in probe]), atol=1e-6)
    assert scores[0] > 0.5 > scores[1]
    assert model.score(probe[0]) < 0.5  # the shipped model alone lets the sneer through
