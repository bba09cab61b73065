"""Evaluate the shipped moderation classifiers (no scikit-learn, no Django needed).

    .venv/bin/python bench/moderation_eval.py                       # held-out splits
    .venv/bin/python bench/moderation_eval.py --toxicity-csv FILE   # columns: text,toxic
    .venv/bin/python bench/moderation_eval.py --spam-csv FILE       # columns: text,spam

Held-out rows are the ones training/moddata.is_heldout() kept out of training
(a hash of the text), so these numbers are for data the shipped models never saw.
To add a section, write a function returning a list of result dicts and add it
to SECTIONS (or call it from main() for file-driven sections).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "training"))

import moddata  # noqa: E402
from metrics import precision_recall_f1, roc_auc  # noqa: E402

from townhall.moderation.ml import (  # noqa: E402
    detect_language,
    is_confidently_not,
    spam_model,
    toxicity_model,
)

ISO3_TO_1 = {"eng": "en", "fra": "fr", "por": "pt", "spa": "es", "ita": "it", "glg": "gl", "cat": "ca",
             "jpn": "ja", "cmn": "zh", "kor": "ko"}


def timed_scores(model, texts: list[str], repeats: int = 3) -> tuple[np.ndarray, float, float]:
    """Scores, mean and p99 ms/comment. Each text is timed ``repeats`` times and
    its fastest run kept, so other processes on the machine add less noise."""
    model.score_many(texts[:20])  # warm-up
    best = np.full(len(texts), np.inf)
    scores: list[float] = []
    for _ in range(repeats):
        scores = []
        for i, t in enumerate(texts):
            t0 = time.perf_counter()
            scores.append(model.score(t))
            best[i] = min(best[i], time.perf_counter() - t0)
    ms = best * 1000
    return np.array(scores), float(ms.mean()), float(np.percentile(ms, 99))


def classifier_row(name: str, model, texts: list[str], labels: list[int]) -> dict:
    scores, mean_ms, p99_ms = timed_scores(model, texts)
    p, r, f1 = precision_recall_f1(labels, scores, model.threshold)
    return {"set": name, "n": len(texts), "pos": int(sum(labels)), "auc": roc_auc(labels, scores),
            "thr": model.threshold, "p": p, "r": r, "f1": f1, "ms": mean_ms, "p99": p99_ms}


def print_rows(title: str, rows: list[dict]) -> None:
    print(f"\n== {title}")
    print(f"  {'set':34s} {'n':>6s} {'pos':>5s} {'ROC-AUC':>8s} {'thr':>6s} {'prec':>6s} {'recall':>6s} "
          f"{'F1':>6s} {'ms/cmt':>7s} {'p99ms':>6s}")
    for r in rows:
        print(f"  {r['set']:34s} {r['n']:6d} {r['pos']:5d} {r['auc']:8.4f} {r['thr']:6.3f} {r['p']:6.3f} "
              f"{r['r']:6.3f} {r['f1']:6.3f} {r['ms']:7.3f} {r['p99']:6.3f}")


def toxicity_heldout() -> list[dict]:
    model = toxicity_model()
    print(f"\ntoxicity model version {model.version}")
    rows = []
    splits = {"davidson": moddata.davidson(), "jigsaw": moddata.jigsaw(), "wiki": moddata.wiki()}
    heldout = {k: moddata.split(v)[1] for k, v in splits.items()}
    heldout["wiki-family (jigsaw+wiki)"] = heldout["jigsaw"] + heldout["wiki"]
    heldout["all three"] = heldout["davidson"] + heldout["wiki-family (jigsaw+wiki)"]
    seed = moddata.seed_thread()
    if seed:
        heldout["seed thread (hand labels, 8/60)"] = seed
    for name, exs in heldout.items():
        rows.append(classifier_row(name, model, [e.text for e in exs], [e.label for e in exs]))
    return rows


def spam_heldout() -> list[dict]:
    model = spam_model()
    print(f"\nspam model version {model.version}")
    exs = moddata.split(moddata.youtube_spam())[1]
    rows = [classifier_row("youtube held-out", model, [e.text for e in exs], [e.label for e in exs])]
    seed = moddata.seed_thread()
    if seed:
        scores = np.array(model.score_many([e.text for e in seed]))
        print(f"  seed thread (no spam): {int((scores >= model.threshold).sum())}/{len(seed)} flagged")
    return rows


def language_tatoeba(min_chars: int = 20) -> None:
    rows = [(lang, text) for lang, text in moddata.tatoeba()]
    print(f"\n== language (py3langid) on tatoeba_langid.tsv ({len(rows)} short sentences, 10 languages)")
    for limit in (0, min_chars):
        sub = [(lang, text) for lang, text in rows if len(text) >= limit]
        t0 = time.perf_counter()
        detected = [detect_language(text)[0] for _, text in sub]
        ms = (time.perf_counter() - t0) / len(sub) * 1000
        en_ok = np.mean([(lang == "eng") == (d == "en") for (lang, _), d in zip(sub, detected, strict=True)])
        exact = np.mean([ISO3_TO_1[lang] == d for (lang, _), d in zip(sub, detected, strict=True)])
        print(f"  len>={limit:<3d} n={len(sub):5d} English-vs-other accuracy={en_ok:.4f} "
              f"exact language={exact:.4f} ms/text={ms:.3f}")
    sub = [(lang, text) for lang, text in rows if len(text) >= min_chars]
    for min_prob in (0.5, 0.7, 0.9):
        flags = [is_confidently_not(text, {"en"}, min_chars=min_chars, min_prob=min_prob) for _, text in sub]
        en_flagged = sum(f is not None for (lang, _), f in zip(sub, flags, strict=True) if lang == "eng")
        other = [f for (lang, _), f in zip(sub, flags, strict=True) if lang != "eng"]
        n_en = sum(lang == "eng" for lang, _ in sub)
        print(f"  is_confidently_not(allowed={{'en'}}, min_prob={min_prob}): English wrongly flagged "
              f"{en_flagged}/{n_en}, non-English flagged {sum(f is not None for f in other)}/{len(other)}")


def csv_rows(path: str, label_column: str) -> tuple[list[str], list[int]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        texts, labels = [], []
        for row in reader:
            texts.append(row["text"])
            labels.append(int(str(row[label_column]).strip().lower() in ("1", "true", "yes")))
    return texts, labels


def pipeline_timing(passes: int = 3) -> None:
    """The whole pipeline per comment, with its database reads, on one core: the seed thread
    replayed through the seed policy, plus held-out dataset texts posted as replies."""
    import os
    import tempfile

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    os.environ.setdefault("TOWNHALL_DATA_DIR", tempfile.mkdtemp(prefix="townhall-eval-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townhall.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from townhall.moderation.ml import warm_up
    from townhall.moderation.replay import SEED_POLICY, replay, seed_comments

    call_command("migrate", verbosity=0)
    warm_up()
    items = seed_comments()
    extra = [e.text[:2000] for e in moddata.split(moddata.jigsaw())[1][:240]]
    base = items[-1]["created"]
    from datetime import timedelta

    items += [{"ref": f"j{i}", "parent_ref": 5, "author": f"reader{i % 17}", "text": t,
               "created": base + timedelta(minutes=3 * (i + 1))} for i, t in enumerate(extra)]
    ms: list[float] = []
    for _ in range(passes):
        ms += [i.ms for i in replay(comments=items, policy=SEED_POLICY).items if i.ms]
    arr = np.array(ms)
    print(f"\n== whole pipeline, one core ({len(items)} comments x {passes} passes, database: "
          f"{django.conf.settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})")
    print(f"  p50 {np.percentile(arr, 50):.2f} ms   p99 {np.percentile(arr, 99):.2f} ms   max {arr.max():.2f} ms")


SECTIONS = [
    ("toxicity, held-out split (thr = shipped threshold)", toxicity_heldout),
    ("spam, held-out split", spam_heldout),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--toxicity-csv", help="score the toxicity model on FILE (columns text,toxic)")
    ap.add_argument("--spam-csv", help="score the spam model on FILE (columns text,spam)")
    args = ap.parse_args()

    if args.toxicity_csv or args.spam_csv:
        if args.toxicity_csv:
            texts, labels = csv_rows(args.toxicity_csv, "toxic")
            print_rows(f"toxicity on {args.toxicity_csv} (version {toxicity_model().version})",
                       [classifier_row(Path(args.toxicity_csv).name, toxicity_model(), texts, labels)])
        if args.spam_csv:
            texts, labels = csv_rows(args.spam_csv, "spam")
            print_rows(f"spam on {args.spam_csv} (version {spam_model().version})",
                       [classifier_row(Path(args.spam_csv).name, spam_model(), texts, labels)])
        return

    for title, section in SECTIONS:
        print_rows(title, section())
    language_tatoeba()
    pipeline_timing()


if __name__ == "__main__":
    main()
