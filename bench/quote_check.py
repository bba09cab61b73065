"""Measure the quote check's matcher on labeled quotes built from the seed article.

    .venv/bin/python bench/quote_check.py [--seed N] [--show-misses]

120 quotes, 30 of each kind, built here (deterministic for a given --seed) from the article in
townhall/moderation/seed/ (the seed page's article):
  exact     a passage of 8-30 words copied as it stands
  trimmed   a passage cut mid-sentence at both ends, lowercased start, punctuation dropped or
            an ellipsis added, as people paste
  edited    a passage of 10-30 words with one or two light edits: a word swapped for a near
            synonym, a word dropped, a typo, punctuation and case changed
  invented  sentences the article does not contain: 20 written in its own vocabulary (places,
            names, "Islamic State", "arrests") and 10 made by splicing the start of one of its
            sentences onto the end of another
The first three should be found, the last not. Precision and recall are for "found".
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from townhall.articles.quotes import MATCH_SCORE, find, reduce  # noqa: E402
from townhall.moderation.seed import load_seed_document  # noqa: E402

PER_KIND = 30
SYNONYMS = {
    "city": "town", "said": "stated", "group": "organisation", "residents": "inhabitants", "arrests": "detentions",
    "militants": "fighters", "large": "big", "control": "command", "prepare": "get ready", "young": "youthful",
    "men": "males", "new": "fresh", "brutality": "cruelty", "months": "mos", "began": "started", "north": "northern",
    "forces": "troops", "officials": "authorities", "people": "folks", "houses": "homes", "homes": "houses",
    "killed": "murdered", "fighters": "militants", "week": "weeks", "leaflets": "flyers",
}
INVENTED = [
    "The Islamic State has released every prisoner it held in Mosul since the start of the summer.",
    "Residents of Mosul told reporters that the militants had abandoned the city without a fight last week.",
    "Abu Bakr al-Baghdadi was seen leaving the mosque in Mosul with his closest advisers in July.",
    "The Iraqi air force refused to drop leaflets on Mosul because it feared harming civilians.",
    "Kitaeb al-Mosul announced that it would lay down its arms and negotiate with the Islamic State.",
    "U.S. officials say the recapture of Mosul will take at least five more years of fighting.",
    "The graffiti campaign was organised by foreign journalists who wanted to film the reaction.",
    "Prime Minister Haider al-Abadi has postponed any attempt to retake Mosul until next spring.",
    "The militants have opened the berms around the neighborhoods so that families can leave freely.",
    "Fuel prices in Mosul have dropped sharply since the Islamic State lowered taxes on traders.",
    "The Qayyarah Air Base was destroyed by the Islamic State before Iraqi forces could use it.",
    "Israel's military intelligence chief said his country does not want to see the Islamic State defeated.",
    "His speech gave a general overview of the region, but did not reveal any new information at all.",
    "A representative of the resistance said morale among the militants has never been higher.",
    "Most residents of Mosul support the Islamic State and would fight the Iraqi army if it came.",
    "The Islamic State has started paying salaries in gold coins to keep its fighters from leaving.",
    "Three young men were pardoned after the video of the spray-painted letter spread online.",
    "Mosul is no longer central to the narrative of the caliphate, according to the group's leaders.",
    "The former governor of the province has returned to live in his house in the centre of Mosul.",
    "Executions in the city stopped entirely after the underground group released its second video.",
]
SYN_RE = re.compile(r"\b(" + "|".join(map(re.escape, SYNONYMS)) + r")\b")


def sentences(paragraphs: list[str]) -> list[str]:
    out = []
    for p in paragraphs:
        out += [s.strip() for s in re.split(r"(?<=[.!?”])\s+(?=[“A-Z])", p) if len(s.split()) >= 10]
    return out


def span(rng: random.Random, words: list[str], lo: int, hi: int) -> list[str]:
    n = rng.randint(lo, min(hi, len(words)))
    start = rng.randint(0, len(words) - n)
    return words[start : start + n]


def exact(rng: random.Random, sents: list[str]) -> str:
    return " ".join(span(rng, rng.choice(sents).split(), 8, 30))


def trimmed(rng: random.Random, sents: list[str]) -> str:
    words = rng.choice([s for s in sents if len(s.split()) >= 14]).split()
    cut = span(rng, words[1:-1], 8, 20)
    text = " ".join(cut).strip(".,;:“”\"'")
    text = text[0].lower() + text[1:]
    return rng.choice([text, "…" + text + "…", text + "...", "... " + text])


def edited(rng: random.Random, sents: list[str]) -> str:
    words = span(rng, rng.choice([s for s in sents if len(s.split()) >= 12]).split(), 12, 30)
    text = " ".join(words)
    edits = rng.sample(["synonym", "drop", "typo", "punct", "case"], k=2)
    for e in edits:
        ws = text.split()
        if e == "synonym" and SYN_RE.search(text):
            found = SYN_RE.findall(text)
            w = rng.choice(found)
            text = re.sub(r"\b" + re.escape(w) + r"\b", SYNONYMS[w], text, count=1)
        elif e == "drop" or e == "synonym":
            i = rng.randrange(1, len(ws) - 1)
            text = " ".join(ws[:i] + ws[i + 1 :])
        elif e == "typo":
            i = rng.randrange(len(ws))
            w = ws[i]
            if len(w) > 3:
                j = rng.randrange(1, len(w) - 2)
                ws[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
            text = " ".join(ws)
        elif e == "punct":
            text = re.sub(r"[,.;:“”]", "", text).replace(" — ", ", ")
        else:
            text = text.lower()
    return text


def spliced(rng: random.Random, sents: list[str]) -> str:
    a, b = rng.sample(sents, 2)
    wa, wb = a.split(), b.split()
    return " ".join(wa[: max(5, len(wa) // 2)] + wb[len(wb) // 2 :])


def build(seed: int) -> list[tuple[str, str, bool]]:
    doc = load_seed_document()
    sents = sentences(doc["article"]["paragraphs"])
    rng = random.Random(seed)
    quotes: list[tuple[str, str, bool]] = []
    for kind, make in (("exact", exact), ("trimmed", trimmed), ("edited", edited)):
        quotes += [(kind, make(rng, sents), True) for _ in range(PER_KIND)]
    quotes += [("invented", q, False) for q in INVENTED]
    quotes += [("invented", spliced(rng, sents), False) for _ in range(PER_KIND - len(INVENTED))]
    return quotes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    doc = load_seed_document()
    article = reduce("\n\n".join(doc["article"]["paragraphs"]))
    quotes = build(args.seed)
    tp = fp = fn = tn = 0
    by_kind: dict[str, list[int]] = {}
    scores: dict[str, list[int]] = {}
    started = time.perf_counter()
    for kind, text, positive in quotes:
        match = find(text, article)
        found = match is not None
        best = find(text, article, min_score=0)
        scores.setdefault(kind, []).append(best.score if best else 0)
        by_kind.setdefault(kind, []).append(int(found == positive))
        tp += found and positive
        fp += found and not positive
        fn += (not found) and positive
        tn += (not found) and not positive
        if args.show_misses and found != positive:
            print(f"  miss [{kind}] score={best.score if best else 0}: {text}")
    elapsed = time.perf_counter() - started
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"quote check on {len(quotes)} labeled quotes from the seed article ({len(article.text)} chars), "
          f"threshold {MATCH_SCORE}, seed {args.seed}")
    for kind in ("exact", "trimmed", "edited", "invented"):
        s = scores[kind]
        print(f"  {kind:<9} {sum(by_kind[kind])}/{len(by_kind[kind])} right   score min {min(s)} "
              f"median {statistics.median(s):.0f} max {max(s)}")
    print(f"  precision {precision:.3f}   recall {recall:.3f}   (tp {tp}, fp {fp}, fn {fn}, tn {tn})")
    print(f"  {elapsed / len(quotes) * 1000:.2f} ms per quote")


if __name__ == "__main__":
    main()
