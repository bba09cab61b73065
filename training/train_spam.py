"""Train the spam model and print held-out metrics.

    .venv/bin/python training/train_spam.py

Positives and negatives from the UCI YouTube Spam Collection, plus extra
negatives: non-toxic Wikipedia talk comments (Jigsaw sample), preferring those
that contain links, so that "a reader citing a source" is not learned as spam.
Writes townhall/moderation/ml/models/spam.{npz,json}.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import moddata  # noqa: E402
from common import Featurizer, Timer, export, fit, predict  # noqa: E402
from metrics import best_f1_threshold, precision_recall_f1, roc_auc  # noqa: E402

CONFIG = {"bits": 18, "char_range": (2, 5), "word_ngrams": 2, "dense": "spam", "dense_scale": 1.0, "C": 16.0}
# Extra negatives count 0.2 each: enough to unlearn "a link = spam" (without
# them the YouTube-only model flags 38/38 held-out Wikipedia comments with a
# link and 5 of the 60 seed-thread comments), little enough not to drown the
# YouTube spam. Classes are then re-balanced so 0.5 is a sensible threshold.
NEGATIVE_WEIGHT = 0.2
EXTRA_NEGATIVES = 1500


def extra_negatives() -> list[moddata.Example]:
    pool = [e for e in moddata.jigsaw() + moddata.wiki() if e.label == 0]
    with_links = [e for e in pool if "http" in e.text or "www." in e.text]
    rest = [e for e in pool if e not in with_links]
    rng = random.Random(0)
    picked = with_links + rng.sample(rest, max(0, EXTRA_NEGATIVES - len(with_links)))
    return [moddata.Example(e.text, 0, "wikipedia-negative") for e in picked]


def sample_weights(examples) -> np.ndarray:
    y = np.array([e.label for e in examples])
    w = np.array([NEGATIVE_WEIGHT if e.source == "wikipedia-negative" else 1.0 for e in examples])
    pos, neg = (w * y).sum(), (w * (1 - y)).sum()
    return np.where(y == 1, w * (pos + neg) / (2 * pos), w * (pos + neg) / (2 * neg))


def report(name, labels, probs, thr) -> None:
    p, r, f1 = precision_recall_f1(labels, probs, thr)
    print(f"  {name:34s} n={len(labels):5d} AUC={roc_auc(labels, probs):.4f} P={p:.3f} R={r:.3f} F1={f1:.3f}")


def main() -> None:
    yt = moddata.youtube_spam()
    neg = extra_negatives()
    yt_tr, yt_te = moddata.split(yt)
    ng_tr, ng_te = moddata.split(neg)
    print(f"rows: youtube={len(yt)} (spam {sum(e.label for e in yt)}), extra negatives={len(neg)}")
    cfg = CONFIG
    fz = Featurizer(cfg["bits"], cfg["char_range"], cfg["word_ngrams"], cfg["dense"], cfg["dense_scale"])

    # Leave-one-video-out: does it generalise to a video it has not seen?
    videos = sorted({e.source for e in yt})
    print("leave-one-video-out (train on the other 4 videos + negatives), threshold 0.5:")
    for v in videos:
        tr = [e for e in yt if e.source != v] + ng_tr
        te = [e for e in yt if e.source == v]
        clf = fit(fz, [e.text for e in tr], [e.label for e in tr], sample_weights(tr), C=cfg["C"])
        report(v, [e.label for e in te], predict(fz, clf, [e.text for e in te]), 0.5)

    train = yt_tr + ng_tr
    with Timer() as t:
        clf = fit(fz, [e.text for e in train], [e.label for e in train], sample_weights(train), C=cfg["C"])
    print(f"trained on {len(train)} rows in {t.seconds:.1f}s")
    p_yt = predict(fz, clf, [e.text for e in yt_te])
    # Fixed threshold 0.5 (classes are balanced by the weights). The best-F1
    # threshold on the held-out rows is printed for information only, since
    # choosing it there would make the held-out F1 optimistic.
    thr = 0.5
    print(f"(best-F1 threshold on held-out YouTube would be {best_f1_threshold([e.label for e in yt_te], p_yt)})")
    version = export(
        "spam",
        fz,
        clf,
        thr,
        {
            "negative_weight": NEGATIVE_WEIGHT,
            "trained_on": "80% split (moddata.is_heldout) of UCI YouTube Spam Collection + "
            f"{len(ng_tr)} non-toxic Wikipedia talk comments as negatives",
            "C": cfg["C"],
            "licenses": "UCI YouTube Spam Collection CC BY 4.0; "
            "Wikipedia text CC BY-SA 3.0 (Jigsaw labels CC0)",
        },
    )
    print(f"exported spam version={version} threshold={thr:.3f}")
    report("held-out youtube @thr", [e.label for e in yt_te], p_yt, thr)
    report("held-out youtube @0.5", [e.label for e in yt_te], p_yt, 0.5)
    p_ng = predict(fz, clf, [e.text for e in ng_te])
    labels = [e.label for e in yt_te] + [e.label for e in ng_te]
    report("held-out youtube + wiki negatives", labels, np.concatenate([p_yt, p_ng]), thr)
    seed = moddata.seed_thread()
    if seed:
        ps = predict(fz, clf, [e.text for e in seed])
        links = [e for e in ng_te if "http" in e.text or "www." in e.text]
        pl = predict(fz, clf, [e.text for e in links])
        print(f"  held-out Wikipedia comments with links: flagged {int((pl >= thr).sum())}/{len(links)}")
        print(
            f"  seed thread (no spam in it): flagged {int((ps >= thr).sum())}/{len(seed)}, max={ps.max():.3f}"
        )


if __name__ == "__main__":
    main()
